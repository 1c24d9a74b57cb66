#include "pokegan/io/draw.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "pokegan/common/error.h"

#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#endif
#include <stb_easy_font.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

namespace pokegan {

void fill_rect(Image& canvas, int x, int y, int w, int h, Rgb color) {
  const int x0 = std::max(0, x), y0 = std::max(0, y);
  const int x1 = std::min(canvas.width, x + w), y1 = std::min(canvas.height, y + h);
  for (int yy = y0; yy < y1; ++yy)
    for (int xx = x0; xx < x1; ++xx) {
      std::memcpy(canvas.at(xx, yy), color.data(), 3);
      if (canvas.channels == 4) canvas.at(xx, yy)[3] = 255;
    }
}

void paste(Image& canvas, const Image& tile, int x, int y) {
  for (int ty = 0; ty < tile.height; ++ty) {
    const int cy = y + ty;
    if (cy < 0 || cy >= canvas.height) continue;
    for (int tx = 0; tx < tile.width; ++tx) {
      const int cx = x + tx;
      if (cx < 0 || cx >= canvas.width) continue;
      std::memcpy(canvas.at(cx, cy), tile.at(tx, ty), size_t(std::min(canvas.channels, tile.channels)));
      if (canvas.channels == 4 && tile.channels == 3) canvas.at(cx, cy)[3] = 255;
    }
  }
}

void draw_text(Image& canvas, int x, int y, const std::string& text, int scale, Rgb color) {
  // stb_easy_font emits quads of 4 vertices {x, y, z, color} (16 bytes each) in glyph units.
  std::vector<char> buf(text.size() * 1024 + 64);  // a glyph is at most ~16 quads of 64 bytes
  std::string copy = text;
  const int quads = stb_easy_font_print(0, 0, copy.data(), nullptr, buf.data(),
                                        static_cast<int>(buf.size()));
  for (int q = 0; q < quads; ++q) {
    const float* v = reinterpret_cast<const float*>(buf.data() + q * 64);
    const float qx0 = v[0], qy0 = v[1], qx1 = v[8], qy1 = v[9];
    fill_rect(canvas, x + int(std::lround(qx0 * scale)), y + int(std::lround(qy0 * scale)),
              int(std::lround((qx1 - qx0) * scale)), int(std::lround((qy1 - qy0) * scale)), color);
  }
}

int text_width(const std::string& text, int scale) {
  std::string copy = text;
  return stb_easy_font_width(copy.data()) * scale;
}

Image make_grid(const std::vector<Image>& tiles, int cols, const std::vector<std::string>& row_labels,
                int pad, Rgb background) {
  if (tiles.empty() || cols <= 0) throw Error("make_grid: nothing to draw");
  const int tw = tiles[0].width, th = tiles[0].height;
  const int rows = (static_cast<int>(tiles.size()) + cols - 1) / cols;
  const int scale = th >= 48 ? 2 : 1;
  int label_w = 0;
  for (const auto& l : row_labels) label_w = std::max(label_w, text_width(l, scale));
  if (label_w) label_w += 4 * scale;
  // RGBA tiles (transparent sprites) give a transparent canvas; labels are drawn opaque.
  const bool rgba = std::any_of(tiles.begin(), tiles.end(), [](const Image& t) { return t.channels == 4; });
  Image canvas(label_w + pad + cols * (tw + pad), pad + rows * (th + pad), rgba ? 4 : 3);
  if (!rgba) fill_rect(canvas, 0, 0, canvas.width, canvas.height, background);
  for (size_t i = 0; i < tiles.size(); ++i) {
    if (tiles[i].width != tw || tiles[i].height != th) throw Error("make_grid: tiles differ in size");
    const int r = static_cast<int>(i) / cols, c = static_cast<int>(i) % cols;
    paste(canvas, tiles[i], label_w + pad + c * (tw + pad), pad + r * (th + pad));
  }
  for (int r = 0; r < rows && r < static_cast<int>(row_labels.size()); ++r)
    draw_text(canvas, 2 * scale, pad + r * (th + pad) + (th - text_height(scale)) / 2,
              row_labels[r], scale, {20, 20, 20});
  return canvas;
}

Image bar_chart(const std::string& title, const std::vector<std::string>& labels,
                const std::vector<double>& values, Rgb bar) {
  const int scale = 2, row_h = 26, bar_max = 480, margin = 12;
  int label_w = 0;
  for (const auto& l : labels) label_w = std::max(label_w, text_width(l, scale));
  const double vmax = values.empty() ? 1 : std::max(1.0, *std::max_element(values.begin(), values.end()));
  const int width = margin + label_w + 10 + bar_max + 90;
  const int top = margin + text_height(scale) + 14;
  Image canvas(width, top + static_cast<int>(labels.size()) * row_h + margin, 3);
  fill_rect(canvas, 0, 0, canvas.width, canvas.height, {255, 255, 255});
  draw_text(canvas, margin, margin, title, scale, {0, 0, 0});
  for (size_t i = 0; i < labels.size(); ++i) {
    const int y = top + static_cast<int>(i) * row_h;
    draw_text(canvas, margin + label_w - text_width(labels[i], scale), y + 5, labels[i], scale,
              {30, 30, 30});
    const int len = static_cast<int>(std::lround(bar_max * values[i] / vmax));
    const int x = margin + label_w + 10;
    fill_rect(canvas, x, y + 2, len, row_h - 6, bar);
    char num[32];
    std::snprintf(num, sizeof num, "%g", values[i]);
    draw_text(canvas, x + len + 6, y + 5, num, scale, {30, 30, 30});
  }
  return canvas;
}

}  // namespace pokegan
