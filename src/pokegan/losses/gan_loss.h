// GAN losses as small objects on logits, so a loss pairs with any G/D (networks.h).
//   d_loss(real, fake, labels): what D minimises, given D's outputs on a real and a fake batch
//   g_loss(fake, labels):       what G minimises, given D's output on its fakes
// BceLoss is the study's baseline loss with label smoothing: D's targets are drawn per sample from
// U(real_min, real_max) and U(fake_min, fake_max); G's target is 1. The D loss is the mean of the
// real and fake terms, as in the study's code.
#pragma once
#include <memory>

#include "pokegan/models/networks.h"
#include "pokegan/training/config.h"

namespace pokegan {

class GanLoss {
 public:
  virtual ~GanLoss() = default;
  virtual torch::Tensor d_loss(const DOutput& real, const DOutput& fake, const torch::Tensor& labels) = 0;
  virtual torch::Tensor g_loss(const DOutput& fake, const torch::Tensor& labels) = 0;
};

class BceLoss : public GanLoss {
 public:
  explicit BceLoss(const LossOptions& opt) : opt_(opt) {}
  torch::Tensor d_loss(const DOutput& real, const DOutput& fake, const torch::Tensor& labels) override;
  torch::Tensor g_loss(const DOutput& fake, const torch::Tensor& labels) override;

 private:
  LossOptions opt_;
};

// Uniform targets in [lo, hi] shaped like `like` (no random draw when lo == hi).
torch::Tensor smoothed_targets(const torch::Tensor& like, double lo, double hi);

std::unique_ptr<GanLoss> make_loss(const LossOptions& opt);

}  // namespace pokegan
