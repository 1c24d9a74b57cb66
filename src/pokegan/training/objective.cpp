#include "pokegan/training/objective.h"

#include <algorithm>

#include "pokegan/common/device.h"
#include "pokegan/common/error.h"
#include "pokegan/data/augment.h"
#include "pokegan/common/labels.h"

namespace pokegan {

namespace {
// A discriminator's outputs as float32 (they are bfloat16 under amp=bf16); a no-op otherwise.
DOutput float32_outputs(DOutput o) {
  o.logits = o.logits.to(torch::kFloat32);
  if (o.class_logits.defined()) o.class_logits = o.class_logits.to(torch::kFloat32);
  if (o.twin_logits.defined()) o.twin_logits = o.twin_logits.to(torch::kFloat32);
  return o;
}
double mean_sigmoid(const torch::Tensor& logits) { return torch::sigmoid(logits.detach()).mean().item<double>(); }
}  // namespace

Objective::Objective(ObjectiveOptions opt, ObjectiveNets nets, c10::Device device)
    : opt_(std::move(opt)), nets_(nets), device_(device) {
  if (!nets_.g || !nets_.d) throw Error("the objective needs a generator and a discriminator");
  if ((nets_.e == nullptr) != (nets_.dz == nullptr)) throw Error("the AE-GAN objective needs both E and D_z");
  if (opt_.loss.r1_every < 1) throw Error("loss.r1_every must be >= 1");
  if (ada_on()) {
    check_ada_policy(opt_.augment.ada_policy);
    if (opt_.augment.ada_kimg <= 0 || opt_.augment.ada_interval < 1)
      throw Error("augment.ada_kimg must be > 0 and augment.ada_interval >= 1");
  }
  loss_ = make_loss(opt_.loss);
  if (nets_.e) {
    LossOptions latent = opt_.loss;
    latent.kind = "bce";  // D_z has no class head
    latent_loss_ = make_loss(latent);
  }
}

torch::Tensor Objective::G(const torch::Tensor& z, const torch::Tensor& y) {
  AutocastGuard autocast(device_, opt_.amp);
  return nets_.g->forward(z, y).to(torch::kFloat32);
}

torch::Tensor Objective::E(const torch::Tensor& x) {
  AutocastGuard autocast(device_, opt_.amp);
  return nets_.e->forward(x).to(torch::kFloat32);
}

DOutput Objective::D(const torch::Tensor& x, const torch::Tensor& y) {
  const auto& policy = opt_.augment.diffaug;
  const auto blitted = ada_on() ? ada_augment(x, opt_.augment.ada_policy, ada_p_) : x;
  const auto seen = policy.empty() ? blitted : diff_augment(blitted, policy);
  AutocastGuard autocast(device_, opt_.amp);
  return float32_outputs(nets_.d->forward(seen, y));
}

DOutput Objective::Dz(const torch::Tensor& z) {
  AutocastGuard autocast(device_, opt_.amp);
  return float32_outputs(nets_.dz->forward(z));
}

void Objective::begin(int64_t step, int64_t total, const torch::Tensor& real, const torch::Tensor& labels,
                      const torch::Tensor& z) {
  step_ = step;
  loss_->set_step(step, total);
  if (opt_.d_noise_std_end >= 0) {  // linear anneal of D's input noise over the run
    const double t = std::min(1.0, static_cast<double>(step) / static_cast<double>(std::max<int64_t>(total, 1)));
    nets_.d->set_noise_std(opt_.d_noise_std + t * (opt_.d_noise_std_end - opt_.d_noise_std));
  }
  real_ = real, labels_ = labels, z_ = z;
  fake_labels_ = labels;
  const int64_t half = labels.size(0) / 2;
  if (opt_.loss.mode_seeking > 0 && half > 0)  // pairs (i, i + half) share a class
    fake_labels_ = torch::cat({labels.narrow(0, 0, half), labels.narrow(0, 0, half), labels.narrow(0, 2 * half, labels.size(0) - 2 * half)});
  fake_ = G(z, fake_labels_);  // [B, 3, S, S], reused by every phase
  if (nets_.e) {  // E(x), its reconstruction G(E(x)) and E(G(z)), each computed once
    z_enc_ = E(real);               // [B, z]
    recon_ = G(z_enc_, labels);     // [B, 3, S, S]
    z_rec_ = E(fake_);              // [B, z]
  }
}

PhaseStats Objective::accumulate(Phase phase) {
  if (!fake_.defined()) throw Error("Objective::accumulate before begin");
  switch (phase) {
    case Phase::D: return d_phase();
    case Phase::Dz: return dz_phase();
    case Phase::G: return g_phase();
  }
  throw Error("unknown phase");
}

PhaseStats Objective::d_phase() {
  PhaseStats s;
  // Lazy R1: on every r1_every-th step the real batch enters with requires_grad, and the penalty,
  // weighted by gamma/2 * r1_every, is taken from the same forward.
  const bool r1 = opt_.loss.r1_gamma > 0 && step_ % opt_.loss.r1_every == 0;
  const auto real = r1 ? real_.detach().requires_grad_(true) : real_;
  const DOutput d_real = D(real, labels_);
  const DOutput d_fake = D(fake_.detach(), fake_labels_);
  torch::Tensor loss = nets_.e ? aegan_d_loss(*loss_, d_real, d_fake, D(recon_.detach(), labels_), labels_, fake_labels_)
                               : loss_->d_loss(d_real, d_fake, labels_, fake_labels_);
  s.loss = loss.item<double>();
  if (r1) {
    const auto penalty = r1_penalty(d_real.logits, real);
    loss = loss + (opt_.loss.r1_gamma / 2 * opt_.loss.r1_every) * penalty;
    s.extra["r1"] = penalty.item<double>();
  }
  if (aux_class_on()) {  // the class head learns on real images only
    const auto term = aux_class_term(d_real, labels_);
    loss = loss + opt_.loss.aux_class_weight * term;
    s.extra["aux_class"] = term.item<double>();
  }
  if (aux_twin_on()) {  // the twin head learns on generated images only
    const auto term = aux_twin_term(d_fake, fake_labels_);
    loss = loss + opt_.loss.aux_twin_weight * term;
    s.extra["aux_twin"] = term.item<double>();
  }
  if (opt_.loss.lecam_weight > 0) {
    const double r = d_real.logits.detach().mean().item<double>(), f = d_fake.logits.detach().mean().item<double>();
    if (sharded_) {
      s.extra["lecam_mean_real"] = r, s.extra["lecam_mean_fake"] = f;
    } else {
      update_lecam(r, f);
    }
    const auto term = lecam_term(d_real.logits, d_fake.logits, lecam_real_, lecam_fake_);
    loss = loss + opt_.loss.lecam_weight * term;
    s.extra["lecam"] = term.item<double>();
  }
  // E[sign(D(real))], ADA's overfitting heuristic r_t, logged for every run.
  const double sign_sum = d_real.logits.detach().sign().sum().item<double>();
  const auto count = static_cast<double>(d_real.logits.numel());
  s.extra["d_real_sign"] = sign_sum / count;
  if (ada_on()) {
    s.extra["ada_p"] = ada_p_;  // the p this step's D phase saw
    if (sharded_) {
      s.extra["ada_sign_sum"] = sign_sum, s.extra["ada_count"] = count;
    } else {
      update_ada(sign_sum, count);
    }
  }
  loss.backward();
  s.extra["d_real"] = mean_sigmoid(d_real.logits);
  s.extra["d_fake"] = mean_sigmoid(d_fake.logits);
  if (d_real.class_logits.defined())
    s.extra["d_class_acc"] = class_hits(d_real.class_logits, labels_).to(torch::kFloat32).mean().item<double>();
  if (d_fake.twin_logits.defined())
    s.extra["d_twin_acc"] = class_hits(d_fake.twin_logits, fake_labels_).to(torch::kFloat32).mean().item<double>();
  return s;
}

PhaseStats Objective::dz_phase() {
  if (!nets_.e) throw Error("the D_z phase needs the AE-GAN's encoder (ae.enabled=true)");
  const auto loss = aegan_dz_loss(*latent_loss_, Dz(z_), Dz(z_enc_.detach()), Dz(z_rec_.detach()));
  loss.backward();
  PhaseStats s;
  s.loss = loss.item<double>();
  return s;
}

PhaseStats Objective::g_phase() {
  PhaseStats s;
  const DOutput d_fake = D(fake_, fake_labels_);
  torch::Tensor loss;
  if (nets_.e) {
    const auto t = aegan_g_loss(*loss_, *latent_loss_, d_fake, D(recon_, labels_), Dz(z_enc_), Dz(z_rec_), real_, recon_,
                                z_, z_rec_, labels_, fake_labels_, opt_.lambda_rx, opt_.lambda_rz);
    loss = t.total;
    s.extra["rec_x"] = t.rec_x.item<double>();
    s.extra["rec_z"] = t.rec_z.item<double>();
  } else {
    loss = loss_->g_loss(d_fake, fake_labels_);
  }
  s.loss = loss.item<double>();
  if (aux_class_on()) {
    const auto term = aux_class_term(d_fake, fake_labels_);
    loss = loss + opt_.loss.aux_class_weight * term;
    s.extra["aux_class_g"] = term.item<double>();
  }
  if (aux_twin_on()) {  // G makes its fakes hard for the twin to label: the class term's bias cancelled
    const auto term = aux_twin_term(d_fake, fake_labels_);
    loss = loss - opt_.loss.aux_twin_weight * term;
    s.extra["aux_twin_g"] = term.item<double>();
  }
  const int64_t half = z_.size(0) / 2;
  if (opt_.loss.mode_seeking > 0 && half > 0) {
    const auto seen = opt_.loss.mode_seeking_space == "silhouette" ? silhouette(fake_) : fake_;
    const auto term = mode_seeking_term(seen.narrow(0, 0, half), seen.narrow(0, half, half), z_.narrow(0, 0, half),
                                        z_.narrow(0, half, half));
    loss = loss + opt_.loss.mode_seeking * term;
    s.extra["mode_seeking"] = term.item<double>();
  }
  loss.backward();
  return s;
}

void Objective::update_lecam(double real_mean, double fake_mean) {
  const double decay = lecam_n_ == 0 ? 0.0 : opt_.loss.lecam_decay;
  lecam_real_ = decay * lecam_real_ + (1 - decay) * real_mean;
  lecam_fake_ = decay * lecam_fake_ + (1 - decay) * fake_mean;
  ++lecam_n_;
}

void Objective::update_ada(double sign_sum, double count) {
  ada_sign_sum_ += sign_sum, ada_count_ += count;
  if (++ada_steps_ < opt_.augment.ada_interval) return;
  const double r_t = ada_count_ > 0 ? ada_sign_sum_ / ada_count_ : 0.0;
  const double dir = r_t > opt_.augment.ada_target ? 1.0 : (r_t < opt_.augment.ada_target ? -1.0 : 0.0);
  ada_p_ = std::clamp(ada_p_ + dir * ada_count_ / (opt_.augment.ada_kimg * 1000), 0.0, 1.0);
  ada_sign_sum_ = 0, ada_count_ = 0, ada_steps_ = 0;
}

void Objective::swap_step(StepState& s) {
  std::swap(real_, s.real), std::swap(labels_, s.labels), std::swap(fake_labels_, s.fake_labels);
  std::swap(z_, s.z), std::swap(fake_, s.fake), std::swap(z_enc_, s.z_enc), std::swap(recon_, s.recon);
  std::swap(z_rec_, s.z_rec);
}

std::map<std::string, torch::Tensor> Objective::state() const {
  std::map<std::string, torch::Tensor> s;
  if (opt_.loss.lecam_weight > 0) {
    s["lecam_real"] = torch::tensor({lecam_real_}, torch::kFloat64);
    s["lecam_fake"] = torch::tensor({lecam_fake_}, torch::kFloat64);
    s["lecam_n"] = torch::tensor({lecam_n_}, torch::kInt64);
  }
  if (ada_on()) {
    s["ada_p"] = torch::tensor({ada_p_}, torch::kFloat64);
    s["ada_sign_sum"] = torch::tensor({ada_sign_sum_}, torch::kFloat64);
    s["ada_count"] = torch::tensor({ada_count_}, torch::kFloat64);
    s["ada_steps"] = torch::tensor({ada_steps_}, torch::kInt64);
  }
  return s;
}

void Objective::load_state(const std::map<std::string, torch::Tensor>& s) {
  auto get = [&](const char* k) -> const torch::Tensor& {
    const auto it = s.find(k);
    if (it == s.end()) throw Error(std::string("checkpoint lacks the objective's state '") + k + "'");
    return it->second;
  };
  if (opt_.loss.lecam_weight > 0) {
    lecam_real_ = get("lecam_real").item<double>();
    lecam_fake_ = get("lecam_fake").item<double>();
    lecam_n_ = get("lecam_n").item<int64_t>();
  }
  if (ada_on()) {
    ada_p_ = get("ada_p").item<double>();
    ada_sign_sum_ = get("ada_sign_sum").item<double>();
    ada_count_ = get("ada_count").item<double>();
    ada_steps_ = get("ada_steps").item<int64_t>();
  }
}

}  // namespace pokegan
