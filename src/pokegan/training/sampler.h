// Sampling from a generator: seeded noise (the same seed gives the same sprites), per-type grids
// with one labelled row per class, and loading just the generator out of a checkpoint.
#pragma once
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "pokegan/io/image.h"
#include "pokegan/models/networks.h"
#include "pokegan/training/config.h"

namespace pokegan {

// z [1, z_dim] of sprite `index` of `seed`: N(0, 1) from a CPU generator seeded with a mix of both.
torch::Tensor sprite_noise(uint64_t seed, int64_t index, int64_t z_dim);
// z [n, z_dim]: row i is sprite_noise(seed, i), so it depends only on (seed, i), never on n.
torch::Tensor fixed_noise(int64_t n, int64_t z_dim, uint64_t seed);

// The most sprites one request may ask for per type (`sample --count`, the studio's sheets). Above
// it a request is refused with this number named; below it generation runs in batches of
// kGenerateBatch, so memory stays bounded whatever the count.
constexpr int kMaxPerType = 1024;
constexpr int64_t kGenerateBatch = 256;

// G in eval mode, no autograd, in batches of kGenerateBatch: images float [N, 3, S, S] in [-1, 1] on
// CPU. G's mode is restored.
torch::Tensor generate(GeneratorImpl& g, const torch::Tensor& z, const torch::Tensor& labels,
                       torch::Device device = torch::kCPU);
// The same with z = fixed_noise(N, z_dim, seed).
torch::Tensor generate(GeneratorImpl& g, const torch::Tensor& labels, uint64_t seed,
                       torch::Device device = torch::kCPU);

std::vector<Image> to_images(const torch::Tensor& images);

// Noise and labels for `per_class` samples of each class in `rows`, class-major. Column j's noise
// is shared by every row, so rows differ only by class, and a type's sprites do not depend on which
// other types are drawn with it.
std::pair<torch::Tensor, torch::Tensor> class_batch(const std::vector<int64_t>& rows, int per_class,
                                                    int64_t z_dim, uint64_t seed);

// One labelled row of `per_class` samples per class (or one unlabelled block if `classes` is empty,
// for unconditional models).
Image class_grid(GeneratorImpl& g, const std::vector<std::string>& classes, int per_class, uint64_t seed,
                 torch::Device device = torch::kCPU);

// The classes a request names, as rows of a sheet: `type` is a class name (case-insensitive),
// "all" (every class; one unlabelled row "sample" for an unconditional model), a pair "Water+Dragon"
// (a model trained with dual_types; the row's label is a pair label, common/labels.h), or a
// comma-separated list of names and pairs ("Water+Dragon,Fire+Flying"), one row each. Throws Error
// naming the valid types for an unknown one, and saying why for a pair on a one-type model.
struct RowChoice {
  std::vector<int64_t> rows;
  std::vector<std::string> names;
};
RowChoice choose_rows(const std::vector<std::string>& classes, bool conditional, const std::string& type,
                      bool dual_types = false);
// The label of one type, or of a pair (type2 non-empty): the same rules and errors as choose_rows.
int64_t type_label(const std::vector<std::string>& classes, bool dual_types, const std::string& type,
                   const std::string& type2 = "");

// Checks a per-type count against 1..kMaxPerType; throws Error naming the cap.
void check_count(int64_t count, const std::string& what = "--count");

struct LoadedGenerator {
  Generator g;
  TrainConfig config;
  int64_t step = 0;
  std::map<std::string, std::string> metadata;  // the file's (provenance of a shipped model, ...)
};
// Builds G from the checkpoint's config and loads its weights (the EMA copy's where there is one).
LoadedGenerator load_generator(const std::filesystem::path& checkpoint);

}  // namespace pokegan
