// SpriteModel: sheets, single sprites, variations, interpolation and truncation agree with each
// other and are deterministic; the noise of a sprite depends only on (seed, index); caps hold;
// the nearest-real index finds a training sprite itself.
#include "pokegan/inference/sprite_model.h"

#include <gtest/gtest.h>

#include "pokegan/common/error.h"
#include "pokegan/common/threads.h"
#include "pokegan/inference/nearest_real.h"
#include "pokegan/training/trainer.h"
#include "support/fixtures.h"

namespace pokegan {

class SpriteModelTest : public ::testing::Test {
 protected:
  void SetUp() override { ckpt_ = test::tiny_checkpoint(ds_, dir_ / "run", 2, 3); }
  Dataset ds_ = test::tiny_dataset(6, 3, 16);
  test::TempDir dir_;
  std::filesystem::path ckpt_;
};

TEST(SpriteNoise, ARowDependsOnlyOnSeedAndIndex) {
  const auto a = fixed_noise(16, 120, 7);
  for (int n : {1, 2, 3, 5, 9}) EXPECT_TRUE(torch::equal(fixed_noise(n, 120, 7)[n - 1], a[n - 1])) << n;
  EXPECT_TRUE(torch::equal(sprite_noise(7, 4, 120)[0], a[4]));
  EXPECT_FALSE(torch::equal(sprite_noise(8, 4, 120), sprite_noise(7, 4, 120)));
  EXPECT_FALSE(torch::equal(sprite_noise(7, 5, 120), sprite_noise(7, 4, 120)));
  EXPECT_NEAR(fixed_noise(64, 120, 1).std().item<double>(), 1.0, 0.05);
}

TEST_F(SpriteModelTest, SheetSpriteAndRowsAgree) {
  SpriteModel m(ckpt_.string());
  EXPECT_EQ(m.classes(), ds_.classes);
  const auto sheet = m.sheet(1, 7, 5);
  ASSERT_EQ(sheet.size(), 5u);
  EXPECT_EQ(m.sprite(1, 7, 3).pixels, sheet[3].pixels);
  EXPECT_EQ(m.sheet(1, 7, 5)[2].pixels, sheet[2].pixels);  // deterministic
  const auto rows = m.sheet_rows({0, 1}, 7, 5);
  EXPECT_EQ(rows[5 + 4].pixels, sheet[4].pixels);
  EXPECT_NE(m.sheet(2, 7, 5)[0].pixels, sheet[0].pixels);  // the type changes the sprite
  EXPECT_EQ(m.type_index("CLASS1"), 1);  // case-insensitive
  EXPECT_THROW(m.type_index("Lava"), Error);
}

TEST_F(SpriteModelTest, VariationsStayNearAndInterpolationEndsAtBothSprites) {
  SpriteModel m(ckpt_.string());
  const Image a = m.sprite(0, 11, 2), b = m.sprite(0, 12, 0);
  const auto strip = m.interpolate(0, 11, 2, 12, 0, 5);
  ASSERT_EQ(strip.size(), 5u);
  auto diff = [](const Image& x, const Image& y) {
    double d = 0;
    for (size_t i = 0; i < x.pixels.size(); ++i) d += std::abs(int(x.pixels[i]) - int(y.pixels[i]));
    return d / double(x.pixels.size());
  };
  EXPECT_LT(diff(strip.front(), a), 1.0);
  EXPECT_LT(diff(strip.back(), b), 1.0);
  const auto zero = m.variations(0, 11, 2, 0.0, 3);
  for (const auto& v : zero) EXPECT_LT(diff(v, a), 1.0);  // strength 0: the sprite itself
  const auto near = m.variations(0, 11, 2, 0.2, 4), far = m.variations(0, 11, 2, 3.0, 4);
  double dn = 0, df = 0;
  for (int i = 0; i < 4; ++i) dn += diff(near[size_t(i)], a), df += diff(far[size_t(i)], a);
  EXPECT_LT(dn, df);
}

TEST_F(SpriteModelTest, CapsAreNamed) {
  SpriteModel m(ckpt_.string());
  auto message = [](auto f) {
    try {
      f();
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(message([&] { m.sheet(0, 1, 0); }).find("count"), std::string::npos);
  EXPECT_NE(message([&] { m.sheet(0, 1, kMaxPerType + 1); }).find("1024"), std::string::npos);
  EXPECT_NE(message([&] { m.sheet(0, 1, 2, 0.0); }).find("trunc"), std::string::npos);
  EXPECT_NE(message([&] { m.variations(0, 1, 0, 9.0, 2); }).find("strength"), std::string::npos);
  EXPECT_NE(message([&] { m.interpolate(0, 1, 0, 2, 0, 1); }).find("steps"), std::string::npos);
  EXPECT_NE(message([&] { m.sprite(0, 1, -1); }).find("index"), std::string::npos);
  const auto info = m.info();
  for (const char* k : {"classes", "image_size", "preset", "step", "provenance", "dual_types", "limits"})
    EXPECT_TRUE(info.contains(k)) << k;
}

TEST_F(SpriteModelTest, NearestRealFindsATrainingSpriteItself) {
  NearestReal index(ds_);
  int64_t row = 0;
  while (ds_.split[size_t(row)] != kTrain) ++row;
  const auto m = index.nearest(ds_.image(row), 3);
  ASSERT_EQ(m.size(), 3u);
  EXPECT_NEAR(m[0].distance, 0.0, 1e-6);
  EXPECT_EQ(m[0].type, ds_.classes[size_t(ds_.labels[size_t(row)])]);
  EXPECT_LE(m[0].distance, m[1].distance);
  EXPECT_THROW(index.nearest(ds_.image(row), 0), Error);
  EXPECT_THROW(index.nearest(Image(8, 8, 3), 1), Error);
}

}  // namespace pokegan
