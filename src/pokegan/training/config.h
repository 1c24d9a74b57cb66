// TrainConfig: everything one run needs, as data. A preset (training/presets.h) is a named
// TrainConfig; the CLI overrides fields with --set a.b=value; the trainer writes it to
// <run>/config.json and into every checkpoint, and a resume reads it back from the checkpoint.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pokegan/data/augment_options.h"
#include "pokegan/losses/options.h"
#include "pokegan/models/options.h"

namespace pokegan {

struct OptimOptions {
  double lr_g = 2e-4, lr_d = 2e-4;
  double beta1 = 0.5, beta2 = 0.999;
};

// What training does when it diverges: a loss or a weight that is NaN or Inf, or a loss whose size
// passes loss_max. "stop" ends the run with an error naming the step and the quantity, and writes
// nothing after the last good checkpoint. "rollback" reloads the last checkpoint, multiplies both
// learning rates by lr_scale and goes on, at most max_rollbacks times, then stops as "stop" does.
struct DivergenceOptions {
  std::string policy = "stop";
  double loss_max = 1e4;
  double lr_scale = 0.5;
  int max_rollbacks = 3;
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
  DivergenceOptions divergence;

  int batch = 128;  // the global batch: with W processes and micro_batches M, S = W x M shards of batch / S
  // Gradient accumulation: the batch is computed as this many shards, each with its own BatchNorm
  // statistics, and their gradients summed. With more than one process or micro-batch, every
  // shard's random draws come from a generator seeded by (seed, step, shard, phase), so that a shard
  // computes the same on any process (docs/distributed.md).
  int micro_batches = 1;
  int64_t steps = 0;   // total optimisation steps; 0 = use epochs
  int epochs = 0;      // used when steps == 0
  uint64_t seed = 0;
  std::string split = "train";  // "train" (held-out species unseen) or "all"
  // Dual-type conditioning: each sprite is labelled with both of its types (common/labels.h: a pair
  // label, whose code is the mean of the two classes' codes), so a model can be asked for
  // "Water + Dragon". Single-type species keep one label.
  bool dual_types = false;

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
  // Fine-tuning (`train --init FILE`): the checkpoint or model file whose weights started this run,
  // and that file's step. Every tensor of G, D, G_ema (E, D_z) whose name and shape match is copied
  // from it; the rest (a new class head, another number of classes) starts fresh; optimisers start
  // fresh. The EMA warm-up counts init_step + step, so a warm-started G_ema is not overwritten.
  std::string init_from;
  int64_t init_step = 0;

  int num_classes() const { return static_cast<int>(classes.size()); }
};

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(OptimOptions, lr_g, lr_d, beta1, beta2)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(DivergenceOptions, policy, loss_max, lr_scale, max_rollbacks)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TrainConfig, preset, description, data, image_size, classes,
                                                g, d, loss, augment, optim, ae, divergence, batch, micro_batches, steps, epochs, seed,
                                                split, dual_types, log_every, sample_every, checkpoint_every,
                                                keep_checkpoints, samples_per_class, ema_decay, amp, init_from, init_step)

// Applies "a.b.c=value" to the config. The value is parsed as JSON when it parses (numbers, true,
// [1,2]), else taken as a string. Throws Error for an unknown key or a value of the wrong type.
void apply_override(TrainConfig& cfg, const std::string& assignment);

// A TrainConfig from JSON text (config.json, a checkpoint's "config" metadata). Fields absent keep
// their defaults. Throws Error, naming `what` and the key, for text that is not JSON, a value of the
// wrong type, or a fractional number where a whole one belongs (converting 2.6e36 to an int would
// be undefined behaviour; found by fuzz/fuzz_config).
TrainConfig config_from_json(const std::string& text, const std::string& what);

// Checks ranges (batch > 0, lr > 0, ...); throws Error with the offending key.
void validate(const TrainConfig& cfg);

// Settings that are valid but probably not what the user wants, one line each (`pokegan train`
// prints them). Today: a class head on a D that also takes the class as an input channel
// (d.conditional=true with d.arch=patchgan, dcgan or mlp), which can read the label it is asked
// to predict instead of classifying the image.
std::vector<std::string> config_warnings(const TrainConfig& cfg);

}  // namespace pokegan
