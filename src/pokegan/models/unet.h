// The study's class-conditioned U-Net generator (§2.2.3, Figure 3):
//   m = mapping(concat(z, embed(y)))                  [N, S]  then tiled into [N, 1, S, S]
//     (g.input_plane=grid: [N, (S/8)^2], an (S/8)x(S/8) map upsampled bilinearly to [N, 1, S, S])
//   x0 = conv 1x1 (1 -> base)                         [N, base, S, S]
//   contracting block i (S -> 1 after log2(S) blocks):
//     conv 3x3, BN, LeakyReLU 0.2, conv 3x3, BN, LeakyReLU 0.2, max-pool 2   (widths double, capped)
//     followed by class-only cAdaIN where i is in cadain_contract
//   bottleneck "hidden layer mapping network": h = mapping(concat(flatten(x_D), embed_h(y)))
//   expanding block j: upsample x2, conv 3x3, concat(skip), conv 3x3, BN, ReLU, conv 3x3, BN, ReLU
//     followed by class-only cAdaIN where j is in cadain_expand (empty = every block)
//   conv 1x1 -> tanh                                  [N, 3, S, S]
// Class-only cAdaIN: y = (1 + γ_c) · IN(x) + β_c with γ_c, β_c from the block's class embedding.
#pragma once
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>

#include "pokegan/models/layers.h"
#include "pokegan/models/networks.h"

namespace pokegan {

class UNetGeneratorImpl : public GeneratorImpl {
 public:
  UNetGeneratorImpl(const GeneratorOptions& opt, int image_size, int num_classes);
  torch::Tensor forward(const torch::Tensor& z, const torch::Tensor& labels) override;
  int64_t z_dim() const override { return opt_.z_dim; }

 private:
  GeneratorOptions opt_;
  int size_, num_classes_;
  torch::nn::Embedding embed_{nullptr}, hidden_embed_{nullptr};
  MappingNetwork mapping_{nullptr}, hidden_mapping_{nullptr};
  MappingNetwork style_mapping_{nullptr};  // z_inject = style: w = mapping(z, class) for every expanding AdaIN
  torch::nn::Conv2d upfeature_{nullptr}, downfeature_{nullptr};
  std::vector<torch::nn::Sequential> contract_, expand_;
  std::vector<torch::nn::Conv2d> expand_in_;  // the conv right after each upsample
  std::vector<ConditionalAdaIN> contract_adain_, expand_adain_;  // null where a block has none
};

}  // namespace pokegan
