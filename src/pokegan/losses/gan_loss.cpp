#include "pokegan/losses/gan_loss.h"

#include <torch/autograd.h>
#include <torch/nn/functional/loss.h>

#include <functional>
#include <map>

#include "pokegan/common/error.h"
#include "pokegan/common/names.h"
#include "pokegan/common/labels.h"

namespace pokegan {

namespace F = torch::nn::functional;

torch::Tensor smoothed_targets(const torch::Tensor& like, double lo, double hi) {
  if (lo == hi) return torch::full_like(like, lo);
  return torch::rand_like(like) * (hi - lo) + lo;
}

torch::Tensor BceLoss::d_loss(const DOutput& real, const DOutput& fake, const torch::Tensor&, const torch::Tensor&) {
  const auto real_t = smoothed_targets(real.logits, opt_.real_min, opt_.real_max);
  const auto fake_t = smoothed_targets(fake.logits, opt_.fake_min, opt_.fake_max);
  return 0.5 * (F::binary_cross_entropy_with_logits(real.logits, real_t) +
                F::binary_cross_entropy_with_logits(fake.logits, fake_t));
}

torch::Tensor BceLoss::g_loss(const DOutput& fake, const torch::Tensor&) {
  return F::binary_cross_entropy_with_logits(fake.logits, torch::ones_like(fake.logits));
}

void AcganLoss::set_step(int64_t step, int64_t total) {
  const int64_t span = opt_.schedule_steps > 0 ? opt_.schedule_steps : std::max<int64_t>(total, 1);
  const double t = std::min(1.0, static_cast<double>(step) / static_cast<double>(span));
  ws_ = opt_.source_weight_start + t * (opt_.source_weight_end - opt_.source_weight_start);
  wc_ = opt_.class_weight_start + t * (opt_.class_weight_end - opt_.class_weight_start);
}

torch::Tensor AcganLoss::d_loss(const DOutput& real, const DOutput& fake, const torch::Tensor& labels,
                                const torch::Tensor& fake_labels) {
  if (!real.class_logits.defined() || !fake.class_logits.defined())
    throw Error("the acgan loss needs a discriminator with a class head (d.class_head=true)");
  const auto real_ce = class_cross_entropy(real.class_logits, labels);
  const auto classes =
      opt_.class_on_fakes ? 0.5 * (real_ce + class_cross_entropy(fake.class_logits, fake_labels)) : real_ce;
  return ws_ * BceLoss::d_loss(real, fake, labels, fake_labels) + wc_ * classes;
}

torch::Tensor AcganLoss::g_loss(const DOutput& fake, const torch::Tensor& labels) {
  if (!fake.class_logits.defined())
    throw Error("the acgan loss needs a discriminator with a class head (d.class_head=true)");
  return ws_ * BceLoss::g_loss(fake, labels) + wc_ * class_cross_entropy(fake.class_logits, labels);
}

torch::Tensor aegan_d_loss(GanLoss& loss, const DOutput& real, const DOutput& fake, const DOutput& rec,
                           const torch::Tensor& labels, const torch::Tensor& fake_labels) {
  return 0.5 * (loss.d_loss(real, fake, labels, fake_labels) + loss.d_loss(real, rec, labels, labels));
}

torch::Tensor aegan_dz_loss(GanLoss& latent, const DOutput& prior, const DOutput& enc, const DOutput& enc_fake) {
  return 0.5 * (latent.d_loss(prior, enc, {}, {}) + latent.d_loss(prior, enc_fake, {}, {}));
}

AeganGTerms aegan_g_loss(GanLoss& loss, GanLoss& latent, const DOutput& fake, const DOutput& rec,
                         const DOutput& enc, const DOutput& enc_fake, const torch::Tensor& x,
                         const torch::Tensor& recon, const torch::Tensor& z, const torch::Tensor& z_rec,
                         const torch::Tensor& labels, const torch::Tensor& fake_labels, double lambda_rx,
                         double lambda_rz) {
  AeganGTerms t;
  t.adversarial = loss.g_loss(fake, fake_labels) + loss.g_loss(rec, labels) + latent.g_loss(enc, {}) + latent.g_loss(enc_fake, {});
  t.rec_x = (recon - x).abs().mean();
  t.rec_z = (z_rec - z).abs().mean();
  t.total = t.adversarial + lambda_rx * t.rec_x + lambda_rz * t.rec_z;
  return t;
}

torch::Tensor HingeLoss::d_loss(const DOutput& real, const DOutput& fake, const torch::Tensor&, const torch::Tensor&) {
  return torch::relu(1 - real.logits).mean() + torch::relu(1 + fake.logits).mean();
}

torch::Tensor HingeLoss::g_loss(const DOutput& fake, const torch::Tensor&) { return -fake.logits.mean(); }

torch::Tensor r1_penalty(const torch::Tensor& logits, const torch::Tensor& x) {
  const auto grad = torch::autograd::grad({logits.sum()}, {x}, /*grad_outputs=*/{}, /*retain_graph=*/true,
                                          /*create_graph=*/true)[0];  // [N, ...]
  return grad.square().flatten(1).sum(1).mean();
}

torch::Tensor lecam_term(const torch::Tensor& real_logits, const torch::Tensor& fake_logits, double ema_real,
                         double ema_fake) {
  return torch::relu(real_logits - ema_fake).square().mean() + torch::relu(ema_real - fake_logits).square().mean();
}

torch::Tensor aux_class_term(const DOutput& out, const torch::Tensor& labels) {
  if (!out.class_logits.defined())
    throw Error("loss.aux_class_weight needs a discriminator with a class head (d.class_head=true)");
  return class_cross_entropy(out.class_logits, labels);
}

torch::Tensor aux_twin_term(const DOutput& out, const torch::Tensor& labels) {
  if (!out.twin_logits.defined())
    throw Error("loss.aux_twin_weight needs a discriminator with a twin class head (d.twin_class_head=true)");
  return class_cross_entropy(out.twin_logits, labels);
}

torch::Tensor mode_seeking_term(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& za,
                                const torch::Tensor& zb) {
  const auto ratio = (a - b).abs().mean() / (za - zb).abs().mean();
  return 1.0 / (ratio + 1e-5);
}

torch::Tensor silhouette(const torch::Tensor& images) {
  return (1.0 - std::get<0>(images.min(1, /*keepdim=*/true))) * 0.5;
}

namespace {
using LossFactory = std::function<std::unique_ptr<GanLoss>(const LossOptions&)>;
template <typename L>
LossFactory loss_factory() {
  return [](const LossOptions& o) -> std::unique_ptr<GanLoss> { return std::make_unique<L>(o); };
}
// The one list of adversarial losses.
const std::map<std::string, LossFactory>& loss_registry() {
  static const std::map<std::string, LossFactory> r = {
      {"bce", loss_factory<BceLoss>()}, {"acgan", loss_factory<AcganLoss>()}, {"hinge", loss_factory<HingeLoss>()}};
  return r;
}
}  // namespace

std::vector<std::string> loss_kinds() { return registry_names(loss_registry()); }

std::unique_ptr<GanLoss> make_loss(const LossOptions& opt) {
  const auto it = loss_registry().find(opt.kind);
  if (it == loss_registry().end()) throw unknown_name("loss", opt.kind, loss_kinds());
  return it->second(opt);
}

}  // namespace pokegan
