// A minimal animated-GIF writer for tests, so that tests can make their own sprite files.
// Colours are taken as they are (at most 127 distinct opaque colours); alpha < 128 becomes the
// transparent index. LZW output uses only literal codes with a clear code every 120 pixels, which
// every decoder accepts and which keeps the code width fixed.
#pragma once
#include <filesystem>
#include <vector>

#include "pokegan/io/image.h"

namespace pokegan::test {

// All frames RGBA and of one size.
void write_gif(const std::filesystem::path& path, const std::vector<Image>& frames);

}  // namespace pokegan::test
