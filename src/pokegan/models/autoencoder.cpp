#include "pokegan/models/autoencoder.h"

#include <torch/nn/modules/activation.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/conv.h>

namespace pokegan {

namespace nn = torch::nn;

EncoderImpl::EncoderImpl(int image_size, int base, int z_dim) {
  const int stages = stages_for(image_size);
  convs_ = nn::Sequential();
  int in = 3;
  for (int i = 0; i < stages; ++i) {  // S -> 4
    const int out = base << i;
    convs_->push_back(nn::Conv2d(nn::Conv2dOptions(in, out, 4).stride(2).padding(1).bias(false)));
    convs_->push_back(nn::BatchNorm2d(out));
    convs_->push_back(nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.2)));
    in = out;
  }
  register_module("convs", convs_);
  out_ = register_module("out", nn::Linear(in * 16, z_dim));
  dcgan_init(*this);
}

torch::Tensor EncoderImpl::forward(const torch::Tensor& images) {
  return out_->forward(convs_->forward(images).flatten(1));  // [N, z_dim]
}

LatentDiscriminatorImpl::LatentDiscriminatorImpl(int z_dim, int hidden) {
  net_ = register_module("net", nn::Sequential(nn::Linear(z_dim, hidden), nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.2)),
                                               nn::Linear(hidden, hidden), nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.2)),
                                               nn::Linear(hidden, 1)));
}

DOutput LatentDiscriminatorImpl::forward(const torch::Tensor& z) { return {net_->forward(z).view({-1}), {}}; }

}  // namespace pokegan
