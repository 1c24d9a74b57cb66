#include "pokegan/data/sprite.h"

#include <gtest/gtest.h>

#include "support/fixtures.h"

namespace pokegan {

TEST(Sprite, PicksEvenlySpacedFrames) {
  EXPECT_EQ(pick_frames(8, 4), (std::vector<int>{0, 2, 4, 6}));
  EXPECT_EQ(pick_frames(10, 4), (std::vector<int>{0, 2, 5, 7}));
  EXPECT_EQ(pick_frames(3, 4), (std::vector<int>{0, 1, 2}));
  EXPECT_TRUE(pick_frames(0, 4).empty());
}

TEST(Sprite, CropsCentresPadsAndResizesOnWhite) {
  // A 12x4 opaque bar in a 40x30 transparent frame: crop to the bar, pad to 12x12 centred, resize.
  Image f(40, 30, 4, 0);
  for (int y = 10; y < 14; ++y)
    for (int x = 5; x < 17; ++x) {
      uint8_t* p = f.at(x, y);
      p[0] = 0, p[1] = 0, p[2] = 255, p[3] = 255;
    }
  SpriteOptions o;
  o.size = 24, o.frames = 1, o.margin = 0;
  const auto out = process_sprite({f}, o);
  ASSERT_EQ(out.size(), 1u);
  const Image& im = out[0];
  EXPECT_EQ(im.width, 24);
  EXPECT_EQ(im.channels, 3);
  // Centre row is blue across the whole width (the bar fills the square's width)...
  EXPECT_GT(im.at(12, 12)[2], 200);
  EXPECT_LT(im.at(12, 12)[0], 60);
  EXPECT_GT(im.at(1, 12)[2], 200);
  // ...and the top and bottom are white padding, not stretched bar.
  for (int y : {0, 3, 20, 23}) {
    EXPECT_GT(im.at(12, y)[0], 240) << y;
    EXPECT_GT(im.at(12, y)[1], 240) << y;
  }
}

TEST(Sprite, AnimationKeepsOneFraming) {
  // A blob moving right: frames share the union crop, so the blob moves in the output too.
  const std::vector<Image> frames = {test::blob_frame(20, 14, {255, 0, 0}, 0), test::blob_frame(20, 14, {255, 0, 0}, 4)};
  SpriteOptions o;
  o.size = 16, o.frames = 2, o.margin = 0;
  const auto out = process_sprite(frames, o);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_LT(out[0].at(1, 8)[1], 80);   // frame 0 starts at the left edge
  EXPECT_GT(out[1].at(1, 8)[1], 200);  // frame 1 has moved away from it
}

}  // namespace pokegan
