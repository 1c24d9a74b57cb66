// Image decoding (GIF with every frame, PNG, JPEG, BMP through stb): any bytes either decode to
// frames of sane size or throw pokegan::Error.
#include "fuzz_util.h"
#include "pokegan/io/image.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::expect_parse_or_error([&] {
    for (const auto& im : pokegan::decode_frames(data, size, "fuzz"))
      if (im.pixels.size() != size_t(im.width) * im.height * im.channels) __builtin_trap();
  });
  return 0;
}
