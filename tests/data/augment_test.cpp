#include "pokegan/data/augment.h"

#include <gtest/gtest.h>

#include <cstdlib>

#include "pokegan/common/error.h"

namespace pokegan {

TEST(Augment, HueRotationKeepsGreysAndIsIdentityAtZero) {
  const auto m0 = hue_rotation_matrices(torch::zeros({1}));
  EXPECT_TRUE(torch::allclose(m0[0], torch::eye(3), 1e-5, 1e-5));
  const auto m = hue_rotation_matrices(torch::tensor({2.0f}));
  const auto grey = torch::tensor({0.3f, 0.3f, 0.3f});
  EXPECT_TRUE(torch::allclose(torch::matmul(m[0], grey), grey, 1e-4, 1e-4));
  const auto red = torch::tensor({1.0f, 0.0f, 0.0f});
  EXPECT_GT((torch::matmul(m[0], red) - red).abs().max().item<float>(), 0.3f);  // a real colour change
}

TEST(Augment, SwitchesWorkAndSeedsRepeat) {
  const auto x = torch::rand({6, 3, 16, 16}) * 2 - 1;
  AugmentOptions off;
  off.hflip = false, off.rotate_degrees = 0, off.hue = false;
  EXPECT_TRUE(torch::equal(augment(x, off), x));

  AugmentOptions flip = off;
  flip.hflip = true;
  torch::manual_seed(3);
  const auto a = augment(x, flip);
  for (int64_t i = 0; i < 6; ++i)
    EXPECT_TRUE(torch::equal(a[i], x[i]) || torch::equal(a[i], x[i].flip({2})));

  AugmentOptions all;
  all.hue = true;
  torch::manual_seed(7);
  const auto b1 = augment(x, all);
  torch::manual_seed(7);
  const auto b2 = augment(x, all);
  EXPECT_TRUE(torch::equal(b1, b2));
  EXPECT_EQ(b1.sizes(), x.sizes());
  EXPECT_LE(b1.max().item<float>(), 1.0f + 1e-5f);
}

TEST(Augment, RotationFillsCornersWithBackground) {
  const auto white = torch::ones({1, 3, 16, 16});
  AugmentOptions rot;
  rot.hflip = false, rot.rotate_degrees = 30, rot.rotate_prob = 1.0;
  torch::manual_seed(0);
  const auto r = augment(white, rot);
  EXPECT_TRUE(torch::allclose(r, white, 1e-5, 1e-5));  // no black corners on a white sprite
}

}  // namespace pokegan

namespace pokegan {

TEST(DiffAugment, PoliciesAreDifferentiableAndChecked) {
  torch::manual_seed(1);
  const auto x = (torch::rand({4, 3, 16, 16}) * 2 - 1).requires_grad_(true);
  EXPECT_TRUE(torch::equal(diff_augment(x, ""), x));
  const auto y = diff_augment(x, "color,translation,cutout");
  EXPECT_EQ(y.sizes(), x.sizes());
  y.sum().backward();
  EXPECT_TRUE(x.grad().defined());
  EXPECT_GT(x.grad().abs().sum().item<float>(), 0.0f);
  EXPECT_THROW(diff_augment(x, "color,blur"), Error);
}

TEST(DiffAugment, TranslationMovesByWholePixelsWithoutBlurring) {
  // A +-1 checkerboard stays one (or background 1 where it came into view): a fractional shift
  // through bilinear sampling would average neighbours toward 0 and hide pixel-level patterns.
  const auto idx = torch::arange(16);
  const auto board = ((idx.view({16, 1}) + idx.view({1, 16})) % 2 * 2 - 1).to(torch::kFloat32);
  const auto x = board.expand({8, 3, 16, 16}).contiguous();
  const auto y = diff_augment(x, "translation");
  EXPECT_LT(((y.abs() - 1).abs()).max().item<float>(), 1e-4f);
  EXPECT_FALSE(torch::equal(y, x));  // 8 images: some moved
  // Twice differentiable, as R1 through DiffAugment needs.
  const auto xr = x.clone().requires_grad_(true);
  const auto g = torch::autograd::grad({diff_augment(xr, "translation").square().sum()}, {xr}, {}, true, true)[0];
  EXPECT_NO_THROW(g.sum().backward());
}

TEST(DiffAugment, ShiftPixelsMovesContentAndFillsWithBackground) {
  const auto x = torch::arange(9, torch::kFloat32).view({1, 1, 3, 3});
  // One right, one up: out[i][j] = x[i + 1][j - 1]; the left column and the bottom row are background.
  const auto y = shift_pixels(x, torch::tensor({1}, torch::kLong), torch::tensor({-1}, torch::kLong), -1.0);
  const auto want = torch::tensor({-1.0f, 3.0f, 4.0f, -1.0f, 6.0f, 7.0f, -1.0f, -1.0f, -1.0f}).view({1, 1, 3, 3});
  EXPECT_TRUE(torch::equal(y, want)) << y;
}

TEST(DiffAugment, TranslationFillsWithBackgroundAndCutoutZeroesASquare) {
  const auto white = torch::ones({3, 3, 16, 16});
  EXPECT_TRUE(torch::allclose(diff_augment(white, "translation"), white, 1e-5, 1e-5));
  const auto cut = diff_augment(white, "cutout");
  for (int64_t i = 0; i < 3; ++i) {
    const auto zeros = (cut[i][0] == 0).sum().item<int64_t>();
    EXPECT_GT(zeros, 0);           // a square was cut
    EXPECT_LE(zeros, 9 * 9);       // of at most half the size (plus its centre line)
    EXPECT_TRUE(torch::equal(cut[i][0] == 0, cut[i][2] == 0));  // across all channels
  }
}

TEST(Ada, ProbabilityZeroIsIdentityAndOneAppliesEveryOp) {
  torch::manual_seed(3);
  const auto x = torch::rand({64, 3, 8, 8}) * 2 - 1;
  EXPECT_TRUE(torch::equal(ada_augment(x, "xflip,rot90,xint", 0.0), x));
  EXPECT_TRUE(torch::equal(ada_augment(x, "xflip", 1.0), x.flip({3})));
  // rot90 at p = 1: every image is one of its four rotations, and all four k occur in 64 draws
  // (a k missing has probability 4 * 0.75^64, about 4e-8).
  const auto y = ada_augment(x, "rot90", 1.0);
  int seen[4] = {0, 0, 0, 0};
  for (int64_t i = 0; i < 64; ++i) {
    int match = -1;
    for (int k = 0; k < 4 && match < 0; ++k)
      if (torch::equal(y[i], torch::rot90(x[i], k, {1, 2}))) match = k;
    ASSERT_GE(match, 0) << "image " << i << " is no rotation of its input";
    ++seen[match];
  }
  for (int k = 0; k < 4; ++k) EXPECT_GT(seen[k], 0) << "k = " << k;
  EXPECT_THROW(ada_augment(x, "xflip,scale", 0.5), Error);
  EXPECT_THROW(check_ada_policy("rot90,,blur"), Error);
  EXPECT_NO_THROW(check_ada_policy(""));
}

TEST(Ada, EachOpAppliesWithProbabilityPAndShiftsByWholePixels) {
  torch::manual_seed(4);
  // One dark pixel on a white 16x16 background: xint moves it by whole pixels, at most 16/8 = 2
  // each way, and fills with white; at p = 0.3 about 30% of 2,000 images move.
  auto x = torch::ones({2000, 3, 16, 16});
  x.index_put_({torch::indexing::Slice(), torch::indexing::Slice(), 8, 8}, -1.0);
  const auto y = ada_augment(x, "xint", 0.3);
  int64_t moved = 0;
  for (int64_t i = 0; i < 2000; ++i) {
    const auto dark = (y[i][0] == -1).nonzero();  // [k, 2]
    ASSERT_EQ(dark.size(0), 1) << "image " << i;  // exactly one dark pixel: no blur, nothing lost
    const auto r = dark[0][0].item<int64_t>(), c = dark[0][1].item<int64_t>();
    EXPECT_LE(std::abs(r - 8), 2);
    EXPECT_LE(std::abs(c - 8), 2);
    EXPECT_EQ((y[i] == 1).sum().item<int64_t>(), 3 * 16 * 16 - 3);  // the rest stays background
    moved += (r != 8 || c != 8);
  }
  // Applied with p = 0.3, a shift of (0, 0) is drawn with probability 1/25: E[moved] = 2000 * 0.3 * 24/25 = 576.
  EXPECT_NEAR(static_cast<double>(moved) / 2000.0, 0.3 * 24.0 / 25.0, 0.05);
  // Twice differentiable, as R1 through ADA needs.
  const auto xr = (torch::rand({4, 3, 8, 8}) * 2 - 1).requires_grad_(true);
  const auto g = torch::autograd::grad({ada_augment(xr, "xflip,rot90,xint", 1.0).square().sum()}, {xr}, {}, true, true)[0];
  EXPECT_NO_THROW(g.sum().backward());
  EXPECT_GT(xr.grad().abs().sum().item<float>(), 0.0f);
}

}  // namespace pokegan
