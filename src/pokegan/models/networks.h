// The one contract every network keeps, so that any generator pairs with any discriminator and any
// loss:
//   G.forward(z [N, z_dim], labels [N] int64)  -> images [N, 3, S, S] in [-1, 1]
//   D.forward(images [N, 3, S, S], labels [N]) -> DOutput{logits [N] (or [N, P], one per patch),
//                                                        class_logits [N, C] or undefined,
//                                                        twin_logits [N, C] or undefined}
// Unconditional networks ignore the labels. make_generator/make_discriminator build a network from
// its options by `arch` name.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include <torch/nn/module.h>
#include <torch/types.h>

#include "pokegan/models/options.h"

namespace pokegan {

struct DOutput {
  torch::Tensor logits;        // [N] real/fake logit, or [N, P] one per patch (losses average them)
  torch::Tensor class_logits;  // [N, C] where D has a class head, else undefined
  torch::Tensor twin_logits;   // [N, C] where D has TAC-GAN's twin class head (d.twin_class_head), else undefined
};

class GeneratorImpl : public torch::nn::Module {
 public:
  virtual torch::Tensor forward(const torch::Tensor& z, const torch::Tensor& labels) = 0;
  virtual int64_t z_dim() const = 0;
};

class DiscriminatorImpl : public torch::nn::Module {
 public:
  virtual DOutput forward(const torch::Tensor& images, const torch::Tensor& labels) = 0;
  // Std of the Gaussian input noise for discriminators that have it (the trainer anneals it).
  virtual void set_noise_std(double) {}
};

using Generator = std::shared_ptr<GeneratorImpl>;
using Discriminator = std::shared_ptr<DiscriminatorImpl>;

// The registered architectures, sorted (the "valid:" lists of errors come from here).
std::vector<std::string> generator_archs();
std::vector<std::string> discriminator_archs();

// Throw Error for an unknown arch or an unsupported image size (listing the valid ones).
Generator make_generator(const GeneratorOptions& opt, int image_size, int num_classes);
Discriminator make_discriminator(const DiscriminatorOptions& opt, int image_size, int num_classes);

// log2(size) - 2 upsampling stages from 4x4; throws Error unless size is a power of two in [16, 256].
int stages_for(int image_size);

int64_t count_parameters(const torch::nn::Module& m);

// DCGAN initialisation (Radford et al.): conv weights N(0, 0.02), BatchNorm weight N(1, 0.02), biases 0.
void dcgan_init(torch::nn::Module& m);

// Stores every 4-D parameter channels-last. The DCGAN discriminator does this: its oneDNN
// convolutions then run in channels-last (measured +13% on the cdcgan step; StyleGAN got slower,
// so it is not applied there; docs/performance.md). Values, names and checkpoints are unchanged.
void use_channels_last(torch::nn::Module& m);

}  // namespace pokegan
