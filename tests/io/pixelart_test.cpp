// Sprite-faithful export: background to alpha with no pale halo, a palette bounded as asked,
// whole-pixel upscaling, the outline ring, and the options checked.
#include "pokegan/io/pixelart.h"

#include <gtest/gtest.h>

#include "pokegan/common/error.h"
#include "pokegan/io/draw.h"

namespace pokegan {

namespace {
// A 16x16 sprite on white: a 6x6 body of a smooth gradient (many colours) at (5,5), ringed by a
// pale anti-aliased edge (230) that a naive white threshold at 250 would keep as a halo.
Image sprite() {
  Image im(16, 16, 3, 255);
  for (int y = 4; y < 12; ++y)
    for (int x = 4; x < 12; ++x) std::fill_n(im.at(x, y), 3, uint8_t(215));  // the pale ring
  for (int y = 5; y < 11; ++y)
    for (int x = 5; x < 11; ++x) {
      uint8_t* p = im.at(x, y);
      p[0] = uint8_t(40 + 30 * (x - 5)), p[1] = uint8_t(20 + 25 * (y - 5)), p[2] = uint8_t(90 + 5 * (x + y));
    }
  return im;
}
}  // namespace

TEST(PixelArt, BackgroundBecomesAlphaWithoutHalo) {
  PixelArtOptions o;
  o.transparent = true;
  const Image out = to_pixel_art(sprite(), o);
  ASSERT_EQ(out.channels, 4);
  EXPECT_EQ(out.at(0, 0)[3], 0);
  EXPECT_EQ(out.at(4, 4)[3], 0) << "the pale ring is halo and goes with the background";
  EXPECT_EQ(out.at(5, 5)[3], 255);
  EXPECT_EQ(out.at(8, 8)[3], 255);
  // Every opaque pixel is a body pixel: none is pale.
  for (int y = 0; y < 16; ++y)
    for (int x = 0; x < 16; ++x)
      if (out.at(x, y)[3]) EXPECT_FALSE(out.at(x, y)[0] > 200 && out.at(x, y)[1] > 200 && out.at(x, y)[2] > 200);
}

TEST(PixelArt, PaletteBoundsColoursCountingBackgroundAndOutline) {
  ASSERT_GT(count_colours(sprite()), 30);
  for (int n : {3, 4, 8, 16}) {
    PixelArtOptions o;
    o.transparent = true, o.outline = true, o.palette = n;
    const Image out = to_pixel_art(sprite(), o);
    EXPECT_LE(count_colours(out), n) << n;
    EXPECT_GE(count_colours(out), 3) << n;  // background, outline and at least one body colour
  }
  PixelArtOptions o;
  o.palette = 4;  // opaque output: white background counts
  EXPECT_LE(count_colours(to_pixel_art(sprite(), o)), 4);
  // Deterministic: the same sprite gets the same palette.
  EXPECT_EQ(to_pixel_art(sprite(), o).pixels, to_pixel_art(sprite(), o).pixels);
}

TEST(PixelArt, QuantizeKeepsAnImageWithFewColours) {
  Image im(4, 4, 3, 10);
  im.at(1, 1)[0] = 200;
  const Image before = im;
  quantize(im, {}, 4);
  EXPECT_EQ(im.pixels, before.pixels);
}

TEST(PixelArt, OutlineRingsTheSpriteOnTheBackground) {
  PixelArtOptions o;
  o.transparent = true, o.outline = true;
  const Image out = to_pixel_art(sprite(), o);
  EXPECT_EQ(out.at(4, 7)[3], 255);   // was halo, touches the body: outline
  EXPECT_LT(out.at(4, 7)[0], 40);
  EXPECT_EQ(out.at(3, 7)[3], 0);     // two pixels out: background
  EXPECT_EQ(out.at(4, 4)[3], 0);     // a corner touches the body only diagonally
}

TEST(PixelArt, NearestUpscalingRepeatsWholePixels) {
  PixelArtOptions o;
  o.scale = 4;
  const Image in = sprite(), out = to_pixel_art(in, o);
  ASSERT_EQ(out.width, 64);
  for (int y = 0; y < 64; ++y)
    for (int x = 0; x < 64; ++x) ASSERT_EQ(out.at(x, y)[0], in.at(x / 4, y / 4)[0]);
}

TEST(PixelArt, BadOptionsAreRefusedByName) {
  PixelArtOptions o;
  o.scale = 3;
  EXPECT_THROW(check_pixel_art(o), Error);
  o.scale = 1, o.palette = 1;
  EXPECT_THROW(check_pixel_art(o), Error);
  o.palette = 300;
  EXPECT_THROW(check_pixel_art(o), Error);
  o.palette = 2, o.outline = true;
  try {
    check_pixel_art(o);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("palette"), std::string::npos);
  }
}

TEST(PixelArt, GridOfTransparentTilesIsTransparent) {
  PixelArtOptions o;
  o.transparent = true;
  const Image t = to_pixel_art(sprite(), o);
  const Image g = make_grid({t, t, t}, 3);
  ASSERT_EQ(g.channels, 4);
  EXPECT_EQ(g.at(0, 0)[3], 0);
  EXPECT_EQ(g.at(2 + 8, 2 + 8)[3], 255);
  EXPECT_EQ(make_grid({sprite()}, 1).channels, 3);
}

}  // namespace pokegan
