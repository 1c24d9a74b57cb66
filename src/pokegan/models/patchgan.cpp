#include "pokegan/models/patchgan.h"
#include "pokegan/common/labels.h"

#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/pooling.h>

#include "pokegan/common/error.h"
#include "pokegan/models/spectral.h"

namespace pokegan {

namespace nn = torch::nn;

PatchGANDiscriminatorImpl::PatchGANDiscriminatorImpl(const DiscriminatorOptions& opt, int image_size, int num_classes)
    : opt_(opt), size_(image_size) {
  stages_for(image_size);  // validates the size
  const bool projected = opt.arch == "projection";
  const bool channel = opt.conditional && !projected;
  if ((opt.conditional || opt.class_head || opt.twin_class_head) && num_classes < 1) throw Error("a conditional discriminator needs classes");
  if (channel) class_channel = register_module("class_channel", nn::Embedding(num_classes, opt.class_embed_dim));
  upfeature_ = register_module("upfeature", nn::Conv2d(nn::Conv2dOptions(3 + (channel ? 1 : 0), opt.base_channels, 1)));
  int c = opt.base_channels;
  for (int i = 0; i < 4; ++i) {
    // Owned by the block's Sequential; noises_ keeps handles so set_noise_std can reach them.
    GaussianNoise noise1(opt.noise_std), noise2(opt.noise_std);
    nn::Sequential b;
    b->push_back(noise1);
    b->push_back(nn::Conv2d(nn::Conv2dOptions(c, 2 * c, 3).padding(1)));
    if (i > 0) b->push_back(nn::BatchNorm2d(2 * c));
    b->push_back(nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.2)));
    b->push_back(noise2);
    b->push_back(nn::Conv2d(nn::Conv2dOptions(2 * c, 2 * c, 3).padding(1)));
    if (i > 0) b->push_back(nn::BatchNorm2d(2 * c));
    b->push_back(nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.2)));
    b->push_back(nn::MaxPool2d(2));
    blocks_.push_back(register_module("contract" + std::to_string(i), b));
    noises_.push_back(noise1);
    noises_.push_back(noise2);
    c *= 2;
  }
  if (opt.dropout > 0) throw Error("d.dropout is not supported by the PatchGAN discriminators");
  if (opt.mbstd_group < 0) throw Error("d.mbstd_group must be >= 0");
  final_ = register_module("final", nn::Conv2d(nn::Conv2dOptions(c + (opt.mbstd_group > 0 ? 1 : 0), 1, 1)));
  const int patches = (image_size / 16) * (image_size / 16);
  if (projected) {
    linear = register_module("linear", nn::Linear(patches, 1));
    if (opt.conditional) projection = register_module("projection", nn::Embedding(num_classes, patches));
  }
  if (opt.class_head) class_head = register_module("class_head", nn::Linear(c, num_classes));
  if (opt.twin_class_head) twin_head = register_module("twin_head", nn::Linear(c, num_classes));
}

void PatchGANDiscriminatorImpl::set_noise_std(double std) {
  for (auto& n : noises_) n->set_std(std);
}

torch::Tensor PatchGANDiscriminatorImpl::patch_logits(const torch::Tensor& images, const torch::Tensor& labels,
                                                      torch::Tensor* features) {
  torch::Tensor x = images;  // [N, 3, S, S]
  if (class_channel)
    x = torch::cat({images, tile_class_channel(embed_classes(class_channel->weight, labels), size_).to(images.dtype())}, 1);
  x = upfeature_->forward(x);
  for (auto& b : blocks_) x = b->forward(x);  // [N, 16 base, S/16, S/16]
  if (features) *features = x;
  if (opt_.mbstd_group > 0) x = minibatch_stddev(x, opt_.mbstd_group);  // [N, 16 base + 1, S/16, S/16]
  return final_->forward(x).flatten(1);  // [N, P]
}

DOutput PatchGANDiscriminatorImpl::forward(const torch::Tensor& images, const torch::Tensor& labels) {
  torch::Tensor feats;
  const auto phi = patch_logits(images, labels, &feats);  // [N, P]
  DOutput out;
  if (linear) {
    out.logits = linear->forward(phi).view({-1});  // [N]
    if (projection) out.logits = out.logits + (phi * embed_classes(projection->weight, labels)).sum(1);
  } else {
    out.logits = phi;  // one logit per patch: [N, P]
  }
  if (class_head || twin_head) {
    const auto pooled = feats.mean({2, 3});  // [N, 16 base]
    if (class_head) out.class_logits = class_head->forward(pooled);  // [N, C]
    if (twin_head) out.twin_logits = twin_head->forward(pooled);     // [N, C]
  }
  return out;
}

}  // namespace pokegan
