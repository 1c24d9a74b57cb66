#include "pokegan/inference/sprite_model.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "pokegan/common/error.h"
#include "pokegan/data/prepare.h"
#include "pokegan/inference/model_file.h"

namespace pokegan {

namespace {
std::string num(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}
}  // namespace

void check_range(int64_t value, int64_t lo, int64_t hi, const std::string& what) {
  if (value < lo || value > hi)
    throw Error(what + " must be in " + std::to_string(lo) + ".." + std::to_string(hi) + ", got " + std::to_string(value));
}

void check_trunc(double trunc, const std::string& what) {
  if (!(trunc >= kMinTrunc && trunc <= 1.0))
    throw Error(what + " must be in " + num(kMinTrunc) + "..1, got " + num(trunc));
}

void check_strength(double strength, const std::string& what) {
  if (!(strength >= 0.0 && strength <= kMaxStrength))
    throw Error(what + " must be in 0.." + num(kMaxStrength) + ", got " + num(strength));
}

SpriteModel::SpriteModel(const std::string& checkpoint, torch::Device device)
    : path_(resolve_model_path(checkpoint)), lg_(load_generator(path_)), device_(device) {
  lg_.g->to(device_);
}

nlohmann::json SpriteModel::info() const {
  nlohmann::json j;
  j["classes"] = conditional() ? classes() : std::vector<std::string>{"sample"};
  j["conditional"] = conditional();
  j["image_size"] = image_size();
  j["preset"] = lg_.config.preset;
  j["step"] = lg_.step;
  j["file"] = path_.filename().string();
  j["dual_types"] = dual_types();
  auto prov = lg_.metadata.find("provenance");
  j["provenance"] = prov != lg_.metadata.end() ? nlohmann::json::parse(prov->second, nullptr, false) : nlohmann::json();
  if (j["provenance"].is_discarded()) j["provenance"] = nullptr;
  j["limits"] = {{"count", kMaxPerType}, {"variations", kMaxVariations}, {"steps", kMaxInterpolationSteps},
                 {"trunc", {kMinTrunc, 1.0}}, {"strength", {0.0, kMaxStrength}},
                 {"palette", {kMinPalette, kMaxPalette}}, {"scale", {1, 2, 4, 8}}};
  return j;
}

int64_t SpriteModel::type_index(const std::string& type, const std::string& type2) const {
  if (!conditional()) return 0;
  return type_label(classes(), dual_types(), type, type2);
}

std::vector<Image> SpriteModel::render(const torch::Tensor& z, int64_t cls) {
  return render(z, torch::full({z.size(0)}, cls, torch::kInt64));
}

std::vector<Image> SpriteModel::render(const torch::Tensor& z, const torch::Tensor& labels) {
  const std::lock_guard<std::mutex> lock(mutex_);
  return to_images(generate(*lg_.g, z, labels, device_));
}

std::vector<Image> SpriteModel::sheet_rows(const std::vector<int64_t>& classes, uint64_t seed, int count, double trunc) {
  check_count(count, "count");
  check_trunc(trunc);
  const auto [z, labels] = class_batch(classes, count, lg_.g->z_dim(), seed);
  return render(z * trunc, labels);
}

Image SpriteModel::sprite(int64_t cls, uint64_t seed, int64_t index, double trunc) {
  check_range(index, 0, kMaxPerType - 1, "index");
  check_trunc(trunc);
  return render(sprite_noise(seed, index, lg_.g->z_dim()) * trunc, cls)[0];
}

std::vector<Image> SpriteModel::sheet(int64_t cls, uint64_t seed, int count, double trunc) {
  check_count(count, "count");
  check_trunc(trunc);
  return render(fixed_noise(count, lg_.g->z_dim(), seed) * trunc, cls);
}

std::vector<Image> SpriteModel::variations(int64_t cls, uint64_t seed, int64_t index, double strength, int count,
                                           double trunc) {
  check_range(count, 1, kMaxVariations, "count");
  check_range(index, 0, kMaxPerType - 1, "index");
  check_strength(strength);
  check_trunc(trunc);
  const int64_t zd = lg_.g->z_dim();
  const auto z0 = sprite_noise(seed, index, zd);  // [1, z]
  // Fresh noise for the nudges, from a stream no sheet uses (the seed's complement).
  const auto n = fixed_noise(count, zd, ~seed ^ static_cast<uint64_t>(index));  // [count, z]
  const auto z = (z0 + strength * n) / std::sqrt(1.0 + strength * strength);
  return render(z * trunc, cls);
}

std::vector<Image> SpriteModel::interpolate(int64_t cls, uint64_t from, int64_t from_index, uint64_t to,
                                            int64_t to_index, int steps, double trunc) {
  check_range(steps, 2, kMaxInterpolationSteps, "steps");
  check_range(from_index, 0, kMaxPerType - 1, "from_index");
  check_range(to_index, 0, kMaxPerType - 1, "to_index");
  check_trunc(trunc);
  const int64_t zd = lg_.g->z_dim();
  const auto a = sprite_noise(from, from_index, zd), b = sprite_noise(to, to_index, zd);  // [1, z]
  const double cos = std::clamp((a * b).sum().item<double>() / (a.norm().item<double>() * b.norm().item<double>()), -1.0, 1.0);
  const double omega = std::acos(cos);
  std::vector<torch::Tensor> rows;
  for (int i = 0; i < steps; ++i) {
    const double t = double(i) / (steps - 1);
    if (omega < 1e-6) {
      rows.push_back(a * (1 - t) + b * t);
    } else {
      rows.push_back((std::sin((1 - t) * omega) * a + std::sin(t * omega) * b) / std::sin(omega));
    }
  }
  return render(torch::cat(rows, 0) * trunc, cls);
}

}  // namespace pokegan
