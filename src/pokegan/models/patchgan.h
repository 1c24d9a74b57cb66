// PatchGAN discriminators (Isola et al. 2017) as the study used them (§2.2.4, §2.5.2):
//   [x ; class channel] -> conv 1x1 (-> base) -> 4 contracting blocks
//     ([noise] conv 3x3, BN (not in the first block), LeakyReLU 0.2, [noise] conv 3x3, BN,
//      LeakyReLU 0.2, max-pool 2)  -> conv 1x1 -> one logit per patch: [N, (S/16)^2]
// Gaussian noise with std `noise_std` is added before every conv in training; the trainer anneals
// it when `noise_std_end` >= 0.
//
// "patchgan":   class information enters as in the baseline, a tiled class-embedding channel.
// "projection": the flattened patch logits φ [N, P] give  Linear(φ) + <φ, embed(y)>  (Miyato &
//               Koyama 2018), one logit per image; the class enters only through the projection.
// With class_head, a linear classifier on the globally pooled last features gives class logits
// (AC-GAN); with twin_class_head, a second one on the same features gives TAC-GAN's twin logits,
// which learn the labels of generated images (loss.aux_twin_weight).
#pragma once
#include <torch/nn/modules/container/sequential.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>

#include "pokegan/models/layers.h"
#include "pokegan/models/networks.h"

namespace pokegan {

class PatchGANDiscriminatorImpl : public DiscriminatorImpl {
 public:
  PatchGANDiscriminatorImpl(const DiscriminatorOptions& opt, int image_size, int num_classes);
  DOutput forward(const torch::Tensor& images, const torch::Tensor& labels) override;
  void set_noise_std(double std) override;
  // φ: the flattened patch logits before any projection, [N, P].
  torch::Tensor patch_logits(const torch::Tensor& images, const torch::Tensor& labels, torch::Tensor* features = nullptr);

  torch::nn::Embedding class_channel{nullptr}, projection{nullptr};
  torch::nn::Linear linear{nullptr}, class_head{nullptr}, twin_head{nullptr};

 private:
  DiscriminatorOptions opt_;
  int size_;
  torch::nn::Conv2d upfeature_{nullptr}, final_{nullptr};
  std::vector<torch::nn::Sequential> blocks_;
  std::vector<GaussianNoise> noises_;
};

}  // namespace pokegan
