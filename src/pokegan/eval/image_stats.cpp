#include "pokegan/eval/image_stats.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <map>

#include "pokegan/common/error.h"

namespace pokegan {

namespace {

constexpr int kForegroundThreshold = 24;

int colour_bin(const uint8_t* p) {
  const double r = p[0] / 255.0, g = p[1] / 255.0, b = p[2] / 255.0;
  const double mx = std::max({r, g, b}), mn = std::min({r, g, b});
  const double v = mx, s = mx > 0 ? (mx - mn) / mx : 0;
  if (s < 0.2 || v < 0.2) {  // achromatic: black, grey, light
    const double l = 0.5 * (mx + mn);
    return kHueBins + (l < 0.25 ? 0 : l < 0.7 ? 1 : 2);
  }
  double h;  // degrees
  const double d = mx - mn;
  if (mx == r) h = 60 * std::fmod((g - b) / d + 6, 6.0);
  else if (mx == g) h = 60 * ((b - r) / d + 2);
  else h = 60 * ((r - g) / d + 4);
  return std::min(kHueBins - 1, static_cast<int>(h / (360.0 / kHueBins)));
}

// Number of 4-connected components of the mask (iterative flood fill).
int count_parts(std::vector<uint8_t> mask, int size) {
  int parts = 0;
  std::vector<int> stack;
  for (int start = 0; start < size * size; ++start) {
    if (!mask[start]) continue;
    ++parts;
    stack.assign(1, start);
    mask[start] = 0;
    while (!stack.empty()) {
      const int i = stack.back();
      stack.pop_back();
      const int x = i % size, y = i / size;
      const int nb[4][2] = {{x - 1, y}, {x + 1, y}, {x, y - 1}, {x, y + 1}};
      for (const auto& n : nb) {
        if (n[0] < 0 || n[1] < 0 || n[0] >= size || n[1] >= size) continue;
        const int j = n[1] * size + n[0];
        if (mask[j]) {
          mask[j] = 0;
          stack.push_back(j);
        }
      }
    }
  }
  return parts;
}

double mean(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return v.empty() ? 0.0 : s / double(v.size());
}

// The two stripe powers of a luminance image (SpriteStats::stripes_v, stripes_h): the image's DFT
// at frequencies (fy, fx) with |fy| <= 1 and |fx| >= size/8, and at the transposed ones, each
// summed |F|^2 with the mean removed. Direct sums over the three low frequencies, then over x.
void stripe_power(const std::vector<double>& lum, int size, double& vertical, double& horizontal) {
  double m = 0;
  for (double v : lum) m += v;
  m /= double(lum.size());
  std::vector<std::complex<double>> twiddle(static_cast<size_t>(size));  // e^(-2 pi i j / size)
  for (int j = 0; j < size; ++j) twiddle[size_t(j)] = std::polar(1.0, -2 * M_PI * j / size);
  auto e = [&](int64_t j) { return twiddle[size_t(((j % size) + size) % size)]; };
  const int lo = std::max(1, size / 8);
  // For a real image |F(-1, f)| = |F(1, -f)|, and the band is symmetric in f, so the power at
  // k = -1 equals that at k = 1: k = 1 is counted twice.
  auto band = [&](bool transpose) {
    double power = 0;
    for (int k = 0; k <= 1; ++k) {  // the low frequency along the pattern's long axis
      std::vector<std::complex<double>> c(static_cast<size_t>(size));
      for (int a = 0; a < size; ++a)    // a: position across the stripes
        for (int b = 0; b < size; ++b) {  // b: position along them
          const double v = (transpose ? lum[size_t(a * size + b)] : lum[size_t(b * size + a)]) - m;
          c[size_t(a)] += v * e(int64_t(k) * b);
        }
      for (int f = 0; f < size; ++f) {
        const int freq = f <= size / 2 ? f : size - f;
        if (freq < lo) continue;
        std::complex<double> F = 0;
        for (int a = 0; a < size; ++a) F += c[size_t(a)] * e(int64_t(f) * a);
        power += (k == 0 ? 1 : 2) * std::norm(F);
      }
    }
    return power;
  };
  vertical = band(false);   // varies along x, the same down the rows
  horizontal = band(true);  // varies along y, the same along the columns
}

}  // namespace

SpriteStats sprite_stats(const uint8_t* rgb, int size, Rgb background) {
  SpriteStats st;
  const int n = size * size;
  std::vector<uint8_t> mask(static_cast<size_t>(n), 0);
  std::vector<double> lum(static_cast<size_t>(n));
  int area = 0, x0 = size, y0 = size, x1 = -1, y1 = -1;
  for (int i = 0; i < n; ++i) {
    const uint8_t* p = rgb + size_t(i) * 3;
    lum[size_t(i)] = (0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]) / 255.0;
    int diff = 0;
    for (int c = 0; c < 3; ++c) diff = std::max(diff, std::abs(int(p[c]) - int(background[size_t(c)])));
    if (diff <= kForegroundThreshold) continue;
    mask[size_t(i)] = 1;
    ++area;
    st.colour[size_t(colour_bin(p))] += 1;
    const int x = i % size, y = i / size;
    x0 = std::min(x0, x), y0 = std::min(y0, y), x1 = std::max(x1, x), y1 = std::max(y1, y);
  }
  int boundary = 0;
  double energy = 0;
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x) {
      const int i = y * size + x;
      auto at = [&](int xx, int yy) {  // edge pixels repeat
        xx = std::clamp(xx, 0, size - 1), yy = std::clamp(yy, 0, size - 1);
        return size_t(yy * size + xx);
      };
      const double lap = 4 * lum[size_t(i)] - lum[at(x - 1, y)] - lum[at(x + 1, y)] - lum[at(x, y - 1)] - lum[at(x, y + 1)];
      energy += lap * lap;
      if (mask[size_t(i)] && (!mask[at(x - 1, y)] || !mask[at(x + 1, y)] || !mask[at(x, y - 1)] || !mask[at(x, y + 1)] ||
                              x == 0 || y == 0 || x == size - 1 || y == size - 1))
        ++boundary;
    }
  st.detail = energy / n;
  stripe_power(lum, size, st.stripes_v, st.stripes_h);
  if (area > 0) {
    const int bw = x1 - x0 + 1, bh = y1 - y0 + 1;
    st.shape = {double(area) / n, double(area) / (bw * bh), std::log(double(bw) / bh),
                boundary / std::sqrt(double(area)), double(count_parts(mask, size))};
  }
  return st;
}

Rgb corner_background(const uint8_t* images, int64_t count, int size) {
  std::map<Rgb, int64_t> votes;
  const size_t stride = size_t(size) * size * 3;
  const int corners[4][2] = {{0, 0}, {size - 1, 0}, {0, size - 1}, {size - 1, size - 1}};
  for (int64_t k = 0; k < count; ++k)
    for (const auto& c : corners) {
      const uint8_t* p = images + size_t(k) * stride + (size_t(c[1]) * size + c[0]) * 3;
      ++votes[Rgb{p[0], p[1], p[2]}];
    }
  if (votes.empty()) return {255, 255, 255};
  return std::max_element(votes.begin(), votes.end(), [](auto& a, auto& b) { return a.second < b.second; })->first;
}

double colour_distance(const std::vector<SpriteStats>& a, const std::vector<SpriteStats>& b) {
  auto pooled = [](const std::vector<SpriteStats>& v) {
    std::array<double, kColourBins> h{};
    double total = 0;
    for (const auto& s : v)
      for (int i = 0; i < kColourBins; ++i) h[size_t(i)] += s.colour[size_t(i)], total += s.colour[size_t(i)];
    for (double& x : h) x = total > 0 ? x / total : 0;
    return h;
  };
  const auto ha = pooled(a), hb = pooled(b);
  double tv = 0;
  for (int i = 0; i < kColourBins; ++i) tv += std::abs(ha[size_t(i)] - hb[size_t(i)]);
  return 0.5 * tv;
}

double wasserstein1(std::vector<double> a, std::vector<double> b) {
  if (a.empty() || b.empty()) throw Error("Wasserstein distance needs two non-empty samples");
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  // ∫ |F_a(x) - F_b(x)| dx over the merged support.
  std::vector<double> xs(a);
  xs.insert(xs.end(), b.begin(), b.end());
  std::sort(xs.begin(), xs.end());
  double w = 0;
  size_t ia = 0, ib = 0;
  for (size_t i = 0; i + 1 < xs.size(); ++i) {
    while (ia < a.size() && a[ia] <= xs[i]) ++ia;
    while (ib < b.size() && b[ib] <= xs[i]) ++ib;
    w += std::abs(double(ia) / a.size() - double(ib) / b.size()) * (xs[i + 1] - xs[i]);
  }
  return w;
}

double shape_distance(const std::vector<SpriteStats>& a, const std::vector<SpriteStats>& real) {
  double total = 0;
  for (int f = 0; f < kShapeFeatures; ++f) {
    std::vector<double> va, vr;
    for (const auto& s : a) va.push_back(s.shape[size_t(f)]);
    for (const auto& s : real) vr.push_back(s.shape[size_t(f)]);
    const double m = mean(vr);
    double var = 0;
    for (double x : vr) var += (x - m) * (x - m);
    const double sd = std::sqrt(var / std::max<size_t>(1, vr.size() - 1));
    total += wasserstein1(va, vr) / std::max(sd, 1e-6);
  }
  return total / kShapeFeatures;
}

double detail_ratio(const std::vector<SpriteStats>& a, const std::vector<SpriteStats>& real) {
  std::vector<double> da, dr;
  for (const auto& s : a) da.push_back(s.detail);
  for (const auto& s : real) dr.push_back(s.detail);
  const double r = mean(dr);
  return r > 0 ? mean(da) / r : 0.0;
}

double stripe_ratio(const std::vector<SpriteStats>& a, const std::vector<SpriteStats>& real) {
  auto pooled = [](const std::vector<SpriteStats>& set) {
    double v = 0, h = 0;
    for (const auto& s : set) v += s.stripes_v, h += s.stripes_h;
    return h > 0 ? v / h : 0.0;
  };
  const double r = pooled(real);
  return r > 0 ? pooled(a) / r : 0.0;
}

}  // namespace pokegan
