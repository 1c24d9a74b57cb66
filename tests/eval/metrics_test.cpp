#include "pokegan/eval/metrics.h"
#include "pokegan/common/pair_label.h"

#include <gtest/gtest.h>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/linalg.h>

#include <cmath>

namespace pokegan {

namespace {
torch::Tensor rows(std::initializer_list<double> v) { return torch::tensor(std::vector<double>(v), torch::kFloat64).view({-1, 1}); }

torch::Tensor random_spd(int64_t d, uint64_t seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  const auto m = torch::randn({d, d}, gen, torch::kFloat64);
  return m.mm(m.t()) + 0.1 * torch::eye(d, torch::kFloat64);
}
}  // namespace

TEST(Metrics, FidOfASetWithItselfIsZero) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(1);
  const auto x = torch::randn({200, 16}, gen, torch::kFloat64);
  EXPECT_NEAR(fid(x, x), 0.0, 1e-8);
}

TEST(Metrics, FrechetDistanceMatchesTheClosedForm) {
  // Diagonal covariances commute: FD = |mu1 - mu2|² + sum (s1 - s2)² with s the standard deviations.
  Moments a{torch::tensor({0.0, 1.0, 2.0}, torch::kFloat64), torch::diag(torch::tensor({1.0, 4.0, 9.0}, torch::kFloat64))};
  Moments b{torch::tensor({1.0, 1.0, 0.0}, torch::kFloat64), torch::diag(torch::tensor({4.0, 1.0, 9.0}, torch::kFloat64))};
  EXPECT_NEAR(frechet_distance(a, b), (1 + 0 + 4) + (1 + 1 + 0), 1e-9);
  // General case against tr(A + B - 2 (A B)^½) computed through sqrtm of A^½ B A^½.
  const auto ca = random_spd(5, 3), cb = random_spd(5, 4);
  const auto ra = sqrtm_psd(ca);
  const double expect = (ca + cb).trace().item<double>() - 2 * sqrtm_psd(ra.mm(cb).mm(ra)).trace().item<double>();
  EXPECT_NEAR(frechet_distance({torch::zeros({5}, torch::kFloat64), ca}, {torch::zeros({5}, torch::kFloat64), cb}),
              expect, 1e-8 * std::abs(expect) + 1e-9);
}

TEST(Metrics, FidOfTwoGaussianSamplesApproachesTheClosedForm) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(7);
  const int64_t n = 40000;
  // N(0, I) against N(mu, diag(s²)) in 4-D: FD = |mu|² + sum (1 - s)².
  const auto mu = torch::tensor({1.0, -0.5, 0.0, 2.0}, torch::kFloat64);
  const auto s = torch::tensor({1.0, 2.0, 0.5, 1.5}, torch::kFloat64);
  const auto x = torch::randn({n, 4}, gen, torch::kFloat64);
  const auto y = torch::randn({n, 4}, gen, torch::kFloat64) * s + mu;
  const double closed = mu.pow(2).sum().item<double>() + (1 - s).pow(2).sum().item<double>();
  EXPECT_NEAR(fid(x, y), closed, 0.05 * closed);
}

TEST(Metrics, MatrixSquareRootIsAccurate) {
  for (uint64_t seed : {1, 2, 3}) {
    const auto a = random_spd(12, seed);
    const auto r = sqrtm_psd(a);
    EXPECT_LT((r.mm(r) - a).abs().max().item<double>() / a.abs().max().item<double>(), 1e-10);
    EXPECT_LT((r - r.t()).abs().max().item<double>(), 1e-12);  // symmetric
  }
  // A known root: diag(4, 9) -> diag(2, 3).
  const auto r = sqrtm_psd(torch::diag(torch::tensor({4.0, 9.0}, torch::kFloat64)));
  EXPECT_NEAR(r[0][0].item<double>(), 2.0, 1e-12);
  EXPECT_NEAR(r[1][1].item<double>(), 3.0, 1e-12);
  EXPECT_NEAR(r[0][1].item<double>(), 0.0, 1e-12);
}

TEST(Metrics, KidIsAboutZeroForOneDistributionAndPositiveForTwo) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(5);
  const auto x = torch::randn({600, 8}, gen, torch::kFloat64);
  const auto y = torch::randn({600, 8}, gen, torch::kFloat64);
  const Kid same = kid(x, y, 20, 300, 1);
  const Kid shifted = kid(x, y + 1.0, 20, 300, 1);
  EXPECT_LT(std::abs(same.mean), 3 * same.std + 1e-3);  // unbiased: centred on 0, either sign
  EXPECT_GT(shifted.mean, 10 * (std::abs(same.mean) + same.std));
  EXPECT_GT(shifted.mean, 0);
  // Same seed, same answer.
  EXPECT_EQ(kid(x, y, 5, 100, 9).mean, kid(x, y, 5, 100, 9).mean);
}

TEST(Metrics, PrecisionRecallDensityCoverageMatchHandComputedAnswers) {
  // 1-D sets. Real k=1 radii: -3.2:0.2 -3:0.2 0:1 1:1 2:1 4:0.5 4.5:0.5.
  // Fake k=1 radii: 0.5:1.4 1.9:1.4 3.5:1.6 7:3.5.
  const auto real = rows({-3.2, -3.0, 0.0, 1.0, 2.0, 4.0, 4.5});
  const auto fake = rows({0.5, 1.9, 3.5, 7.0});
  const Prdc p = prdc(real, fake, 1, 1);
  // Precision: 0.5 (in 0's ball) and 1.9 (in 2's) are inside; 3.5 lies exactly on 4's radius
  // (strict: outside) and 7 is far: 2 / 4.
  EXPECT_DOUBLE_EQ(p.precision, 0.5);
  // Recall: every real except -3.2 and -3 lies inside some fake ball: 5 / 7.
  EXPECT_DOUBLE_EQ(p.recall, 5.0 / 7.0);
  // Density: (real, fake) pairs inside real balls: 0-0.5, 1-0.5, 1-1.9, 2-1.9 = 4, over k·M = 4.
  EXPECT_DOUBLE_EQ(p.density, 1.0);
  // Coverage: reals whose ball holds a fake: 0, 1, 2 -> 3 / 7.
  EXPECT_DOUBLE_EQ(p.coverage, 3.0 / 7.0);
}

TEST(Metrics, PrdcOfASetWithItselfIsPerfectWithStrictBalls) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(2);
  const auto x = torch::randn({50, 3}, gen, torch::kFloat64);
  const Prdc p = prdc(x, x, 3, 5);
  EXPECT_DOUBLE_EQ(p.precision, 1.0);
  EXPECT_DOUBLE_EQ(p.recall, 1.0);
  EXPECT_DOUBLE_EQ(p.coverage, 1.0);
  EXPECT_GT(p.density, 0.5);
}

TEST(Metrics, MeanPairwiseDistance) {
  EXPECT_DOUBLE_EQ(mean_pairwise_distance(rows({0.0, 1.0, 3.0})), (1.0 + 3.0 + 2.0) / 3.0);
  EXPECT_DOUBLE_EQ(mean_pairwise_distance(rows({5.0})), 0.0);
}

// Hand-made logits over 4 classes: the second type counts only on pair rows, and only when it is
// the best class once the first is set aside.
TEST(Metrics, SecondTypeAccuracyScoresPairRowsOnly) {
  const int64_t C = 4;
  const auto logits = torch::tensor({{5.0, 1.0, 3.0, 0.0},    // pair (0, 2): rest's best is 2 -> hit
                                     {5.0, 4.0, 3.0, 0.0},    // pair (0, 2): rest's best is 1 -> miss
                                     {0.0, 1.0, 9.0, 2.0},    // pair (2, 3): first is top; rest's best 3 -> hit
                                     {0.0, 9.0, 0.0, 0.0},    // single 1: not counted
                                     {9.0, 0.0, 0.0, 8.0}})   // pair (1, 3): 3 beats 0? no, 0 -> miss
                          .to(torch::kFloat32);
  const auto labels = torch::tensor({pair_label(0, 2, C), pair_label(0, 2, C), pair_label(2, 3, C), int64_t(1),
                                     pair_label(1, 3, C)}, torch::kLong);
  const SecondType r = second_type_accuracy(logits, labels);
  EXPECT_EQ(r.pairs, 4);
  EXPECT_DOUBLE_EQ(r.accuracy, 2.0 / 4.0);
  const SecondType none = second_type_accuracy(logits.slice(0, 3, 4), labels.slice(0, 3, 4));
  EXPECT_EQ(none.pairs, 0);
  EXPECT_EQ(none.accuracy, 0.0);
}

}  // namespace pokegan
