// The shipped model: a trained run's EMA generator alone (no D, no optimiser state), in float16 by
// default, as one safetensors file a designer samples from without training anything. The file is
// a pokegan checkpoint that holds only "G_ema.*", so load_generator, eval and report read it like
// any checkpoint. Its metadata:
//   kind          "generator"
//   config        the run's TrainConfig (JSON), which holds the class names in order and the image size
//   classes       the class names in order (JSON array), image_size, step
//   provenance    JSON: preset, steps, batch, images_seen, plus what the exporter was told
//                 (commit, command, wall_time)
#pragma once
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "pokegan/io/checkpoint.h"

namespace pokegan {

// Writes `out` (atomically) from a training checkpoint. `extra` is merged into the provenance.
// Throws Error for a checkpoint without a generator.
void export_generator(const std::filesystem::path& checkpoint, const std::filesystem::path& out,
                      const nlohmann::json& extra, bool half = true);

// The metadata keys a shipped file must have; throws Error naming the first one missing.
void check_generator_file(const Checkpoint& file, const std::filesystem::path& path);

// What a --checkpoint argument names: a run directory means its latest checkpoint; empty means the
// shipped model (default_model_path()), with an error that says how to get one when it is absent.
std::filesystem::path resolve_model_path(const std::string& arg);

// Where `pokegan sample` looks when no --checkpoint is given: $POKEGAN_MODEL if set, else
// models/sprite-64.safetensors in the source tree the program was built from.
std::filesystem::path default_model_path();

}  // namespace pokegan
