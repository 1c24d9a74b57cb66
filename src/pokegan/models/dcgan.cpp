#include "pokegan/models/dcgan.h"
#include "pokegan/common/labels.h"

#include <torch/nn/functional/activation.h>
#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/upsampling.h>

#include "pokegan/common/error.h"
#include "pokegan/models/layers.h"

namespace pokegan {

namespace nn = torch::nn;

DCGANGeneratorImpl::DCGANGeneratorImpl(const GeneratorOptions& opt, int image_size, int num_classes)
    : opt_(opt), num_classes_(opt.conditional ? num_classes : 0) {
  const int stages = stages_for(image_size);
  if (opt.conditional && num_classes < 1) throw Error("a conditional generator needs classes");
  auto ch = [&](int i) { return opt.base_channels << (stages - 1 - i); };  // block i's width
  if (opt.upsample != "transposed" && opt.upsample != "resize")
    throw Error("g.upsample must be 'transposed' or 'resize', got '" + opt.upsample + "'");
  if (opt.class_norm != "none" && opt.class_norm != "cbn")
    throw Error("g.class_norm must be 'none' or 'cbn', got '" + opt.class_norm + "'");
  const bool cbn = opt.class_norm == "cbn" && num_classes_ > 0;
  if (cbn) class_embed_ = register_module("class_embed", nn::Embedding(num_classes_, opt.class_embed_dim));
  auto norm = [&](int c) -> nn::AnyModule {
    if (cbn) return nn::AnyModule(ClassBatchNorm(c, opt.class_embed_dim));
    return nn::AnyModule(nn::BatchNorm2d(c));
  };
  // A doubling layer: a 4x4 stride-2 transposed conv, or nearest x2 then a 3x3 conv.
  auto up = [&](int in, int out, bool bias) {
    if (opt.upsample == "resize") {
      net_->push_back(nn::Upsample(nn::UpsampleOptions().scale_factor(std::vector<double>{2, 2}).mode(torch::kNearest)));
      net_->push_back(nn::Conv2d(nn::Conv2dOptions(in, out, 3).padding(1).bias(bias)));
    } else {
      net_->push_back(nn::ConvTranspose2d(nn::ConvTranspose2dOptions(in, out, 4).stride(2).padding(1).bias(bias)));
    }
  };
  net_ = nn::Sequential();
  // [N, z+C, 1, 1] -> [N, ch(0), 4, 4]
  net_->push_back(nn::ConvTranspose2d(nn::ConvTranspose2dOptions(opt.z_dim + num_classes_, ch(0), 4).bias(false)));
  net_->push_back(norm(ch(0)));
  net_->push_back(nn::ReLU(true));
  for (int i = 1; i < stages; ++i) {  // doubles the resolution each time
    up(ch(i - 1), ch(i), false);
    net_->push_back(norm(ch(i)));
    net_->push_back(nn::ReLU(true));
  }
  up(ch(stages - 1), 3, true);
  net_->push_back(nn::Tanh());
  register_module("net", net_);
  dcgan_init(*this);  // no channels-last here: every 4-D weight is read through fast_conv_transpose
}

torch::Tensor DCGANGeneratorImpl::forward(const torch::Tensor& z, const torch::Tensor& labels) {
  torch::Tensor x = z;  // [N, z]
  if (num_classes_ > 0)
    x = torch::cat({z, class_weights(labels, num_classes_, z.scalar_type())}, 1);  // [N, z+C]
  x = x.view({x.size(0), x.size(1), 1, 1});
  const torch::Tensor cond = class_embed_ ? embed_classes(class_embed_->weight, labels) : torch::Tensor();  // [N, E]
  for (auto& m : *net_) {  // transposed convs through fast_conv_transpose, cBN with the class
    if (auto* ct = m.ptr()->as<torch::nn::ConvTranspose2d>()) x = fast_conv_transpose(*ct, x);
    else if (auto* bn = m.ptr()->as<ClassBatchNormImpl>()) x = bn->forward(x, cond);
    else x = m.forward(x);
  }
  return x;  // [N, 3, S, S]
}

DCGANDiscriminatorImpl::DCGANDiscriminatorImpl(const DiscriminatorOptions& opt, int image_size, int num_classes)
    : opt_(opt), image_size_(image_size) {
  const int stages = stages_for(image_size);
  if (opt.conditional) {
    if (num_classes < 1) throw Error("a conditional discriminator needs classes");
    embed_ = register_module("embed", nn::Embedding(num_classes, opt.class_embed_dim));
  }
  auto ch = [&](int i) { return opt.base_channels << i; };
  net_ = nn::Sequential();
  int in = 3 + (opt.conditional ? 1 : 0);
  for (int i = 0; i < stages; ++i) {  // halves the resolution each time: S -> 4
    net_->push_back(nn::Conv2d(nn::Conv2dOptions(in, ch(i), 4).stride(2).padding(1).bias(false)));
    net_->push_back(nn::BatchNorm2d(ch(i)));
    net_->push_back(nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.2).inplace(true)));
    in = ch(i);
  }
  if (opt.dropout > 0) net_->push_back(nn::Dropout(opt.dropout));
  register_module("net", net_);
  final_ = register_module("final", nn::Conv2d(nn::Conv2dOptions(in, 1, 4)));  // [N, 1, 1, 1]
  if (opt.class_head) class_head_ = register_module("class_head", nn::Linear(in, num_classes));
  dcgan_init(*this);
  use_channels_last(*this);
}

DOutput DCGANDiscriminatorImpl::forward(const torch::Tensor& images, const torch::Tensor& labels) {
  torch::Tensor x = images;  // [N, 3, S, S]
  if (opt_.conditional)
    x = torch::cat({images, tile_class_channel(embed_classes(embed_->weight, labels), image_size_).to(images.dtype())}, 1);
  const auto h = net_->forward(x);  // [N, 8 base, 4, 4]
  DOutput out{final_->forward(h).view({-1}), {}};  // logits [N]
  if (class_head_) out.class_logits = class_head_->forward(h.mean({2, 3}));  // [N, C]
  return out;
}

}  // namespace pokegan
