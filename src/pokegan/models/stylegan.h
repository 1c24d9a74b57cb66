// The study's class-conditioned StyleGAN generator (§2.2.2), a small StyleGAN (Karras et al. 2019):
//   w = mapping(concat(z, embed(y)))                         [N, w_dim]
//   x = learned constant                                     [N, C, 4, 4]
//   block 0 at 4x4, then one block per doubling up to S:
//     (upsample x2 bilinear) -> conv 3x3 -> inject noise -> LeakyReLU 0.2 -> cAdaIN(x, w, y; λ_c[i])
//   to_rgb: conv 1x1 -> tanh                                 [N, 3, S, S]
// Every block has its own class embedding in its cAdaIN; λ_c rises with depth so that early blocks
// learn general shape and colour and later blocks class-specific features.
#pragma once
#include <torch/nn/modules/container/modulelist.h>
#include <torch/nn/modules/conv.h>

#include "pokegan/models/layers.h"
#include "pokegan/models/networks.h"

namespace pokegan {

class StyleGANGeneratorImpl : public GeneratorImpl {
 public:
  StyleGANGeneratorImpl(const GeneratorOptions& opt, int image_size, int num_classes);
  torch::Tensor forward(const torch::Tensor& z, const torch::Tensor& labels) override;
  int64_t z_dim() const override { return opt_.z_dim; }
  // λ_c of each block, as configured (block 0 first).
  std::vector<double> lambdas() const;

 private:
  GeneratorOptions opt_;
  int num_classes_;
  torch::nn::Embedding embed_{nullptr};
  MappingNetwork mapping_{nullptr};
  torch::Tensor constant_;
  std::vector<torch::nn::Conv2d> convs_;
  std::vector<InjectNoise> noises_;
  std::vector<ConditionalAdaIN> adains_;
  torch::nn::Conv2d to_rgb_{nullptr};
};

}  // namespace pokegan
