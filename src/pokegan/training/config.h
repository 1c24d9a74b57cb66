// TrainConfig: everything one run needs, as data. A preset (training/presets.h) is a named
// TrainConfig; the CLI overrides fields with --set a.b=value; the trainer writes it to
// <run>/config.json and into every checkpoint, and a resume reads it back from the checkpoint.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pokegan/models/options.h"

namespace pokegan {

struct LossOptions {
  std::string kind = "bce";  // bce | acgan
  // Label smoothing (Salimans et al. 2016, the study's §2.2.1): each D target is drawn uniformly
  // from [min, max]. The generator's target is always 1.
  double real_min = 0.9, real_max = 1.0;
  double fake_min = 0.0, fake_max = 0.1;
  // acgan (§2.3): loss = w_s * source term + w_c * class term, with (w_s, w_c) moving linearly
  // from their start to their end values over schedule_steps (0 = the whole run).
  double source_weight_start = 1.0, source_weight_end = 0.5;
  double class_weight_start = 0.5, class_weight_end = 1.0;
  int64_t schedule_steps = 0;
};

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

struct OptimOptions {
  double lr_g = 2e-4, lr_d = 2e-4;
  double beta1 = 0.5, beta2 = 0.999;
};

struct TrainConfig {
  std::string preset;
  std::string description;
  std::string data;  // dataset path
  // Filled from the dataset when a run starts:
  int image_size = 64;
  std::vector<std::string> classes;

  GeneratorOptions g;
  DiscriminatorOptions d;
  LossOptions loss;
  AugmentOptions augment;
  OptimOptions optim;
  AutoencoderOptions ae;

  int batch = 128;
  int64_t steps = 0;   // total optimisation steps; 0 = use epochs
  int epochs = 0;      // used when steps == 0
  uint64_t seed = 0;
  std::string split = "train";  // "train" (held-out species unseen) or "all"

  int log_every = 10;
  int sample_every = 200;
  int checkpoint_every = 500;
  int keep_checkpoints = 3;
  int samples_per_class = 8;
  // Generator EMA (as StyleGAN2-ADA and BigGAN): sampling uses an exponential moving average of
  // G's weights, decay ema_decay with a warm-up of min(decay, (1 + step) / (10 + step)). 0 = off.
  double ema_decay = 0.999;
  // Mixed precision for the training step's forward passes: "off" or "bf16" (autocast; weights,
  // gradients, optimiser state and losses stay float32). Meant for CUDA; on CPUs without bfloat16
  // instructions it is slower (docs/performance.md).
  std::string amp = "off";

  int num_classes() const { return static_cast<int>(classes.size()); }
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(LossOptions, kind, real_min, real_max, fake_min, fake_max,
                                                source_weight_start, source_weight_end, class_weight_start,
                                                class_weight_end, schedule_steps)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(AugmentOptions, hflip, rotate_degrees, rotate_prob, hue, hue_prob,
                                                diffaug)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(OptimOptions, lr_g, lr_d, beta1, beta2)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TrainConfig, preset, description, data, image_size, classes,
                                                g, d, loss, augment, optim, ae, batch, steps, epochs, seed,
                                                split, log_every, sample_every, checkpoint_every,
                                                keep_checkpoints, samples_per_class, ema_decay, amp)

// Applies "a.b.c=value" to the config. The value is parsed as JSON when it parses (numbers, true,
// [1,2]), else taken as a string. Throws Error for an unknown key or a value of the wrong type.
void apply_override(TrainConfig& cfg, const std::string& assignment);

// Checks ranges (batch > 0, lr > 0, ...); throws Error with the offending key.
void validate(const TrainConfig& cfg);

}  // namespace pokegan
