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
  // ADA (Karras et al. 2020, stylegan2-ada's "blit" group), on every image D sees like DiffAugment
  // and before it: each op of ada_policy (xflip, rot90, xint) is applied to an image with
  // probability p. p starts at 0 and moves every ada_interval steps by
  // sign(r_t - ada_target) * images / (ada_kimg * 1000), where r_t = E[sign(D(real))] over those
  // steps: up while D grows sure of the training sprites (overfits), down when it does not.
  // ada_target = 0 turns ADA off. p is objective state, kept in checkpoints.
  double ada_target = 0;
  std::string ada_policy = "xflip,rot90,xint";
  double ada_kimg = 100;
  int ada_interval = 4;
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(AugmentOptions, hflip, rotate_degrees, rotate_prob, hue, hue_prob,
                                                diffaug, ada_target, ada_policy, ada_kimg, ada_interval)

}  // namespace pokegan
