#include "pokegan/models/mlp.h"
#include "pokegan/common/labels.h"

#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/dropout.h>

#include "pokegan/common/error.h"

namespace pokegan {

namespace nn = torch::nn;

namespace {
nn::LeakyReLU lrelu() { return nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.2)); }
}  // namespace

MLPGeneratorImpl::MLPGeneratorImpl(const GeneratorOptions& opt, int image_size, int num_classes)
    : opt_(opt), size_(image_size), num_classes_(opt.conditional ? num_classes : 0) {
  stages_for(image_size);
  const int h = opt.base_channels;
  net_ = register_module("net", nn::Sequential(nn::Linear(opt.z_dim + num_classes_, 4 * h), lrelu(),
                                               nn::Linear(4 * h, 8 * h), nn::BatchNorm1d(8 * h), lrelu(),
                                               nn::Linear(8 * h, 16 * h), nn::BatchNorm1d(16 * h), lrelu(),
                                               nn::Linear(16 * h, 3 * image_size * image_size), nn::Tanh()));
}

torch::Tensor MLPGeneratorImpl::forward(const torch::Tensor& z, const torch::Tensor& labels) {
  torch::Tensor x = z;
  if (num_classes_ > 0) x = torch::cat({z, class_weights(labels, num_classes_, z.scalar_type())}, 1);
  return net_->forward(x).view({z.size(0), 3, size_, size_});
}

MLPDiscriminatorImpl::MLPDiscriminatorImpl(const DiscriminatorOptions& opt, int image_size, int num_classes)
    : num_classes_(opt.conditional ? num_classes : 0) {
  stages_for(image_size);
  const int h = opt.base_channels;
  body_ = nn::Sequential(nn::Linear(3 * image_size * image_size + num_classes_, 16 * h), lrelu());
  if (opt.dropout > 0) body_->push_back(nn::Dropout(opt.dropout));
  body_->push_back(nn::Linear(16 * h, 8 * h));
  body_->push_back(lrelu());
  if (opt.dropout > 0) body_->push_back(nn::Dropout(opt.dropout));
  body_->push_back(nn::Linear(8 * h, 4 * h));
  body_->push_back(lrelu());
  register_module("body", body_);
  out_ = register_module("out", nn::Linear(4 * h, 1));
  if (opt.class_head) class_head_ = register_module("class_head", nn::Linear(4 * h, num_classes));
}

DOutput MLPDiscriminatorImpl::forward(const torch::Tensor& images, const torch::Tensor& labels) {
  torch::Tensor x = images.flatten(1);  // [N, 3 S S]
  if (num_classes_ > 0) x = torch::cat({x, class_weights(labels, num_classes_, x.scalar_type())}, 1);
  const auto h = body_->forward(x);
  DOutput out{out_->forward(h).view({-1}), {}};
  if (class_head_) out.class_logits = class_head_->forward(h);
  return out;
}

}  // namespace pokegan
