// A trained generator opened for making sprites: the one object `pokegan sample` and the studio's
// HTTP server both call, so that a sheet, a variation or an interpolation is the same picture from
// either. It is not training: no optimiser, no D, G always in eval mode.
//
// A sprite is named by (type, seed, index): its noise is sprite_noise(seed, index), so sprite 3 of
// the sheet with seed 7 is the same sprite whatever the sheet's size, and a link reproduces it.
//   truncation  z scaled by `trunc` in (0, 1]: lower is closer to the average sprite of the type
//               (fidelity), 1 is the full variety the model was trained with;
//   variations  z nudged: (z + strength * n_j) / sqrt(1 + strength^2), n_j fresh noise, so the
//               nudged z keeps the prior's scale;
//   interpolate spherical interpolation between two sprites' z (linear would pass through
//               low-norm z the model rarely saw).
#pragma once
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pokegan/io/image.h"
#include "pokegan/io/pixelart.h"
#include "pokegan/training/sampler.h"

namespace pokegan {

// Caps of one request, named by the CLI's and the server's errors.
constexpr int kMaxVariations = 64;
constexpr int kMaxInterpolationSteps = 64;
constexpr double kMinTrunc = 0.05;  // trunc in [kMinTrunc, 1]
constexpr double kMaxStrength = 4.0;  // variation strength in [0, kMaxStrength]

class SpriteModel {
 public:
  // `checkpoint`: a model file, checkpoint or run directory; empty means the shipped model
  // (resolve_model_path). Throws Error naming the file for anything unreadable.
  explicit SpriteModel(const std::string& checkpoint = "", torch::Device device = torch::kCPU);

  const std::filesystem::path& path() const { return path_; }
  const std::vector<std::string>& classes() const { return lg_.config.classes; }
  bool conditional() const { return lg_.config.g.conditional; }
  int image_size() const { return lg_.config.image_size; }
  int64_t step() const { return lg_.step; }
  const TrainConfig& config() const { return lg_.config; }
  // What /api/model answers: classes, image_size, preset, step, provenance (if the file has one),
  // dual_types (whether a pair of types can be asked for) and the request caps.
  nlohmann::json info() const;

  bool dual_types() const { return lg_.config.dual_types; }
  // The label for a type name (case-insensitive), or for a pair when type2 is given (a model trained
  // with dual_types; common/labels.h); throws Error naming the valid types, or saying why a pair is
  // refused. An unconditional model takes any name as its one class.
  int64_t type_index(const std::string& type, const std::string& type2 = "") const;

  // Sprite `index` of `seed`: the same picture as that tile of any sheet of `seed`.
  Image sprite(int64_t cls, uint64_t seed, int64_t index, double trunc = 1.0);
  // `count` sprites of a class: indices 0..count-1 of `seed`.
  std::vector<Image> sheet(int64_t cls, uint64_t seed, int count, double trunc = 1.0);
  // The same for several classes, class-major: row r is sheet(classes[r], seed, count, trunc).
  std::vector<Image> sheet_rows(const std::vector<int64_t>& classes, uint64_t seed, int count, double trunc = 1.0);
  // `count` sprites near sprite (seed, index).
  std::vector<Image> variations(int64_t cls, uint64_t seed, int64_t index, double strength, int count,
                                double trunc = 1.0);
  // `steps` sprites from sprite (from, from_index) to (to, to_index), both ends included.
  std::vector<Image> interpolate(int64_t cls, uint64_t from, int64_t from_index, uint64_t to, int64_t to_index,
                                 int steps, double trunc = 1.0);

  // Runs G on z [N, z_dim] for one class. Serialised: one request at a time uses G, each batched.
  std::vector<Image> render(const torch::Tensor& z, int64_t cls);
  std::vector<Image> render(const torch::Tensor& z, const torch::Tensor& labels);

 private:
  std::filesystem::path path_;
  LoadedGenerator lg_;
  torch::Device device_;
  std::mutex mutex_;
};

// Checks a request's numbers against the caps above; each throws Error naming the parameter and its
// valid range (`what` is how the caller spells the parameter: "--count", "count").
void check_trunc(double trunc, const std::string& what = "trunc");
void check_strength(double strength, const std::string& what = "strength");
void check_range(int64_t value, int64_t lo, int64_t hi, const std::string& what);

}  // namespace pokegan
