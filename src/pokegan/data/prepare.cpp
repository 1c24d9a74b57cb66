#include "pokegan/data/prepare.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "pokegan/common/error.h"
#include "pokegan/common/fs.h"
#include "pokegan/common/progress.h"
#include "pokegan/data/grouping.h"
#include "pokegan/data/type_table.h"

namespace pokegan {

int find_class(const std::vector<std::string>& classes, const std::string& name) {
  auto lower = [](std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  for (size_t i = 0; i < classes.size(); ++i)
    if (lower(classes[i]) == lower(name)) return static_cast<int>(i);
  return -1;
}

namespace {

struct Job {
  fs::path file;
  std::string stem;
  uint8_t view, shiny;
  const TypeEntry* entry;
};

// Sub-folder of <raw>/sprites for a view and shininess (the npm package's layout).
fs::path view_dir(const fs::path& sprites, const std::string& view, bool shiny, bool female) {
  fs::path d = sprites;
  if (view == "back") d /= "back";
  if (shiny) d /= "shiny";
  if (female) d /= "female";
  return d;
}

bool is_numeric(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
}

}  // namespace

PrepareResult prepare_dataset(const PrepareOptions& opt) {
  const fs::path sprites = opt.raw_dir / "sprites";
  if (!fs::is_directory(sprites))
    throw Error("no sprites in " + opt.raw_dir.string() + " (expected " + sprites.string() +
                "/; run `pokegan data fetch --dir " + opt.raw_dir.string() + "` first)");
  const TypeTable table = TypeTable::load(opt.raw_dir / "types.csv");
  const Grouping grouping = Grouping::from_spec(opt.grouping);
  if (opt.dual != "primary" && opt.dual != "both")
    throw Error("--dual must be 'primary' or 'both', got '" + opt.dual + "'");
  if (opt.sprite.frames < 1) throw Error("--frames must be >= 1");
  for (const auto& v : opt.views)
    if (v != "front" && v != "back") throw Error("unknown view '" + v + "' (valid: front, back)");

  PrepareResult result;
  std::vector<Job> jobs;
  for (const auto& view : opt.views)
    for (bool shiny : {false, true}) {
      if (shiny && !opt.shiny) continue;
      for (bool female : {false, true}) {
        if (female && !opt.female) continue;
        const fs::path dir = view_dir(sprites, view, shiny, female);
        if (!fs::is_directory(dir)) continue;
        std::vector<fs::path> files;
        for (const auto& e : fs::directory_iterator(dir))
          if (e.is_regular_file() && e.path().extension() == ".gif") files.push_back(e.path());
        std::sort(files.begin(), files.end());
        for (const auto& f : files) {
          const std::string stem = f.stem().string();
          const std::string num = stem.substr(0, stem.find('-'));
          if (!is_numeric(num)) {
            result.skipped.push_back({f.string(), "not a numbered species sprite"});
            continue;
          }
          if (std::stoi(num) >= 10000) {  // PokeAPI form ids: duplicates of the named-form files
            result.skipped.push_back({f.string(), "PokeAPI form id (same sprite as a named form)"});
            continue;
          }
          const TypeEntry* e = table.resolve(stem);
          if (!e) {
            result.skipped.push_back({f.string(), "form not in the type table; left out rather than mislabelled"});
            continue;
          }
          jobs.push_back({f, stem, static_cast<uint8_t>(view == "back"), static_cast<uint8_t>(shiny), e});
        }
      }
    }
  if (jobs.empty()) throw Error("no sprite files found under " + sprites.string());

  // Decode in parallel; results land by job index so the dataset order does not depend on timing.
  std::vector<std::vector<Image>> decoded(jobs.size());
  std::vector<std::string> errors(jobs.size());
  std::atomic<size_t> next{0}, done{0};
  const int n_threads = std::max(1, opt.threads > 0 ? opt.threads : static_cast<int>(std::thread::hardware_concurrency()));
  Progress progress("prepare", static_cast<int64_t>(jobs.size()), "file", 100);
  std::mutex progress_mu;
  auto worker = [&] {
    for (size_t i; (i = next++) < jobs.size();) {
      try {
        decoded[i] = process_sprite(load_frames(jobs[i].file), opt.sprite);
      } catch (const Error& e) {
        errors[i] = e.what();
      }
      const size_t d = ++done;
      if (opt.progress) {
        std::lock_guard<std::mutex> lock(progress_mu);
        progress.update(static_cast<int64_t>(d));
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < n_threads; ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  if (opt.progress) progress.finish();

  Dataset& ds = result.dataset;
  ds.size = opt.sprite.size;
  ds.classes = grouping.classes();
  for (size_t i = 0; i < jobs.size(); ++i) {
    if (!errors[i].empty()) {
      if (!opt.skip_bad) throw Error(errors[i] + " (use --skip-bad to leave such files out)");
      result.skipped.push_back({jobs[i].file.string(), errors[i]});
      continue;
    }
    const Job& j = jobs[i];
    const int8_t t1 = static_cast<int8_t>(type_index(j.entry->type1));
    const int8_t t2 = j.entry->type2.empty() ? -1 : static_cast<int8_t>(type_index(j.entry->type2));
    std::vector<int64_t> labels = {grouping.class_of(j.entry->type1)};
    if (opt.dual == "both" && t2 >= 0) {
      const int64_t second = grouping.class_of(j.entry->type2);
      if (second != labels[0]) labels.push_back(second);
    }
    for (const auto& im : decoded[i])
      for (auto label : labels) ds.add(im, label, j.entry->num, j.view, j.shiny, t1, t2);
    ++result.files;
  }
  if (ds.count() == 0) throw Error("no images could be made from " + sprites.string());
  ds.split_by_species(opt.held_out, opt.seed);

  nlohmann::json source = nlohmann::json::object();
  if (fs::exists(opt.raw_dir / "SOURCE.json")) {
    try {
      source = nlohmann::json::parse(read_text(opt.raw_dir / "SOURCE.json"));
    } catch (const std::exception&) {
    }
  }
  ds.grouping_json = nlohmann::json(grouping.merges()).dump();
  ds.provenance_json = nlohmann::json{
      {"tool", "pokegan data prepare"},
      {"source", source},
      {"raw_dir", opt.raw_dir.string()},
      {"size", opt.sprite.size},
      {"frames", opt.sprite.frames},
      {"views", opt.views},
      {"shiny", opt.shiny},
      {"female", opt.female},
      {"dual", opt.dual},
      {"grouping", grouping.name()},
      {"held_out", opt.held_out},
      {"seed", opt.seed},
      {"background", opt.sprite.background},
      {"files_used", result.files},
      {"files_skipped", result.skipped.size()}}.dump();
  return result;
}

}  // namespace pokegan
