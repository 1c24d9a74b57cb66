#include "pokegan/io/image.h"

#include <gtest/gtest.h>

#include "pokegan/common/error.h"
#include "pokegan/common/fs.h"
#include "pokegan/io/draw.h"
#include "support/fixtures.h"
#include "support/gif_writer.h"

namespace pokegan {

TEST(Image, GifFramesDecodeWithColoursAndTransparency) {
  test::TempDir dir;
  const std::vector<Image> frames = {test::blob_frame(20, 14, {200, 10, 30}, 0), test::blob_frame(20, 14, {200, 10, 30}, 3)};
  test::write_gif(dir / "a.gif", frames);
  const auto back = load_frames(dir / "a.gif");
  ASSERT_EQ(back.size(), 2u);
  EXPECT_EQ(back[0].width, 20);
  EXPECT_EQ(back[0].height, 14);
  EXPECT_EQ(back[0].at(0, 0)[3], 0);          // transparent corner
  EXPECT_EQ(back[1].at(10, 7)[0], 200);       // opaque centre keeps its colour
  EXPECT_EQ(back[1].at(10, 7)[3], 255);
  EXPECT_EQ(back[0].at(5, 7)[3], 255);        // frame 0's rectangle starts at x=5
  EXPECT_EQ(back[1].at(5, 7)[3], 0);          // frame 1's is shifted by 3
}

TEST(Image, PngRoundTrip) {
  test::TempDir dir;
  Image im(5, 4, 3, 0);
  fill_rect(im, 1, 1, 2, 2, {10, 20, 30});
  write_png(dir / "a.png", im);
  const auto back = load_frames(dir / "a.png");
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].at(1, 1)[1], 20);
  EXPECT_EQ(back[0].at(0, 0)[0], 0);
}

TEST(Image, CorruptOrMissingFilesAreErrors) {
  test::TempDir dir;
  test::write_gif(dir / "a.gif", {test::blob_frame(8, 8, {1, 2, 3}, 0)});
  auto bytes = read_file(dir / "a.gif");
  bytes.resize(bytes.size() / 2);
  write_atomic(dir / "half.gif", bytes.data(), bytes.size());
  write_atomic(dir / "junk.gif", "GIF89a not really", 17);
  EXPECT_THROW(load_frames(dir / "junk.gif"), Error);
  EXPECT_THROW(load_frames(dir / "missing.gif"), Error);
  try {
    load_frames(dir / "half.gif");  // stb may recover a truncated frame; it must not crash
  } catch (const Error&) {
  }
}

TEST(Draw, GridPlacesTilesAndLabels) {
  std::vector<Image> tiles(4, Image(8, 8, 3, 0));
  const Image g = make_grid(tiles, 2, {"Fire", "Water"}, 2);
  EXPECT_EQ(g.height, 2 + 2 * (8 + 2));
  EXPECT_GT(g.width, 2 + 2 * (8 + 2));  // room for the labels
  int dark = 0;  // label text is drawn in the left margin
  for (int y = 0; y < g.height; ++y)
    for (int x = 0; x < g.width - 2 * (8 + 2) - 2; ++x) dark += g.at(x, y)[0] < 100;
  EXPECT_GT(dark, 10);
}

}  // namespace pokegan

namespace pokegan {
// A GIF that declares 20 frames of 8000x8000 (5 GB decoded) in a few hundred bytes: refused before
// any pixel is allocated (found by the image fuzz target's memory use).
TEST(ImageDecode, GifWhoseFramesWouldExhaustMemoryIsRefused) {
  std::vector<uint8_t> gif = {'G', 'I', 'F', '8', '9', 'a', 0x40, 0x1f, 0x40, 0x1f, 0, 0, 0};
  for (int i = 0; i < 20; ++i) {
    const uint8_t frame[] = {0x2C, 0, 0, 0, 0, 0x40, 0x1f, 0x40, 0x1f, 0, 2, 0};
    gif.insert(gif.end(), frame, frame + sizeof frame);
  }
  gif.push_back(0x3B);
  try {
    decode_frames(gif.data(), gif.size(), "bomb.gif");
    FAIL() << "decoded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("20 frames of 8000x8000"), std::string::npos) << e.what();
  }
}
}  // namespace pokegan
