#include "pokegan/training/sampler.h"

#include <sstream>

#include <ATen/CPUGeneratorImpl.h>

#include "pokegan/common/error.h"
#include "pokegan/common/pair_label.h"
#include "pokegan/common/seed_mix.h"
#include "pokegan/common/threads.h"
#include "pokegan/data/loader.h"
#include "pokegan/data/prepare.h"
#include "pokegan/io/checkpoint.h"
#include "pokegan/io/draw.h"

namespace pokegan {


torch::Tensor sprite_noise(uint64_t seed, int64_t index, int64_t z_dim) {
  // One generator per sprite: torch::randn over [n, z_dim] draws in blocks of 16 numbers, so with
  // a z_dim that is not a multiple of 16 a row would depend on n.
  auto gen = at::make_generator<at::CPUGeneratorImpl>(mix_seed(mix_seed(seed) ^ static_cast<uint64_t>(index)));
  return torch::randn({1, z_dim}, gen, torch::kFloat32);
}

torch::Tensor fixed_noise(int64_t n, int64_t z_dim, uint64_t seed) {
  if (n == 0) return torch::empty({0, z_dim});
  std::vector<torch::Tensor> rows;
  rows.reserve(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) rows.push_back(sprite_noise(seed, i, z_dim));
  return torch::cat(rows, 0);
}

torch::Tensor generate(GeneratorImpl& g, const torch::Tensor& z, const torch::Tensor& labels, torch::Device device) {
  torch::NoGradGuard no_grad;
  // Inference only: BLAS may use every core here for the matrix products (the DCGAN's first layer,
  // MLP and mapping networks); training keeps it at one thread under LibTorch's own
  // (docs/performance.md).
  const ScopedBlasThreads blas;
  const bool was_training = g.is_training();
  g.eval();
  std::vector<torch::Tensor> parts;
  for (int64_t s = 0; s < z.size(0); s += kGenerateBatch) {
    const int64_t e = std::min(z.size(0), s + kGenerateBatch);
    parts.push_back(g.forward(z.slice(0, s, e).to(device), labels.slice(0, s, e).to(device)).to(torch::kCPU));
  }
  g.train(was_training);
  return parts.size() == 1 ? parts[0] : torch::cat(parts, 0);
}

int64_t type_label(const std::vector<std::string>& classes, bool dual_types, const std::string& type,
                   const std::string& type2) {
  const auto one = [&](const std::string& t) {
    const int c = find_class(classes, t);
    if (c < 0) {
      std::string valid;
      for (const auto& n : classes) valid += (valid.empty() ? "" : ", ") + n;
      throw Error("unknown type '" + t + "' (valid: " + valid + ")");
    }
    return int64_t{c};
  };
  const int64_t first = one(type);
  if (type2.empty()) return first;
  if (!dual_types)
    throw Error("this model was trained with one type per sprite (no dual types), so '" + type + "+" + type2 +
                "' cannot be asked for; train with --set dual_types=true");
  return pair_label(first, one(type2), static_cast<int64_t>(classes.size()));
}

RowChoice choose_rows(const std::vector<std::string>& classes, bool conditional, const std::string& type,
                      bool dual_types) {
  RowChoice r;
  if (type == "all") {
    for (size_t c = 0; c < (conditional ? classes.size() : 1); ++c) {
      r.rows.push_back(static_cast<int64_t>(c));
      r.names.push_back(conditional ? classes[c] : "sample");
    }
    return r;
  }
  if (!conditional) throw Error("this model is unconditional; use --type all");
  std::stringstream list(type);
  std::string item;
  while (std::getline(list, item, ',')) {
    const auto plus = item.find('+');
    const std::string t1 = item.substr(0, plus), t2 = plus == std::string::npos ? "" : item.substr(plus + 1);
    if (plus != std::string::npos && t2.empty()) throw Error("'" + item + "': a pair is two types, as Water+Dragon");
    const int64_t label = type_label(classes, dual_types, t1, t2);
    const int64_t nc = static_cast<int64_t>(classes.size());
    r.rows.push_back(label);
    r.names.push_back(label < nc ? classes[size_t(label)]
                                 : classes[size_t(pair_first(label, nc))] + "+" + classes[size_t(pair_second(label, nc))]);
  }
  if (r.rows.empty()) throw Error("no type given (a name, a pair as Water+Dragon, a list, or all)");
  return r;
}

void check_count(int64_t count, const std::string& what) {
  if (count < 1 || count > kMaxPerType)
    throw Error(what + " must be in 1.." + std::to_string(kMaxPerType) + " (sprites per type), got " + std::to_string(count));
}

torch::Tensor generate(GeneratorImpl& g, const torch::Tensor& labels, uint64_t seed, torch::Device device) {
  return generate(g, fixed_noise(labels.size(0), g.z_dim(), seed), labels, device);
}

std::vector<Image> to_images(const torch::Tensor& images) {
  const auto u8 = to_uint8_images(images);  // [N, S, S, 3]
  std::vector<Image> out;
  const int s = static_cast<int>(u8.size(1));
  for (int64_t i = 0; i < u8.size(0); ++i) {
    Image im(s, s, 3);
    std::memcpy(im.pixels.data(), u8[i].data_ptr<uint8_t>(), im.pixels.size());
    out.push_back(std::move(im));
  }
  return out;
}

std::pair<torch::Tensor, torch::Tensor> class_batch(const std::vector<int64_t>& rows, int per_class,
                                                    int64_t z_dim, uint64_t seed) {
  const auto n_rows = static_cast<int64_t>(rows.size());
  auto labels = torch::tensor(rows, torch::kInt64).repeat_interleave(per_class);  // [R * P]
  auto z = fixed_noise(per_class, z_dim, seed).repeat({n_rows, 1});              // [R * P, z]
  return {z, labels};
}

Image class_grid(GeneratorImpl& g, const std::vector<std::string>& classes, int per_class, uint64_t seed,
                 torch::Device device) {
  std::vector<int64_t> rows(classes.empty() ? 1 : classes.size());
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<int64_t>(i);
  const auto [z, labels] = class_batch(rows, per_class, g.z_dim(), seed);
  return make_grid(to_images(generate(g, z, labels, device)), per_class, classes);
}

LoadedGenerator load_generator(const std::filesystem::path& path) {
  const Checkpoint ckpt = load_checkpoint(path);
  LoadedGenerator out;
  try {
    out.config = config_from_json(ckpt.metadata.at("config"), path.string());
    out.step = std::stoll(ckpt.metadata.at("step"));
  } catch (const Error&) {
    throw;
  } catch (const std::exception&) {
    throw Error(path.string() + ": checkpoint metadata is missing or unreadable");
  }
  out.metadata = ckpt.metadata;
  out.g = make_generator(out.config.g, out.config.image_size, out.config.num_classes());
  // Sample from the EMA generator when the run kept one.
  get_module(ckpt, ckpt.with_prefix("G_ema").empty() ? "G" : "G_ema", *out.g);
  out.g->eval();
  return out;
}

}  // namespace pokegan
