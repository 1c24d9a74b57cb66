#include "pokegan/models/unet.h"
#include "pokegan/common/labels.h"

#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/pooling.h>

#include <algorithm>

#include "pokegan/common/error.h"

namespace pokegan {

namespace nn = torch::nn;

namespace {
bool listed(const std::vector<int>& v, int i) { return std::find(v.begin(), v.end(), i) != v.end(); }
}  // namespace

UNetGeneratorImpl::UNetGeneratorImpl(const GeneratorOptions& opt, int image_size, int num_classes)
    : opt_(opt), size_(image_size), num_classes_(opt.conditional ? num_classes : 0) {
  const int depth = stages_for(image_size) + 2;  // contract S -> 1
  auto ch = [&](int level) { return std::min(opt.base_channels << level, std::max(opt.max_channels, opt.base_channels)); };
  // Level 0 is x0 (full size, base channels); level k >= 1 is contracting block k-1's output.
  int map_in = opt.z_dim;
  if (num_classes_ > 0) {
    embed_ = register_module("embed", nn::Embedding(num_classes_, opt.class_embed_dim));
    map_in += opt.class_embed_dim;
  }
  if (opt.z_inject != "input" && opt.z_inject != "style")
    throw Error("g.z_inject must be 'input' or 'style', got '" + opt.z_inject + "'");
  if (opt.input_plane != "rows" && opt.input_plane != "grid")
    throw Error("g.input_plane must be 'rows' or 'grid', got '" + opt.input_plane + "'");
  const bool grid = opt.input_plane == "grid";
  if (grid && image_size % 8 != 0) throw Error("g.input_plane=grid needs an image size divisible by 8");
  // rows: S values, one per column; grid: an (S/8)x(S/8) map.
  const int plane_values = grid ? (image_size / 8) * (image_size / 8) : image_size;
  mapping_ = register_module("mapping", MappingNetwork(map_in, opt.mapping_hidden, plane_values));
  const bool style = opt.z_inject == "style";
  if (style) style_mapping_ = register_module("style_mapping", MappingNetwork(map_in, opt.mapping_hidden, opt.w_dim));
  upfeature_ = register_module("upfeature", nn::Conv2d(nn::Conv2dOptions(1, opt.base_channels, 1)));
  for (int i = 0; i < depth; ++i) {
    const int in = ch(i), out = ch(i + 1);
    nn::Sequential block(nn::Conv2d(nn::Conv2dOptions(in, out, 3).padding(1)), nn::BatchNorm2d(out),
                         nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.2)),
                         nn::Conv2d(nn::Conv2dOptions(out, out, 3).padding(1)), nn::BatchNorm2d(out),
                         nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.2)), nn::MaxPool2d(2));
    contract_.push_back(register_module("contract" + std::to_string(i), block));
    const bool adain = num_classes_ > 0 && listed(opt.cadain_contract, i);
    contract_adain_.push_back(adain ? register_module("contract_adain" + std::to_string(i),
                                                      ConditionalAdaIN(out, 0, num_classes_, opt.class_embed_dim, 1.0))
                                    : ConditionalAdaIN(nullptr));
  }
  if (num_classes_ > 0 && opt.hidden_mapping) {
    hidden_embed_ = register_module("hidden_embed", nn::Embedding(num_classes_, opt.class_embed_dim));
    hidden_mapping_ = register_module(
        "hidden_mapping", MappingNetwork(ch(depth) + opt.class_embed_dim, opt.mapping_hidden, ch(depth)));
  }
  for (int j = 0; j < depth; ++j) {
    const int level = depth - j;  // input level; the skip comes from level - 1
    const int in = j == 0 ? ch(depth) : ch(level), skip = ch(level - 1);
    expand_in_.push_back(register_module("expand_in" + std::to_string(j), nn::Conv2d(nn::Conv2dOptions(in, skip, 3).padding(1))));
    nn::Sequential block(nn::Conv2d(nn::Conv2dOptions(2 * skip, skip, 3).padding(1)), nn::BatchNorm2d(skip), nn::ReLU(),
                         nn::Conv2d(nn::Conv2dOptions(skip, skip, 3).padding(1)), nn::BatchNorm2d(skip), nn::ReLU());
    expand_.push_back(register_module("expand" + std::to_string(j), block));
    const bool by_class = num_classes_ > 0 && (opt.cadain_expand.empty() || listed(opt.cadain_expand, j));
    expand_adain_.push_back(by_class || style
                                ? register_module("expand_adain" + std::to_string(j),
                                                  ConditionalAdaIN(skip, style ? opt.w_dim : 0, by_class ? num_classes_ : 0,
                                                                   opt.class_embed_dim, 1.0))
                                : ConditionalAdaIN(nullptr));
  }
  downfeature_ = register_module("downfeature", nn::Conv2d(nn::Conv2dOptions(opt.base_channels, 3, 1)));
}

torch::Tensor UNetGeneratorImpl::forward(const torch::Tensor& z, const torch::Tensor& labels) {
  const int64_t n = z.size(0);
  const torch::Tensor y = num_classes_ > 0 ? labels : torch::Tensor();
  torch::Tensor in = z;
  if (num_classes_ > 0) in = torch::cat({z, embed_classes(embed_->weight, labels)}, 1);  // [N, z + E]
  const torch::Tensor m = mapping_->forward(in);
  torch::Tensor x = upfeature_->forward(opt_.input_plane == "grid" ? grid_plane(m, size_) : tile_class_channel(m, size_));  // [N, base, S, S]
  const torch::Tensor w = style_mapping_ ? style_mapping_->forward(in) : torch::Tensor();  // [N, w_dim]
  std::vector<torch::Tensor> skips = {x};
  for (size_t i = 0; i < contract_.size(); ++i) {
    x = contract_[i]->forward(x);  // halves H, W
    if (contract_adain_[i]) x = contract_adain_[i]->forward(x, {}, y);
    skips.push_back(x);
  }
  if (hidden_mapping_) {  // [N, C, 1, 1] -> mapping over (encoding, class) -> [N, C, 1, 1]
    const auto flat = x.view({n, -1});
    x = hidden_mapping_->forward(torch::cat({flat, embed_classes(hidden_embed_->weight, labels)}, 1)).view(x.sizes());
  }
  for (size_t j = 0; j < expand_.size(); ++j) {
    x = expand_in_[j]->forward(upsample2x(x));
    x = expand_[j]->forward(torch::cat({x, skips[skips.size() - 2 - j]}, 1));
    if (expand_adain_[j]) x = expand_adain_[j]->forward(x, w, y);
  }
  return torch::tanh(downfeature_->forward(x));  // [N, 3, S, S]
}

}  // namespace pokegan
