// DCGAN generator and discriminator (Radford et al. 2016), class-conditional as in the study's
// baseline (§2.2.1), or unconditional (seed 004). Depth follows the image size: S = 4 * 2^stages.
//
// G: [z ; one_hot(y)] -> ConvT 4x4 (1->4) -> stages x ConvT 4x4 stride 2 -> tanh.  At S=64 that is
//    five ConvTranspose blocks: 512@4 -> 256@8 -> 128@16 -> 64@32 -> 3@64 (base 64), BN + ReLU
//    between them. Options: g.upsample=resize doubles by nearest x2 + 3x3 conv instead (no
//    checkerboard); g.class_norm=cbn makes every BatchNorm class-conditional (type reaches every block).
// D: [x ; tile(embed(y))] (4 channels) -> stages x Conv 4x4 stride 2 (BN, LeakyReLU 0.2) ->
//    Conv 4x4 (4->1). At S=64 five conv blocks: 64@32 -> 128@16 -> 256@8 -> 512@4 -> 1@1.
//    The 16-dim class embedding is repeated along each image row (64 = 4 x 16) and down all rows.
#pragma once
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/embedding.h>
#include <torch/nn/modules/linear.h>

#include "pokegan/models/layers.h"
#include "pokegan/models/networks.h"

namespace pokegan {

class DCGANGeneratorImpl : public GeneratorImpl {
 public:
  DCGANGeneratorImpl(const GeneratorOptions& opt, int image_size, int num_classes);
  torch::Tensor forward(const torch::Tensor& z, const torch::Tensor& labels) override;
  int64_t z_dim() const override { return opt_.z_dim; }

 private:
  GeneratorOptions opt_;
  int num_classes_;
  torch::nn::Sequential net_{nullptr};
  torch::nn::Embedding class_embed_{nullptr};  // class_norm = cbn: the condition of every cBN
};

class DCGANDiscriminatorImpl : public DiscriminatorImpl {
 public:
  DCGANDiscriminatorImpl(const DiscriminatorOptions& opt, int image_size, int num_classes);
  DOutput forward(const torch::Tensor& images, const torch::Tensor& labels) override;

 private:
  DiscriminatorOptions opt_;
  int image_size_;
  torch::nn::Embedding embed_{nullptr};
  torch::nn::Sequential net_{nullptr};
  torch::nn::Conv2d final_{nullptr};
  torch::nn::Linear class_head_{nullptr};  // AC-GAN: on the pooled 4x4 features
};

}  // namespace pokegan
