#include "pokegan/io/pixelart.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <limits>
#include <map>
#include <random>
#include <set>

#include "pokegan/common/error.h"

namespace pokegan {

namespace {

// A pixel counts as background white when every channel is at least this (GAN output on white
// rarely reaches 255 exactly), and as halo when it touches the background and is at least kPale.
constexpr int kWhite = 232;
constexpr int kPale = 200;
constexpr std::array<uint8_t, 3> kOutline = {20, 18, 28};

using Lab = std::array<float, 3>;

float srgb_to_linear(float c) { return c <= 0.04045f ? c / 12.92f : std::pow((c + 0.055f) / 1.055f, 2.4f); }
float linear_to_srgb(float c) {
  c = std::clamp(c, 0.0f, 1.0f);
  return c <= 0.0031308f ? 12.92f * c : 1.055f * std::pow(c, 1.0f / 2.4f) - 0.055f;
}

// OKLab (Björn Ottosson, 2020): Euclidean distance there follows perceived colour difference far
// better than in RGB, which is what a palette of few colours needs.
Lab to_oklab(const uint8_t* p) {
  const float r = srgb_to_linear(p[0] / 255.0f), g = srgb_to_linear(p[1] / 255.0f), b = srgb_to_linear(p[2] / 255.0f);
  const float l = std::cbrt(0.4122214708f * r + 0.5363325363f * g + 0.0514459929f * b);
  const float m = std::cbrt(0.2119034982f * r + 0.6806995451f * g + 0.1073969566f * b);
  const float s = std::cbrt(0.0883024619f * r + 0.2817188376f * g + 0.6299787005f * b);
  return {0.2104542553f * l + 0.7936177850f * m - 0.0040720468f * s,
          1.9779984951f * l - 2.4285922050f * m + 0.4505937099f * s,
          0.0259040371f * l + 0.7827717662f * m - 0.8086757660f * s};
}

std::array<uint8_t, 3> from_oklab(const Lab& c) {
  const float l = c[0] + 0.3963377774f * c[1] + 0.2158037573f * c[2];
  const float m = c[0] - 0.1055613458f * c[1] - 0.0638541728f * c[2];
  const float s = c[0] - 0.0894841775f * c[1] - 1.2914855480f * c[2];
  const float l3 = l * l * l, m3 = m * m * m, s3 = s * s * s;
  const float rgb[3] = {4.0767416621f * l3 - 3.3077115913f * m3 + 0.2309699292f * s3,
                        -1.2684380046f * l3 + 2.6097574011f * m3 - 0.3413193965f * s3,
                        -0.0041960863f * l3 - 0.7034186147f * m3 + 1.7076147010f * s3};
  std::array<uint8_t, 3> out{};
  for (int i = 0; i < 3; ++i) out[size_t(i)] = static_cast<uint8_t>(std::lround(linear_to_srgb(rgb[i]) * 255.0f));
  return out;
}

float dist2(const Lab& a, const Lab& b) {
  const float d0 = a[0] - b[0], d1 = a[1] - b[1], d2 = a[2] - b[2];
  return d0 * d0 + d1 * d1 + d2 * d2;
}

bool near_white(const uint8_t* p, int threshold) { return p[0] >= threshold && p[1] >= threshold && p[2] >= threshold; }

}  // namespace

void check_pixel_art(const PixelArtOptions& opt) {
  if (opt.scale != 1 && opt.scale != 2 && opt.scale != 4 && opt.scale != 8)
    throw Error("scale must be 1, 2, 4 or 8, got " + std::to_string(opt.scale));
  if (opt.palette != 0 && (opt.palette < kMinPalette || opt.palette > kMaxPalette))
    throw Error("palette must be 0 (off) or in " + std::to_string(kMinPalette) + ".." + std::to_string(kMaxPalette) +
                ", got " + std::to_string(opt.palette));
  if (opt.palette != 0 && opt.outline && opt.palette < 3)
    throw Error("palette must be at least 3 with outline (background and outline take one colour each), got " +
                std::to_string(opt.palette));
}

std::vector<uint8_t> background_mask(const Image& rgb) {
  const int w = rgb.width, h = rgb.height;
  std::vector<uint8_t> mask(size_t(w) * h, 0);
  std::deque<std::pair<int, int>> todo;
  auto seed = [&](int x, int y) {
    const size_t i = size_t(y) * w + x;
    if (!mask[i] && near_white(rgb.at(x, y), kWhite)) mask[i] = 1, todo.emplace_back(x, y);
  };
  for (int x = 0; x < w; ++x) seed(x, 0), seed(x, h - 1);
  for (int y = 0; y < h; ++y) seed(0, y), seed(w - 1, y);
  while (!todo.empty()) {
    const auto [x, y] = todo.front();
    todo.pop_front();
    if (x > 0) seed(x - 1, y);
    if (x + 1 < w) seed(x + 1, y);
    if (y > 0) seed(x, y - 1);
    if (y + 1 < h) seed(x, y + 1);
  }
  // The halo: one ring of pale pixels where the sprite's edge was blended into the white.
  std::vector<uint8_t> out = mask;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const size_t i = size_t(y) * w + x;
      if (mask[i] || !near_white(rgb.at(x, y), kPale)) continue;
      const bool touches = (x > 0 && mask[i - 1]) || (x + 1 < w && mask[i + 1]) || (y > 0 && mask[i - size_t(w)]) ||
                           (y + 1 < h && mask[i + size_t(w)]);
      if (touches) out[i] = 1;
    }
  return out;
}

void quantize(Image& rgb, const std::vector<uint8_t>& mask, int colours) {
  if (colours < 1) throw Error("quantize needs at least one colour");
  const size_t n = size_t(rgb.width) * rgb.height;
  // Distinct colours with their counts: a weighted k-means over them is exact and much smaller.
  std::map<std::array<uint8_t, 3>, int> hist;
  for (size_t i = 0; i < n; ++i)
    if (mask.empty() || !mask[i]) {
      const uint8_t* p = &rgb.pixels[i * size_t(rgb.channels)];
      ++hist[{p[0], p[1], p[2]}];
    }
  if (hist.size() <= size_t(colours)) return;
  std::vector<Lab> pts;
  std::vector<float> wts;
  for (const auto& [c, k] : hist) pts.push_back(to_oklab(c.data())), wts.push_back(float(k));

  // k-means++ seeding with a fixed generator: the same sprite always gets the same palette.
  std::mt19937 rng(0);
  std::vector<Lab> centres{pts[size_t(std::max_element(wts.begin(), wts.end()) - wts.begin())]};
  std::vector<float> d(pts.size());
  while (centres.size() < size_t(colours)) {
    double total = 0;
    for (size_t i = 0; i < pts.size(); ++i) {
      float best = std::numeric_limits<float>::max();
      for (const auto& c : centres) best = std::min(best, dist2(pts[i], c));
      d[i] = best * wts[i];
      total += d[i];
    }
    if (total <= 0) break;
    double r = std::uniform_real_distribution<double>(0, total)(rng);
    size_t pick = 0;
    for (; pick + 1 < pts.size() && r > d[pick]; ++pick) r -= d[pick];
    centres.push_back(pts[pick]);
  }
  std::vector<int> assign(pts.size(), 0);
  for (int iter = 0; iter < 20; ++iter) {
    bool changed = false;
    for (size_t i = 0; i < pts.size(); ++i) {
      int best = 0;
      float bd = std::numeric_limits<float>::max();
      for (size_t c = 0; c < centres.size(); ++c) {
        const float dd = dist2(pts[i], centres[c]);
        if (dd < bd) bd = dd, best = int(c);
      }
      changed |= best != assign[i];
      assign[i] = best;
    }
    if (!changed && iter > 0) break;
    std::vector<Lab> sum(centres.size(), Lab{0, 0, 0});
    std::vector<double> wsum(centres.size(), 0);
    for (size_t i = 0; i < pts.size(); ++i) {
      for (int k = 0; k < 3; ++k) sum[size_t(assign[i])][size_t(k)] += pts[i][size_t(k)] * wts[i];
      wsum[size_t(assign[i])] += wts[i];
    }
    for (size_t c = 0; c < centres.size(); ++c)
      if (wsum[c] > 0)
        for (int k = 0; k < 3; ++k) centres[c][size_t(k)] = float(sum[c][size_t(k)] / wsum[c]);
  }
  std::map<std::array<uint8_t, 3>, std::array<uint8_t, 3>> to;
  size_t i = 0;
  for (const auto& [c, k] : hist) to[c] = from_oklab(centres[size_t(assign[i++])]);
  for (size_t p = 0; p < n; ++p)
    if (mask.empty() || !mask[p]) {
      uint8_t* px = &rgb.pixels[p * size_t(rgb.channels)];
      const auto& c = to.at({px[0], px[1], px[2]});
      px[0] = c[0], px[1] = c[1], px[2] = c[2];
    }
}

Image to_pixel_art(const Image& rgb, const PixelArtOptions& opt) {
  check_pixel_art(opt);
  if (rgb.channels != 3) throw Error("pixel-art export takes an RGB image");
  const int w = rgb.width, h = rgb.height;
  Image img = rgb;
  const bool needs_mask = opt.transparent || opt.outline || opt.palette > 0;
  std::vector<uint8_t> bg = needs_mask ? background_mask(rgb) : std::vector<uint8_t>{};
  const bool has_bg = std::find(bg.begin(), bg.end(), 1) != bg.end();
  // Background pixels become one colour (white, or transparent below), the halo included.
  for (size_t i = 0; i < bg.size(); ++i)
    if (bg[i]) std::fill_n(&img.pixels[i * 3], 3, uint8_t(255));
  if (opt.palette > 0) {
    const int budget = opt.palette - (has_bg ? 1 : 0) - (opt.outline ? 1 : 0);
    quantize(img, bg, std::max(budget, 1));
  }
  std::vector<uint8_t> line(bg.size(), 0);
  if (opt.outline)
    for (int y = 0; y < h; ++y)
      for (int x = 0; x < w; ++x) {
        const size_t i = size_t(y) * w + x;
        if (!bg[i]) continue;
        const bool touches = (x > 0 && !bg[i - 1]) || (x + 1 < w && !bg[i + 1]) || (y > 0 && !bg[i - size_t(w)]) ||
                             (y + 1 < h && !bg[i + size_t(w)]);
        if (touches) line[i] = 1;
      }
  const int ch = opt.transparent ? 4 : 3;
  Image out(w * opt.scale, h * opt.scale, ch);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const size_t i = size_t(y) * w + x;
      uint8_t px[4] = {img.at(x, y)[0], img.at(x, y)[1], img.at(x, y)[2], 255};
      if (!line.empty() && line[i]) std::copy(kOutline.begin(), kOutline.end(), px);
      else if (opt.transparent && bg[i]) px[0] = px[1] = px[2] = px[3] = 0;
      for (int dy = 0; dy < opt.scale; ++dy)
        for (int dx = 0; dx < opt.scale; ++dx) std::copy_n(px, ch, out.at(x * opt.scale + dx, y * opt.scale + dy));
    }
  return out;
}

int count_colours(const Image& image) {
  std::set<uint32_t> seen;
  const size_t n = size_t(image.width) * image.height;
  for (size_t i = 0; i < n; ++i) {
    const uint8_t* p = &image.pixels[i * size_t(image.channels)];
    uint32_t v = 0;
    for (int c = 0; c < image.channels; ++c) v = (v << 8) | p[c];
    seen.insert(v);
  }
  return int(seen.size());
}

}  // namespace pokegan
