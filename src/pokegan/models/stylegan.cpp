#include "pokegan/models/stylegan.h"
#include "pokegan/common/labels.h"

#include <torch/nn/functional/activation.h>

#include "pokegan/common/error.h"

namespace pokegan {

namespace nn = torch::nn;
namespace F = torch::nn::functional;

StyleGANGeneratorImpl::StyleGANGeneratorImpl(const GeneratorOptions& opt, int image_size, int num_classes)
    : opt_(opt), num_classes_(opt.conditional ? num_classes : 0) {
  const int blocks = stages_for(image_size) + 1;  // 4x4 plus one per doubling
  if (opt_.lambda_c.empty())
    for (int i = 0; i < blocks; ++i) opt_.lambda_c.push_back(0.2 + 0.8 * i / std::max(1, blocks - 1));
  if (static_cast<int>(opt_.lambda_c.size()) != blocks)
    throw Error("g.lambda_c needs one value per synthesis block: " + std::to_string(blocks) + " at " +
                std::to_string(image_size) + "x" + std::to_string(image_size) + ", got " +
                std::to_string(opt_.lambda_c.size()));
  const int ch = opt.base_channels;
  int map_in = opt.z_dim;
  if (num_classes_ > 0) {
    embed_ = register_module("embed", nn::Embedding(num_classes_, opt.class_embed_dim));
    map_in += opt.class_embed_dim;
  }
  mapping_ = register_module("mapping", MappingNetwork(map_in, opt.mapping_hidden, opt.w_dim));
  constant_ = register_parameter("constant", torch::ones({1, ch, 4, 4}));
  for (int i = 0; i < blocks; ++i) {
    const std::string k = std::to_string(i);
    convs_.push_back(register_module("conv" + k, nn::Conv2d(nn::Conv2dOptions(ch, ch, 3).padding(1))));
    noises_.push_back(register_module("noise" + k, InjectNoise(ch)));
    adains_.push_back(register_module(
        "adain" + k, ConditionalAdaIN(ch, opt.w_dim, num_classes_, opt.class_embed_dim, opt_.lambda_c[i])));
  }
  to_rgb_ = register_module("to_rgb", nn::Conv2d(nn::Conv2dOptions(ch, 3, 1)));
}

std::vector<double> StyleGANGeneratorImpl::lambdas() const { return opt_.lambda_c; }

torch::Tensor StyleGANGeneratorImpl::forward(const torch::Tensor& z, const torch::Tensor& labels) {
  torch::Tensor in = z;  // [N, z]
  if (num_classes_ > 0) in = torch::cat({z, embed_classes(embed_->weight, labels)}, 1);  // [N, z + E]
  const auto w = mapping_->forward(in);                                     // [N, w_dim]
  torch::Tensor x = constant_.expand({z.size(0), -1, -1, -1});              // [N, C, 4, 4]
  for (size_t i = 0; i < convs_.size(); ++i) {
    if (i > 0) x = upsample2x(x);
    x = F::leaky_relu(noises_[i]->forward(convs_[i]->forward(x)), F::LeakyReLUFuncOptions().negative_slope(0.2));
    x = adains_[i]->forward(x, w, num_classes_ > 0 ? labels : torch::Tensor());
  }
  return torch::tanh(to_rgb_->forward(x));  // [N, 3, S, S]
}

}  // namespace pokegan
