#include "support/gif_writer.h"

#include <array>
#include <cstdio>
#include <map>
#include <stdexcept>

namespace pokegan::test {

namespace {
void put16(std::vector<uint8_t>& o, int v) {
  o.push_back(static_cast<uint8_t>(v & 255));
  o.push_back(static_cast<uint8_t>(v >> 8));
}
}  // namespace

void write_gif(const std::filesystem::path& path, const std::vector<Image>& frames) {
  const int w = frames.at(0).width, h = frames.at(0).height;
  constexpr int kTransparent = 127, kClear = 128, kEnd = 129;
  std::map<std::array<uint8_t, 3>, int> palette;
  std::vector<std::vector<uint8_t>> indices;
  for (const auto& f : frames) {
    std::vector<uint8_t> idx;
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        const uint8_t* p = f.at(x, y);
        if (p[3] < 128) {
          idx.push_back(kTransparent);
          continue;
        }
        const std::array<uint8_t, 3> c{p[0], p[1], p[2]};
        auto it = palette.find(c);
        if (it == palette.end()) {
          if (palette.size() >= kTransparent) throw std::runtime_error("write_gif: too many colours");
          it = palette.emplace(c, static_cast<int>(palette.size())).first;
        }
        idx.push_back(static_cast<uint8_t>(it->second));
      }
    indices.push_back(std::move(idx));
  }
  std::vector<uint8_t> o = {'G', 'I', 'F', '8', '9', 'a'};
  put16(o, w);
  put16(o, h);
  o.insert(o.end(), {0xF6, 0, 0});  // global colour table of 128 entries
  std::vector<uint8_t> table(128 * 3, 255);
  for (const auto& [c, i] : palette)
    for (int k = 0; k < 3; ++k) table[i * 3 + k] = c[k];
  o.insert(o.end(), table.begin(), table.end());
  for (const auto& idx : indices) {
    o.insert(o.end(), {0x21, 0xF9, 0x04, (2 << 2) | 1, 10, 0, kTransparent, 0});  // restore bg, transparent
    o.push_back(0x2C);
    put16(o, 0), put16(o, 0), put16(o, w), put16(o, h);
    o.push_back(0);
    o.push_back(7);  // LZW minimum code size: codes are 8 bits wide here
    std::vector<uint8_t> codes = {kClear};
    for (size_t i = 0; i < idx.size(); ++i) {
      if (i > 0 && i % 120 == 0) codes.push_back(kClear);
      codes.push_back(idx[i]);
    }
    codes.push_back(kEnd);
    for (size_t i = 0; i < codes.size(); i += 255) {
      const size_t n = std::min<size_t>(255, codes.size() - i);
      o.push_back(static_cast<uint8_t>(n));
      o.insert(o.end(), codes.begin() + static_cast<long>(i), codes.begin() + static_cast<long>(i + n));
    }
    o.push_back(0);
  }
  o.push_back(0x3B);
  std::filesystem::create_directories(path.parent_path());
  std::FILE* f = std::fopen(path.c_str(), "wb");
  std::fwrite(o.data(), 1, o.size(), f);
  std::fclose(f);
}

}  // namespace pokegan::test
