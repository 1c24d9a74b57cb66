#include "pokegan/training/presets.h"

#include <functional>
#include <map>

#include "pokegan/common/error.h"

namespace pokegan {

namespace {

// The study's conditional DCGAN (§2.2.1) with its §2.5 training settings: Adam lr 2e-4,
// betas (0.5, 0.999), batch 128; G gets the one-hot class with z, D a 16-dim class embedding
// tiled as a 4th channel; BCE with label smoothing (real U(0.9,1), fake U(0,0.1)).
TrainConfig cdcgan() {
  TrainConfig c;
  c.preset = "cdcgan";
  c.description = "Conditional DCGAN baseline (study §2.2.1), full width";
  c.epochs = 50;
  return c;
}

// The same model at the width the 20-minute main job can afford on 2 CPU cores (see
// docs/performance.md): a quarter of the channels (16 instead of 64), batch 64, 2000 steps
// (about 8 minutes at the measured 261 img/s). Everything else as cdcgan.
TrainConfig cdcgan_quick() {
  TrainConfig c = cdcgan();
  c.preset = "cdcgan-quick";
  c.description = "Conditional DCGAN baseline at quarter width for a ~8-minute CPU run";
  c.g.base_channels = 16;
  c.d.base_channels = 16;
  c.batch = 64;
  c.epochs = 0;
  c.steps = 2000;
  c.sample_every = 250;
  c.checkpoint_every = 500;
  return c;
}

// Seed 004's Keras DCGAN: unconditional, D's real target 0.9 (one-sided smoothing), G's 1,
// recolouring augmentation on.
TrainConfig dcgan() {
  TrainConfig c;
  c.preset = "dcgan";
  c.description = "Unconditional DCGAN with recolouring (seed 004)";
  c.g.conditional = false;
  c.d.conditional = false;
  c.loss.real_min = c.loss.real_max = 0.9;
  c.loss.fake_min = c.loss.fake_max = 0.0;
  c.augment.hue = true;
  c.epochs = 50;
  return c;
}

const std::map<std::string, std::function<TrainConfig()>>& registry() {
  static const std::map<std::string, std::function<TrainConfig()>> r = {
      {"cdcgan", cdcgan}, {"cdcgan-quick", cdcgan_quick}, {"dcgan", dcgan}};
  return r;
}

}  // namespace

std::vector<std::string> preset_names() {
  std::vector<std::string> names;
  for (const auto& [n, f] : registry()) names.push_back(n);
  return names;
}

TrainConfig preset(const std::string& name) {
  auto it = registry().find(name);
  if (it == registry().end()) {
    std::string valid;
    for (const auto& n : preset_names()) valid += (valid.empty() ? "" : ", ") + n;
    throw Error("unknown preset '" + name + "' (valid: " + valid + ")");
  }
  return it->second();
}

}  // namespace pokegan
