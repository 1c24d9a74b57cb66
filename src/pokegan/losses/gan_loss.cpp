#include "pokegan/losses/gan_loss.h"

#include <torch/nn/functional/loss.h>

#include "pokegan/common/error.h"

namespace pokegan {

namespace F = torch::nn::functional;

torch::Tensor smoothed_targets(const torch::Tensor& like, double lo, double hi) {
  if (lo == hi) return torch::full_like(like, lo);
  return torch::rand_like(like) * (hi - lo) + lo;
}

torch::Tensor BceLoss::d_loss(const DOutput& real, const DOutput& fake, const torch::Tensor&) {
  const auto real_t = smoothed_targets(real.logits, opt_.real_min, opt_.real_max);
  const auto fake_t = smoothed_targets(fake.logits, opt_.fake_min, opt_.fake_max);
  return 0.5 * (F::binary_cross_entropy_with_logits(real.logits, real_t) +
                F::binary_cross_entropy_with_logits(fake.logits, fake_t));
}

torch::Tensor BceLoss::g_loss(const DOutput& fake, const torch::Tensor&) {
  return F::binary_cross_entropy_with_logits(fake.logits, torch::ones_like(fake.logits));
}

std::unique_ptr<GanLoss> make_loss(const LossOptions& opt) {
  if (opt.kind == "bce") return std::make_unique<BceLoss>(opt);
  throw Error("unknown loss '" + opt.kind + "' (valid: bce)");
}

}  // namespace pokegan
