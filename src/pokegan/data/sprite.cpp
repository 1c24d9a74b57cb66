#include "pokegan/data/sprite.h"

#include <stb_image_resize.h>

#include <algorithm>

#include "pokegan/common/error.h"

namespace pokegan {

std::vector<int> pick_frames(int n, int k) {
  std::vector<int> idx;
  if (n <= 0 || k <= 0) return idx;
  if (n <= k) {
    for (int i = 0; i < n; ++i) idx.push_back(i);
    return idx;
  }
  for (int i = 0; i < k; ++i) idx.push_back(static_cast<int>(int64_t(i) * n / k));
  return idx;
}

namespace {

struct Box {
  int x0, y0, x1, y1;  // half-open
  bool empty() const { return x1 <= x0 || y1 <= y0; }
};

Box opaque_box(const Image& im) {
  Box b{im.width, im.height, 0, 0};
  for (int y = 0; y < im.height; ++y)
    for (int x = 0; x < im.width; ++x)
      if (im.at(x, y)[3] > 0) {
        b.x0 = std::min(b.x0, x), b.y0 = std::min(b.y0, y);
        b.x1 = std::max(b.x1, x + 1), b.y1 = std::max(b.y1, y + 1);
      }
  return b;
}

// Crops `im` (RGBA) to `b`, pads it to a centred square and composites on `bg`; returns RGB.
Image crop_square_composite(const Image& im, Box b, Rgb bg) {
  const int w = b.x1 - b.x0, h = b.y1 - b.y0, side = std::max(w, h);
  const int ox = (side - w) / 2, oy = (side - h) / 2;
  Image out(side, side, 3);
  fill_rect(out, 0, 0, side, side, bg);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const uint8_t* p = im.at(b.x0 + x, b.y0 + y);
      uint8_t* q = out.at(ox + x, oy + y);
      const int a = im.channels == 4 ? p[3] : 255;
      for (int c = 0; c < 3; ++c) q[c] = static_cast<uint8_t>((p[c] * a + bg[c] * (255 - a) + 127) / 255);
    }
  return out;
}

Image resize_rgb(const Image& sq, int size) {
  if (sq.width == size && sq.height == size) return sq;
  Image out(size, size, 3);
  const int ok = stbir_resize_uint8_generic(sq.pixels.data(), sq.width, sq.height, sq.width * 3,
                                            out.pixels.data(), size, size, size * 3, 3,
                                            STBIR_ALPHA_CHANNEL_NONE, 0, STBIR_EDGE_CLAMP,
                                            STBIR_FILTER_MITCHELL, STBIR_COLORSPACE_LINEAR, nullptr);
  if (!ok) throw Error("image resize failed");
  return out;
}

Image to_rgba(const Image& im) {
  if (im.channels == 4) return im;
  Image out(im.width, im.height, 4, 255);
  for (int y = 0; y < im.height; ++y)
    for (int x = 0; x < im.width; ++x) std::copy_n(im.at(x, y), 3, out.at(x, y));
  return out;
}

}  // namespace

std::vector<Image> process_sprite(const std::vector<Image>& frames, const SpriteOptions& opt) {
  if (opt.size < 8) throw Error("--size must be at least 8, got " + std::to_string(opt.size));
  std::vector<Image> chosen;
  for (int i : pick_frames(static_cast<int>(frames.size()), opt.frames)) chosen.push_back(to_rgba(frames[i]));
  Box u{1 << 30, 1 << 30, 0, 0};
  for (const auto& f : chosen) {
    const Box b = opaque_box(f);
    if (b.empty()) continue;
    u = {std::min(u.x0, b.x0), std::min(u.y0, b.y0), std::max(u.x1, b.x1), std::max(u.y1, b.y1)};
  }
  std::vector<Image> out;
  if (u.empty()) return out;  // fully transparent animation: nothing to learn from
  for (const auto& f : chosen) {
    const Box m{std::max(0, u.x0 - opt.margin), std::max(0, u.y0 - opt.margin),
                std::min(f.width, u.x1 + opt.margin), std::min(f.height, u.y1 + opt.margin)};
    out.push_back(resize_rgb(crop_square_composite(f, m, opt.background), opt.size));
  }
  return out;
}

Image square_resize(const Image& im, int size, Rgb background) {
  const Image rgba = to_rgba(im);
  return resize_rgb(crop_square_composite(rgba, {0, 0, rgba.width, rgba.height}, background), size);
}

}  // namespace pokegan
