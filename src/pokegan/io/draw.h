// Drawing on RGB images: filled rectangles, pasted tiles and text (stb_easy_font's vector glyphs,
// rasterised at an integer scale). Enough for labelled sample grids and bar charts without a GUI
// or font dependency.
#pragma once
#include <array>
#include <string>
#include <vector>

#include "pokegan/io/image.h"

namespace pokegan {

using Rgb = std::array<uint8_t, 3>;

void fill_rect(Image& canvas, int x, int y, int w, int h, Rgb color);
// tile: RGB or RGBA; an RGB canvas drops the tile's alpha, an RGBA canvas keeps it (RGB tiles opaque).
void paste(Image& canvas, const Image& tile, int x, int y);
// Draws `text` with its top-left corner at (x, y); a glyph cell is about 6x7 px times `scale`.
void draw_text(Image& canvas, int x, int y, const std::string& text, int scale, Rgb color);
int text_width(const std::string& text, int scale);
constexpr int text_height(int scale) { return 7 * scale; }

// A grid of equally sized tiles, `cols` per row, with an optional label left of each row.
// tiles.size() need not fill the last row. All tiles must have one size. With RGBA tiles the
// canvas is RGBA and transparent between tiles (`background` unused).
Image make_grid(const std::vector<Image>& tiles, int cols,
                const std::vector<std::string>& row_labels = {}, int pad = 2,
                Rgb background = {255, 255, 255});

// A horizontal bar chart: one labelled bar per value, the value printed at the bar's end.
Image bar_chart(const std::string& title, const std::vector<std::string>& labels,
                const std::vector<double>& values, Rgb bar = {70, 110, 200});

}  // namespace pokegan
