// The hinge loss and the objective's regularisers (R1, LeCam, mode seeking) against hand-computed
// values, and the loss registry's error.
#include <gtest/gtest.h>

#include <cmath>

#include "pokegan/common/error.h"
#include "pokegan/losses/gan_loss.h"

namespace pokegan {

TEST(HingeLoss, MatchesHandComputedValues) {
  HingeLoss loss{LossOptions{}};
  const DOutput real{torch::tensor({2.0, 0.5, -1.0}, torch::kFloat64), {}};
  const DOutput fake{torch::tensor({-2.0, 0.25}, torch::kFloat64), {}};
  // relu(1 - real) = 0, 0.5, 2 -> mean 2.5/3;  relu(1 + fake) = 0, 1.25 -> mean 0.625
  EXPECT_NEAR(loss.d_loss(real, fake, {}, {}).item<double>(), 2.5 / 3 + 0.625, 1e-12);
  EXPECT_NEAR(loss.g_loss(fake, {}).item<double>(), -(-2.0 + 0.25) / 2, 1e-12);
}

TEST(R1Penalty, IsTheMeanSquaredInputGradientNorm) {
  // D(x) = sum_j w_j x_j^2 per sample: grad = 2 w x, |grad|^2 = 4 sum w_j^2 x_j^2.
  const auto x = torch::tensor({{1.0, 2.0}, {-1.0, 0.5}}, torch::kFloat64).requires_grad_(true);
  const auto w = torch::tensor({3.0, -1.0}, torch::kFloat64);
  const auto logits = (x.square() * w).sum(1);
  const double s0 = 4 * (9 * 1 + 1 * 4), s1 = 4 * (9 * 1 + 1 * 0.25);
  const auto p = r1_penalty(logits, x);
  EXPECT_NEAR(p.item<double>(), (s0 + s1) / 2, 1e-12);
  // create_graph: the penalty is differentiable in x (d/dx of 4 w^2 x^2 / 2 = 4 w^2 x).
  const auto g = torch::autograd::grad({p}, {x})[0];
  EXPECT_NEAR(g[0][0].item<double>(), 4 * 9 * 1.0, 1e-12);
  EXPECT_NEAR(g[1][1].item<double>(), 4 * 1 * 0.5, 1e-12);
}

TEST(LecamTerm, MatchesHandComputedValues) {
  const auto real = torch::tensor({1.0, -0.5}, torch::kFloat64);
  const auto fake = torch::tensor({0.0, 2.0}, torch::kFloat64);
  // ema_real 0.5, ema_fake -0.25: relu(real + 0.25)^2 = 1.5625, 0 -> 0.78125;
  // relu(0.5 - fake)^2 = 0.25, 0 -> 0.125
  EXPECT_NEAR(lecam_term(real, fake, 0.5, -0.25).item<double>(), 0.78125 + 0.125, 1e-12);
}

TEST(ModeSeekingTerm, IsTheInverseOfTheImageToNoiseDistanceRatio) {
  const auto a = torch::tensor({1.0, 1.0}, torch::kFloat64), b = torch::tensor({0.0, 3.0}, torch::kFloat64);
  const auto za = torch::tensor({1.0}, torch::kFloat64), zb = torch::tensor({-3.0}, torch::kFloat64);
  // mean|a - b| = 1.5, mean|za - zb| = 4 -> ratio 0.375
  EXPECT_NEAR(mode_seeking_term(a, b, za, zb).item<double>(), 1 / (0.375 + 1e-5), 1e-9);
  // Identical images (collapse) give the largest value.
  EXPECT_GT(mode_seeking_term(a, a, za, zb).item<double>(), 1e4);
}

TEST(Silhouette, InksEverySaturatedColourFullyAndLeavesWhiteBlank) {
  // Four pixels [1, 3, 1, 4]: white, red, blue, a pastel (0.5, 0.5, 0).
  const auto x = torch::tensor({1.0, 1.0, -1.0, 0.5, 1.0, -1.0, -1.0, 0.5, 1.0, -1.0, 1.0, 0.0}, torch::kFloat64)
                     .reshape({1, 3, 1, 4});
  const auto ink = silhouette(x);
  ASSERT_EQ(ink.sizes(), (std::vector<int64_t>{1, 1, 1, 4}));
  // (1 - min_c) / 2: white 0, red 1, blue 1, pastel (1 - 0) / 2
  const std::vector<double> want = {0.0, 1.0, 1.0, 0.5};
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(ink[0][0][0][i].item<double>(), want[i], 1e-12) << i;
}

TEST(ModeSeekingTerm, InSilhouetteSpaceARecolouredTwinCountsAsACollapse) {
  // The same figure (one inked pixel of two) drawn red and drawn blue: far apart in pixels, one
  // silhouette, so only the pixel distance rewards the pair.
  auto red = torch::ones({1, 3, 1, 2}, torch::kFloat64), blue = red.clone();
  red.index_put_({0, torch::indexing::Slice(1, 3), 0, 0}, -1.0);   // (1, -1, -1)
  blue.index_put_({0, torch::indexing::Slice(0, 2), 0, 0}, -1.0);  // (-1, -1, 1)
  const auto za = torch::zeros({1, 4}, torch::kFloat64), zb = torch::ones({1, 4}, torch::kFloat64);
  EXPECT_LT(mode_seeking_term(red, blue, za, zb).item<double>(), 10);
  EXPECT_GT(mode_seeking_term(silhouette(red), silhouette(blue), za, zb).item<double>(), 1e4);
  // A different shape is a distance in both spaces.
  auto moved = torch::ones({1, 3, 1, 2}, torch::kFloat64);
  moved.index_put_({0, torch::indexing::Slice(0, 2), 0, 1}, -1.0);
  EXPECT_LT(mode_seeking_term(silhouette(red), silhouette(moved), za, zb).item<double>(), 10);
}

TEST(AuxClassTerm, IsTheMeanCrossEntropyOfTheClassHead) {
  DOutput out;
  out.logits = torch::zeros({2}, torch::kFloat64);
  out.class_logits = torch::tensor({{0.0, std::log(3.0)}, {2.0, 0.0}}, torch::kFloat64);
  const auto labels = torch::tensor({1, 0}, torch::kLong);
  // row 0: p(1) = 3 / (1 + 3) = 0.75; row 1: p(0) = e^2 / (e^2 + 1)
  const double e2 = std::exp(2.0);
  EXPECT_NEAR(aux_class_term(out, labels).item<double>(), (-std::log(0.75) - std::log(e2 / (e2 + 1))) / 2, 1e-12);
  out.class_logits = torch::Tensor();
  EXPECT_THROW(aux_class_term(out, labels), Error);
}

TEST(AuxTwinTerm, IsTheMeanCrossEntropyOfTheTwinHeadNotTheClassHead) {
  DOutput out;
  out.logits = torch::zeros({2}, torch::kFloat64);
  out.class_logits = torch::zeros({2, 2}, torch::kFloat64);  // uniform: log 2 per row
  out.twin_logits = torch::tensor({{std::log(3.0), 0.0}, {0.0, 1.0}}, torch::kFloat64);
  const auto labels = torch::tensor({0, 1}, torch::kLong);
  // row 0: p(0) = 3 / 4; row 1: p(1) = e / (1 + e)
  const double e = std::exp(1.0);
  EXPECT_NEAR(aux_twin_term(out, labels).item<double>(), (-std::log(0.75) - std::log(e / (1 + e))) / 2, 1e-12);
  out.twin_logits = torch::Tensor();
  try {
    aux_twin_term(out, labels);
    FAIL() << "no error";
  } catch (const Error& err) {
    EXPECT_NE(std::string(err.what()).find("d.twin_class_head=true"), std::string::npos) << err.what();
  }
}

TEST(LossRegistry, ListsEveryKindInItsError) {
  LossOptions o;
  o.kind = "wasserstein";
  try {
    make_loss(o);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("valid: acgan, bce, hinge"), std::string::npos) << e.what();
  }
  for (const auto& k : loss_kinds()) {
    o.kind = k;
    EXPECT_NE(make_loss(o), nullptr) << k;
  }
}

}  // namespace pokegan
