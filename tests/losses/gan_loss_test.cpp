#include "pokegan/losses/gan_loss.h"

#include <gtest/gtest.h>

#include <cmath>

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
  EXPECT_NEAR(loss.d_loss(real, fake, {}).item<double>(), 0.5 * (real_term + fake_term), 1e-12);
  EXPECT_NEAR(loss.g_loss(fake, {}).item<double>(), softplus(0.5) - 0.5, 1e-12);
}

TEST(BceLoss, SmoothedTargetsStayInTheirRanges) {
  const auto t = smoothed_targets(torch::zeros({10000}), 0.9, 1.0);
  EXPECT_GE(t.min().item<float>(), 0.9f);
  EXPECT_LE(t.max().item<float>(), 1.0f);
  EXPECT_NEAR(t.mean().item<float>(), 0.95f, 0.01f);
}

}  // namespace pokegan
