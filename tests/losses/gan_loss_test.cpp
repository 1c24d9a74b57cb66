#include "pokegan/losses/gan_loss.h"

#include <gtest/gtest.h>

#include <cmath>

#include "pokegan/common/error.h"

namespace pokegan {

namespace {
double softplus(double x) { return std::log1p(std::exp(x)); }
}  // namespace

TEST(BceLoss, MatchesHandComputedValuesWithFixedTargets) {
  LossOptions o;
  o.real_min = o.real_max = 0.9;
  o.fake_min = o.fake_max = 0.0;
  BceLoss loss(o);
  const DOutput real{torch::tensor({2.0, -1.0}, torch::kFloat64), {}};
  const DOutput fake{torch::tensor({0.5}, torch::kFloat64), {}};
  // BCE(x, t) = softplus(x) - t * x
  const double real_term = ((softplus(2.0) - 0.9 * 2.0) + (softplus(-1.0) + 0.9 * 1.0)) / 2;
  const double fake_term = softplus(0.5);
  EXPECT_NEAR(loss.d_loss(real, fake, {}, {}).item<double>(), 0.5 * (real_term + fake_term), 1e-12);
  EXPECT_NEAR(loss.g_loss(fake, {}).item<double>(), softplus(0.5) - 0.5, 1e-12);
}

TEST(BceLoss, SmoothedTargetsStayInTheirRanges) {
  const auto t = smoothed_targets(torch::zeros({10000}), 0.9, 1.0);
  EXPECT_GE(t.min().item<float>(), 0.9f);
  EXPECT_LE(t.max().item<float>(), 1.0f);
  EXPECT_NEAR(t.mean().item<float>(), 0.95f, 0.01f);
}

}  // namespace pokegan

namespace pokegan {

TEST(AcganLoss, TermsAndScheduleMatchHandComputedValues) {
  LossOptions o;
  o.kind = "acgan";
  o.real_min = o.real_max = 1.0;
  o.fake_min = o.fake_max = 0.0;
  o.source_weight_start = 1.0, o.source_weight_end = 0.5;
  o.class_weight_start = 0.5, o.class_weight_end = 1.0;
  AcganLoss loss(o);
  loss.set_step(50, 100);  // halfway: w_s = 0.75, w_c = 0.75
  EXPECT_DOUBLE_EQ(loss.source_weight(), 0.75);
  EXPECT_DOUBLE_EQ(loss.class_weight(), 0.75);
  const auto labels = torch::tensor({1}, torch::kInt64);
  const DOutput real{torch::tensor({1.0}, torch::kFloat64), torch::tensor({{0.0, 2.0}}, torch::kFloat64)};
  const DOutput fake{torch::tensor({-1.0}, torch::kFloat64), torch::tensor({{1.0, 1.0}}, torch::kFloat64)};
  // CE(real) = log(1 + e^-2), CE(fake) = log 2; source BCE: softplus(-1) for both terms.
  const double ce_real = std::log1p(std::exp(-2.0)), ce_fake = std::log(2.0), bce = std::log1p(std::exp(-1.0));
  EXPECT_NEAR(loss.d_loss(real, fake, labels, labels).item<double>(), 0.75 * bce + 0.75 * 0.5 * (ce_real + ce_fake), 1e-12);
  // The fake batch's own labels (mode seeking draws fakes for other classes than the real batch's):
  // the fake class term scores them, the real one keeps the real labels.
  const DOutput fake2{torch::tensor({-1.0}, torch::kFloat64), torch::tensor({{3.0, 0.0}}, torch::kFloat64)};
  const auto fake_labels = torch::tensor({0}, torch::kInt64);
  const double ce_fake2 = std::log1p(std::exp(-3.0));  // class 0 at logits (3, 0)
  EXPECT_NEAR(loss.d_loss(real, fake2, labels, fake_labels).item<double>(),
              0.75 * bce + 0.75 * 0.5 * (ce_real + ce_fake2), 1e-12);
  EXPECT_NEAR(loss.d_loss(real, fake2, labels, labels).item<double>(),
              0.75 * bce + 0.75 * 0.5 * (ce_real + std::log1p(std::exp(3.0))), 1e-12);
  // G: fool the source head (target 1 on the fake: softplus(1)) and satisfy the class head.
  EXPECT_NEAR(loss.g_loss(fake, labels).item<double>(), 0.75 * std::log1p(std::exp(1.0)) + 0.75 * ce_fake, 1e-12);
  // D's class term on real images only (loss.class_on_fakes=false): the fakes' class logits drop
  // out; the source term and G's loss are unchanged.
  LossOptions real_only = o;
  real_only.class_on_fakes = false;
  AcganLoss loss_r(real_only);
  loss_r.set_step(50, 100);
  EXPECT_NEAR(loss_r.d_loss(real, fake2, labels, fake_labels).item<double>(), 0.75 * bce + 0.75 * ce_real, 1e-12);
  EXPECT_NEAR(loss_r.g_loss(fake, labels).item<double>(), loss.g_loss(fake, labels).item<double>(), 1e-12);
  loss.set_step(1000, 100);  // past the end: the end weights
  EXPECT_DOUBLE_EQ(loss.source_weight(), 0.5);
  EXPECT_DOUBLE_EQ(loss.class_weight(), 1.0);
  EXPECT_THROW(loss.d_loss({real.logits, {}}, fake, labels, labels), Error);
}

TEST(AeganLoss, TermsMatchHandComputedValues) {
  LossOptions o;
  o.real_min = o.real_max = 1.0;
  o.fake_min = o.fake_max = 0.0;
  BceLoss image(o), latent(o);
  auto out = [](double v) { return DOutput{torch::tensor({v}, torch::kFloat64), {}}; };
  const auto x = torch::tensor({{0.0, 1.0}}, torch::kFloat64), recon = torch::tensor({{0.5, 0.0}}, torch::kFloat64);
  const auto z = torch::tensor({{1.0, -1.0}}, torch::kFloat64), z_rec = torch::tensor({{0.0, 0.0}}, torch::kFloat64);
  const auto t = aegan_g_loss(image, latent, out(0.0), out(1.0), out(-1.0), out(2.0), x, recon, z, z_rec, {}, {}, 2.0, 3.0);
  // g_loss(l) = softplus(-l): terms at logits 0, 1, -1, 2.
  auto sp = [](double v) { return std::log1p(std::exp(v)); };
  const double adv = sp(0.0) + sp(-1.0) + sp(1.0) + sp(-2.0);
  EXPECT_NEAR(t.adversarial.item<double>(), adv, 1e-12);
  EXPECT_NEAR(t.rec_x.item<double>(), 0.75, 1e-12);  // (0.5 + 1) / 2
  EXPECT_NEAR(t.rec_z.item<double>(), 1.0, 1e-12);
  EXPECT_NEAR(t.total.item<double>(), adv + 2.0 * 0.75 + 3.0 * 1.0, 1e-12);
  // D: mean of (x vs G(z)) and (x vs G(E(x))); D_z: mean of (z vs E(x)) and (z vs E(G(z))).
  const double d = 0.5 * (0.5 * (sp(-1.0) + sp(0.0)) + 0.5 * (sp(-1.0) + sp(1.0)));
  EXPECT_NEAR(aegan_d_loss(image, out(1.0), out(0.0), out(1.0), {}, {}).item<double>(), d, 1e-12);
  EXPECT_NEAR(aegan_dz_loss(latent, out(1.0), out(0.0), out(1.0)).item<double>(), d, 1e-12);
}

}  // namespace pokegan
