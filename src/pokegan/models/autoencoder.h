// The autoencoding GAN's extra parts (Lazarou 2020; the study's §2.4 and appendix 3.3):
//   Encoder E: image -> z. DCGAN-style conv stack (conv 4x4 stride 2, BN, LeakyReLU 0.2) down to
//              4x4, then a linear layer to z_dim. Unbounded output: it is matched to the N(0, I) prior.
//   LatentDiscriminator D_z: z -> logit, an MLP (z -> h -> h -> 1, LeakyReLU 0.2); it tells prior
//              samples z from encodings E(x) and E(G(z)).
#pragma once
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/linear.h>

#include "pokegan/models/networks.h"

namespace pokegan {

class EncoderImpl : public torch::nn::Module {
 public:
  EncoderImpl(int image_size, int base_channels, int z_dim);
  torch::Tensor forward(const torch::Tensor& images);  // [N, 3, S, S] -> [N, z_dim]

 private:
  torch::nn::Sequential convs_{nullptr};
  torch::nn::Linear out_{nullptr};
};
TORCH_MODULE(Encoder);

class LatentDiscriminatorImpl : public torch::nn::Module {
 public:
  LatentDiscriminatorImpl(int z_dim, int hidden);
  DOutput forward(const torch::Tensor& z);  // logits [N]

 private:
  torch::nn::Sequential net_{nullptr};
};
TORCH_MODULE(LatentDiscriminator);

}  // namespace pokegan
