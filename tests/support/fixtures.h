// Shared test fixtures: temporary directories, a tiny fetched-sprites tree made of GIFs the test
// writes itself, and a tiny in-memory dataset.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "pokegan/data/dataset.h"
#include "pokegan/io/draw.h"
#include "pokegan/training/config.h"

namespace pokegan::test {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& s) const { return path_ / s; }

 private:
  std::filesystem::path path_;
};

// A w x h RGBA frame: transparent, with an opaque `color` rectangle shifted right by `shift`.
Image blob_frame(int w, int h, Rgb color, int shift);

// <dir>/types.csv and <dir>/sprites/{,shiny/} with these files (3 frames each, 20x14):
//   1 (Grass/Poison), 4 (Fire), 7 (Water), 25 (Electric), 361 (Ice), 479 (Electric/Ghost),
//   479-heat (Electric/Fire), 479-wash (not in the table; Rotom's forms differ -> left out),
//   414-plant (not in the table; Mothim has one typing -> kept), 10001 and substitute (skipped);
//   shiny/1.gif and shiny/4.gif.
void make_raw_dir(const std::filesystem::path& dir);

// `per_class` images for each of `classes` classes at size x size: class c is a square of colour c
// on white. Species = i / 2; a quarter of the species held out.
Dataset tiny_dataset(int per_class = 8, int classes = 3, int size = 16);

// A preset with every network shrunk to a few channels (all its parts, none of its size), batch 4,
// stats every step, no periodic samples or checkpoints. Tests set steps and seed themselves.
TrainConfig tiny_preset(const std::string& name);

// A checkpoint of the tiny `preset` trained `steps` steps on `ds` (one thread), written under
// `run_dir`: what the model-file, sprite-model and server tests open.
// `sets` are --set style overrides ("dual_types=true").
std::filesystem::path tiny_checkpoint(const Dataset& ds, const std::filesystem::path& run_dir, int steps,
                                      uint64_t seed, const std::string& preset = "sprite",
                                      const std::vector<std::string>& sets = {});

// make_raw_dir(dir), then `pokegan data prepare` of it at 16 px (2 frames, 20% of species held
// out) into dir/d.safetensors: the dataset the CLI, fault and distributed tests train on. Returns
// the CLI's exit code, its output in *log.
int prepare_tiny_data(const std::filesystem::path& dir, std::string* log);

// Runs the pokegan binary with `args` (behind `wrapper`, e.g. "timeout -s INT 5 "); returns its
// exit code and captures stdout+stderr.
int run_cli(const std::string& args, std::string* output = nullptr, const std::string& wrapper = "");

}  // namespace pokegan::test
