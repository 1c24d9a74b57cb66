// pokegan sample: new sprites of a chosen type from the shipped model or a trained checkpoint.
// pokegan export: a run's EMA generator as a model file to ship or share.
#include <cstdio>

#include "cli/commands.h"
#include "pokegan/common/device.h"
#include "pokegan/common/error.h"
#include "pokegan/common/fs.h"
#include "pokegan/data/prepare.h"
#include "pokegan/inference/model_file.h"
#include "pokegan/inference/sprite_model.h"
#include "pokegan/io/pixelart.h"
#include "pokegan/io/draw.h"
#include "pokegan/training/sampler.h"
#include "pokegan/training/trainer.h"

namespace pokegan::cli {

namespace {

struct ExportArgs {
  std::string checkpoint, out, commit, command, wall_time;
  bool float32 = false;
};

void run_export(const ExportArgs& a) {
  nlohmann::json extra;
  if (!a.commit.empty()) extra["commit"] = a.commit;
  if (!a.command.empty()) extra["command"] = a.command;
  if (!a.wall_time.empty()) extra["wall_time"] = a.wall_time;
  export_generator(resolve_model_path(a.checkpoint), a.out, extra, !a.float32);
  std::printf("wrote %s (%.1f MB)\n", a.out.c_str(), double(fs::file_size(a.out)) / 1e6);
}

struct SampleArgs {
  std::string checkpoint, type = "all", out = "samples.png", individual, device = "cpu";
  int count = 8, cols = 0;
  uint64_t seed = 0;
  double trunc = 1.0;
  PixelArtOptions art;
};

void run_sample(const SampleArgs& a) {
  check_count(a.count);
  check_trunc(a.trunc, "--trunc");
  check_pixel_art(a.art);
  SpriteModel model(a.checkpoint, parse_device(a.device));
  const RowChoice choice = choose_rows(model.classes(), model.conditional(), a.type, model.dual_types());
  std::vector<Image> tiles = model.sheet_rows(choice.rows, a.seed, a.count, a.trunc);
  if (a.art.any())
    for (auto& t : tiles) t = to_pixel_art(t, a.art);
  if (a.type == "all" || choice.rows.size() > 1)
    write_png(a.out, make_grid(tiles, a.count, model.conditional() ? choice.names : std::vector<std::string>{}));
  else
    write_png(a.out, make_grid(tiles, a.cols > 0 ? a.cols : std::min(a.count, 8)));
  if (!a.individual.empty())
    for (size_t i = 0; i < tiles.size(); ++i) {
      char name[64];
      std::snprintf(name, sizeof name, "%s-%03zu.png", choice.names[i / size_t(a.count)].c_str(), i % size_t(a.count));
      write_png(fs::path(a.individual) / name, tiles[i]);
    }
  std::printf("wrote %s (%s, step %lld, seed %llu)%s%s\n", a.out.c_str(), a.type.c_str(),
              static_cast<long long>(model.step()), static_cast<unsigned long long>(a.seed),
              a.individual.empty() ? "" : " and single sprites in ", a.individual.c_str());
}

}  // namespace

void add_sample_commands(CLI::App& app) {
  auto a = std::make_shared<SampleArgs>();
  auto* c = app.add_subcommand("sample", "generate new sprites of a type (from the shipped model unless --checkpoint)");
  c->add_option("--checkpoint", a->checkpoint,
                "model file, checkpoint file, or run directory (its latest checkpoint); default: the shipped model " +
                    default_model_path().string() + " ($POKEGAN_MODEL overrides)");
  c->add_option("--type", a->type, "a type name (case-insensitive), all for one row per type, a pair Water+Dragon (models trained with dual_types), or a comma-separated list, one row each")->capture_default_str();
  c->add_option("--count", a->count, "sprites (per type with --type all)")->capture_default_str()->check(CLI::Range(1, kMaxPerType));
  c->add_option("--seed", a->seed, "noise seed: the same seed gives the same sprites")->capture_default_str()->check(seed_check());
  c->add_option("--out", a->out, "grid PNG")->capture_default_str();
  c->add_option("--cols", a->cols, "grid columns (default min(count, 8))")->check(CLI::Range(1, kMaxCols));
  c->add_option("--device", a->device, "cpu, cuda or cuda:N")->capture_default_str();
  c->add_option("--individual", a->individual, "also write each sprite as its own PNG in this directory");
  c->add_option("--trunc", a->trunc, "truncation: noise scaled by this, lower = closer to the type's average sprite")
      ->capture_default_str()->check(CLI::Range(kMinTrunc, 1.0));
  // Sprite-faithful export (pokegan/io/pixelart.h).
  c->add_flag("--transparent", a->art.transparent, "white background -> transparent (RGBA PNG, no halo)");
  c->add_option("--palette", a->art.palette, "reduce to at most N colours (k-means in OKLab; background and outline count); 0 = off")
      ->capture_default_str()->check(CLI::Range(0, kMaxPalette));
  c->add_option("--scale", a->art.scale, "nearest-neighbour upscaling: 1, 2, 4 or 8")->capture_default_str()->check(CLI::IsMember({1, 2, 4, 8}));
  c->add_flag("--outline", a->art.outline, "1-px dark outline around each sprite, as the games draw");
  c->callback([a] { run_sample(*a); });

  auto e = std::make_shared<ExportArgs>();
  auto* x = app.add_subcommand("export", "write a run's EMA generator as a model file (no D, no optimiser state)");
  x->add_option("--checkpoint", e->checkpoint, "checkpoint file, or a run directory (its latest checkpoint)")->required();
  x->add_option("--out", e->out, "model file to write (.safetensors)")->required();
  x->add_flag("--float32", e->float32, "keep float32 weights (default float16)");
  x->add_option("--commit", e->commit, "provenance: the commit that trained it");
  x->add_option("--command", e->command, "provenance: the training command");
  x->add_option("--wall-time", e->wall_time, "provenance: the training wall time");
  x->callback([e] { run_export(*e); });
}

}  // namespace pokegan::cli
