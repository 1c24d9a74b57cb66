// The training sprites closest to a generated one, in pixels: what the studio shows beside a sprite
// so a designer sees at once whether it is new or a near-copy. Pixel distance at half resolution
// (32x32, average-pooled) is what a person compares by eye, and it needs no classifier.
// Only the training split is indexed (the sprites the model saw).
#pragma once
#include <vector>

#include <torch/types.h>

#include "pokegan/data/dataset.h"
#include "pokegan/io/image.h"

namespace pokegan {

constexpr int kMaxNearest = 16;

class NearestReal {
 public:
  explicit NearestReal(const Dataset& ds);
  struct Match {
    Image image;
    int64_t index = 0;     // row in the dataset
    int32_t species = 0;   // national number
    std::string type;      // its class name
    double distance = 0;   // RMS pixel difference at 32x32, 0..1 scale of [0, 1] pixels
  };
  // The k closest training sprites to an RGB sprite of the dataset's size, closest first.
  std::vector<Match> nearest(const Image& sprite, int k) const;
  int64_t size() const { return feats_.size(0); }

 private:
  torch::Tensor features(const torch::Tensor& u8_nhwc) const;  // [N, 3*32*32] in [0, 1]
  const Dataset& ds_;
  std::vector<int64_t> rows_;  // dataset rows of the training split
  torch::Tensor feats_;        // [rows, D]
};

}  // namespace pokegan
