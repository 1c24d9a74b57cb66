#include "pokegan/data/augment.h"

#include <gtest/gtest.h>

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
