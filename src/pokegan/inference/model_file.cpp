#include "pokegan/inference/model_file.h"

#include <cstdlib>

#include "pokegan/common/error.h"
#include "pokegan/training/config.h"
#include "pokegan/training/trainer.h"

namespace pokegan {

void export_generator(const std::filesystem::path& checkpoint, const std::filesystem::path& out,
                      const nlohmann::json& extra, bool half) {
  const Checkpoint ck = load_checkpoint(checkpoint);
  TrainConfig cfg;
  int64_t step = 0;
  try {
    cfg = config_from_json(ck.metadata.at("config"), checkpoint.string());
    step = std::stoll(ck.metadata.at("step"));
  } catch (const Error&) {
    throw;
  } catch (const std::exception&) {
    throw Error(checkpoint.string() + ": checkpoint metadata is missing or unreadable");
  }
  const std::string prefix = ck.with_prefix("G_ema").empty() ? "G" : "G_ema";
  const auto g = ck.with_prefix(prefix);
  if (g.empty()) throw Error(checkpoint.string() + ": no generator in this checkpoint");
  Checkpoint file;
  for (const auto& [k, v] : g) {
    // Floating weights to float16; integer buffers (BatchNorm's step count) as they are.
    const bool floating = v.is_floating_point();
    file.tensors["G_ema." + k] = half && floating ? v.to(torch::kFloat16) : v;
  }
  nlohmann::json prov = {{"preset", cfg.preset},
                         {"steps", step},
                         {"batch", cfg.batch},
                         {"images_seen", step * cfg.batch},
                         {"source_checkpoint", checkpoint.filename().string()},
                         {"dtype", half ? "float16" : "float32"}};
  if (!cfg.init_from.empty()) {
    // A fine-tune: steps and images_seen count this run; the file it started from had its own.
    prov["init_from"] = std::filesystem::path(cfg.init_from).filename().string();
    prov["init_step"] = cfg.init_step;
    prov["total_steps"] = cfg.init_step + step;
  }
  for (const auto& [k, v] : extra.items()) prov[k] = v;
  file.metadata["kind"] = "generator";
  file.metadata["config"] = ck.metadata.at("config");
  file.metadata["classes"] = nlohmann::json(cfg.classes).dump();
  file.metadata["image_size"] = std::to_string(cfg.image_size);
  file.metadata["step"] = std::to_string(step);
  file.metadata["provenance"] = prov.dump();
  save_checkpoint(out, file);
}

void check_generator_file(const Checkpoint& file, const std::filesystem::path& path) {
  for (const char* k : {"kind", "config", "classes", "image_size", "step", "provenance"})
    if (!file.metadata.count(k)) throw Error(path.string() + ": model file lacks its '" + k + "' metadata");
  if (file.metadata.at("kind") != "generator") throw Error(path.string() + ": not a generator file");
  if (file.with_prefix("G_ema").empty()) throw Error(path.string() + ": model file holds no generator weights");
}

std::filesystem::path resolve_model_path(const std::string& arg) {
  if (arg.empty()) {
    const auto p = default_model_path();
    if (!std::filesystem::exists(p))
      throw Error("no --checkpoint given and no shipped model at " + p.string() +
                  " (set POKEGAN_MODEL, or pass a run: --checkpoint runs/00000-sprite)");
    return p;
  }
  if (std::filesystem::is_directory(arg)) return Trainer::latest_checkpoint(arg);
  return arg;
}

std::filesystem::path default_model_path() {
  if (const char* env = std::getenv("POKEGAN_MODEL"); env && *env) return env;
  return std::filesystem::path(POKEGAN_SOURCE_DIR) / "models" / "sprite-64.safetensors";
}

}  // namespace pokegan
