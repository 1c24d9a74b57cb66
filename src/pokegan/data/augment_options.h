// AugmentOptions: the training-time augmentations (data/augment.h), as plain data with a JSON
// round trip (written into config.json and every checkpoint).
#pragma once
#include <string>

#include <nlohmann/json.hpp>

namespace pokegan {

struct AugmentOptions {
  bool hflip = true;           // p = 0.5
  double rotate_degrees = 10;  // uniform in [-d, d]; 0 disables
  double rotate_prob = 0.5;
  bool hue = false;            // seed 004's recolouring: a random hue rotation
  double hue_prob = 0.5;
  // DiffAugment (Zhao et al. 2020): differentiable augmentation of every image D sees, real and
  // fake, in both updates. Comma-separated policy: color, translation, cutout; empty = off.
  std::string diffaug;
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(AugmentOptions, hflip, rotate_degrees, rotate_prob, hue, hue_prob,
                                                diffaug)

}  // namespace pokegan
