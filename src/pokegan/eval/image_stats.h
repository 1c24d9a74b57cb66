// Pixel-level statistics behind the study's subjective columns (§2.6), made numeric. Each sprite
// is split into foreground and background by its distance from the background colour; then:
//   Colour  a histogram of the foreground: 24 hue bins for chromatic pixels (saturation and value
//           at least 0.2) and 3 lightness bins for achromatic ones (black, grey, light). Two sets
//           are compared by the total-variation distance of their pooled histograms (0 = same
//           colours in the same proportions, 1 = disjoint).
//   Shape   silhouette features: foreground area share, how much of its bounding box it fills,
//           the box's log aspect ratio, boundary pixels per sqrt(area) (jaggedness), and the
//           number of 4-connected foreground parts. Two sets are compared by the 1-D Wasserstein
//           distance of each feature, divided by that feature's standard deviation over the
//           second (real) set, averaged over the five.
//   Detail  high-frequency energy: the mean squared 4-neighbour Laplacian of luminance in [0, 1].
//           Two sets are compared by the ratio of their means (1 = as much fine detail as the real
//           sprites; below 1 blurrier, above 1 noisier).
//   Stripes vertical against horizontal stripe energy: the power of the luminance spectrum at
//           vertical frequencies 0 and +-1 (a pattern the same down the rows) and horizontal
//           frequencies of at least S/8 cycles, over the same with the axes swapped. Two sets are
//           compared by the ratio of their pooled ratios (1 = as isotropic as the real sprites;
//           above 1 vertical stripes, below 1 horizontal ones). The study's U-Net, whose input
//           plane repeats one vector down every row, scores far above 1.
// Torch-free: it runs on the uint8 sprites themselves.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

#include "pokegan/io/draw.h"

namespace pokegan {

constexpr int kHueBins = 24;
constexpr int kColourBins = kHueBins + 3;
constexpr int kShapeFeatures = 5;

struct SpriteStats {
  std::array<double, kColourBins> colour{};         // foreground pixel counts per bin
  std::array<double, kShapeFeatures> shape{};       // area, fill, log aspect, boundary, parts
  double detail = 0;                                // mean squared Laplacian
  double stripes_v = 0, stripes_h = 0;              // vertical / horizontal stripe power
};

// rgb: [size, size, 3] uint8. A pixel is foreground when any channel differs from `background`
// by more than 24.
SpriteStats sprite_stats(const uint8_t* rgb, int size, Rgb background = {255, 255, 255});

// The most common colour among the four corner pixels of the images (the background).
Rgb corner_background(const uint8_t* images, int64_t count, int size);

double colour_distance(const std::vector<SpriteStats>& a, const std::vector<SpriteStats>& b);
double shape_distance(const std::vector<SpriteStats>& a, const std::vector<SpriteStats>& real);
double detail_ratio(const std::vector<SpriteStats>& a, const std::vector<SpriteStats>& real);
double stripe_ratio(const std::vector<SpriteStats>& a, const std::vector<SpriteStats>& real);

// 1-D Wasserstein-1 distance between two empirical distributions.
double wasserstein1(std::vector<double> a, std::vector<double> b);

}  // namespace pokegan
