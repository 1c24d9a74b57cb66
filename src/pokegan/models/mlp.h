// Seed 004's fully connected GAN, optionally class-conditional (one-hot class with the input).
//   G: [z ; one_hot(y)] -> 4h -> 8h -> 16h (LeakyReLU 0.2, BatchNorm after the first) -> 3 S S, tanh
//   D: [flatten(x) ; one_hot(y)] -> 16h -> 8h -> 4h (LeakyReLU 0.2, dropout) -> 1
// with h = base_channels.
#pragma once
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>

#include "pokegan/models/networks.h"

namespace pokegan {

class MLPGeneratorImpl : public GeneratorImpl {
 public:
  MLPGeneratorImpl(const GeneratorOptions& opt, int image_size, int num_classes);
  torch::Tensor forward(const torch::Tensor& z, const torch::Tensor& labels) override;
  int64_t z_dim() const override { return opt_.z_dim; }

 private:
  GeneratorOptions opt_;
  int size_, num_classes_;
  torch::nn::Sequential net_{nullptr};
};

class MLPDiscriminatorImpl : public DiscriminatorImpl {
 public:
  MLPDiscriminatorImpl(const DiscriminatorOptions& opt, int image_size, int num_classes);
  DOutput forward(const torch::Tensor& images, const torch::Tensor& labels) override;

 private:
  int num_classes_;
  torch::nn::Sequential body_{nullptr};
  torch::nn::Linear out_{nullptr}, class_head_{nullptr};
};

}  // namespace pokegan
