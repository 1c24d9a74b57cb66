#include "pokegan/eval/image_stats.h"

#include <gtest/gtest.h>

#include <cmath>

namespace pokegan {

namespace {
// A size x size white sprite with a filled rectangle of `color`.
std::vector<uint8_t> sprite(int size, int x0, int y0, int w, int h, Rgb color) {
  std::vector<uint8_t> px(size_t(size) * size * 3, 255);
  for (int y = y0; y < y0 + h; ++y)
    for (int x = x0; x < x0 + w; ++x)
      for (int c = 0; c < 3; ++c) px[(size_t(y) * size + x) * 3 + c] = color[size_t(c)];
  return px;
}
}  // namespace

TEST(ImageStats, SilhouetteFeaturesOfARectangle) {
  const auto px = sprite(16, 2, 4, 8, 4, {200, 0, 0});
  const SpriteStats s = sprite_stats(px.data(), 16);
  EXPECT_DOUBLE_EQ(s.shape[0], 32.0 / 256.0);        // area share
  EXPECT_DOUBLE_EQ(s.shape[1], 1.0);                 // fills its box
  EXPECT_DOUBLE_EQ(s.shape[2], std::log(8.0 / 4.0)); // log aspect
  EXPECT_DOUBLE_EQ(s.shape[3], 20.0 / std::sqrt(32.0));  // 8*4 box: 32 - 6*2 interior = 20 boundary
  EXPECT_DOUBLE_EQ(s.shape[4], 1.0);                 // one part
  double red = 0, other = 0;
  for (int b = 0; b < kColourBins; ++b) (b == 0 ? red : other) += s.colour[size_t(b)];
  EXPECT_EQ(red, 32.0);  // pure red: hue bin 0, every foreground pixel
  EXPECT_EQ(other, 0.0);
}

TEST(ImageStats, PartsAreCounted) {
  auto px = sprite(16, 0, 0, 3, 3, {0, 0, 0});
  const auto second = sprite(16, 10, 10, 2, 2, {0, 0, 0});
  for (size_t i = 0; i < px.size(); ++i) px[i] = std::min(px[i], second[i]);
  EXPECT_DOUBLE_EQ(sprite_stats(px.data(), 16).shape[4], 2.0);
}

TEST(ImageStats, ColourDistanceIsZeroForTheSameColoursAndOneForDisjoint) {
  const auto red = sprite(16, 2, 2, 6, 6, {220, 10, 10}), blue = sprite(16, 4, 4, 9, 3, {10, 10, 220});
  const std::vector<SpriteStats> r{sprite_stats(red.data(), 16)}, b{sprite_stats(blue.data(), 16)};
  EXPECT_DOUBLE_EQ(colour_distance(r, r), 0.0);
  EXPECT_DOUBLE_EQ(colour_distance(r, b), 1.0);
  const std::vector<SpriteStats> both{r[0], b[0]};
  EXPECT_GT(colour_distance(both, r), 0.0);
  EXPECT_LT(colour_distance(both, r), 1.0);
}

TEST(ImageStats, WassersteinOfAShiftIsTheShift) {
  EXPECT_NEAR(wasserstein1({0, 1, 2, 3}, {2, 3, 4, 5}), 2.0, 1e-12);
  EXPECT_NEAR(wasserstein1({0, 0}, {1}), 1.0, 1e-12);
  EXPECT_NEAR(wasserstein1({1, 2, 3}, {3, 1, 2}), 0.0, 1e-12);
}

TEST(ImageStats, ShapeAndDetailAgainstThemselves) {
  std::vector<SpriteStats> set;
  for (int k = 0; k < 4; ++k) {
    const auto px = sprite(16, k, k, 4 + k, 6, {30, 160, 30});
    set.push_back(sprite_stats(px.data(), 16));
  }
  EXPECT_NEAR(shape_distance(set, set), 0.0, 1e-12);
  EXPECT_NEAR(detail_ratio(set, set), 1.0, 1e-12);
  // A flat white image has no detail at all.
  const std::vector<uint8_t> white(16 * 16 * 3, 255);
  EXPECT_EQ(detail_ratio({sprite_stats(white.data(), 16)}, set), 0.0);
}

// Columns alternating black and white (luminance 0 and 1, mean 0.5): all the power is at
// (fy, fx) = (0, S/2), |F|^2 = (S * S * 0.5)^2; the transposed image puts it on the other axis.
TEST(ImageStats, StripePowerOfAlternatingColumnsAndRows) {
  const int s = 16;
  std::vector<uint8_t> cols(size_t(s * s * 3)), rows(size_t(s * s * 3));
  for (int y = 0; y < s; ++y)
    for (int x = 0; x < s; ++x)
      for (int c = 0; c < 3; ++c) {
        cols[size_t((y * s + x) * 3 + c)] = x % 2 ? 255 : 0;
        rows[size_t((y * s + x) * 3 + c)] = y % 2 ? 255 : 0;
      }
  const SpriteStats v = sprite_stats(cols.data(), s), h = sprite_stats(rows.data(), s);
  EXPECT_NEAR(v.stripes_v, 128.0 * 128.0, 1e-6);
  EXPECT_NEAR(v.stripes_h, 0.0, 1e-6);
  EXPECT_NEAR(h.stripes_v, 0.0, 1e-6);
  EXPECT_NEAR(h.stripes_h, 128.0 * 128.0, 1e-6);
  // Pooled: {v, h} is isotropic (ratio 1); {v, v, h} has twice the vertical power.
  EXPECT_NEAR(stripe_ratio({v, v, h}, {v, h}), 2.0, 1e-9);
  EXPECT_NEAR(stripe_ratio({v, h}, {v, h}), 1.0, 1e-12);
  // A flat image has neither.
  const std::vector<uint8_t> white(size_t(s * s * 3), 255);
  EXPECT_EQ(sprite_stats(white.data(), s).stripes_v, 0.0);
}

TEST(ImageStats, CornerBackground) {
  const auto a = sprite(8, 2, 2, 3, 3, {0, 0, 0});
  EXPECT_EQ(corner_background(a.data(), 1, 8), (Rgb{255, 255, 255}));
}

}  // namespace pokegan
