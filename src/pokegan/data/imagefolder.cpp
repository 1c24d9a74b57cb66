#include "pokegan/data/imagefolder.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "pokegan/common/error.h"
#include "pokegan/common/fs.h"
#include "pokegan/data/type_table.h"

namespace pokegan {

namespace {
bool is_image(const fs::path& p) {
  std::string ext = p.extension().string();
  for (auto& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext == ".png" || ext == ".gif" || ext == ".jpg" || ext == ".jpeg" || ext == ".bmp";
}
}  // namespace

PrepareResult import_imagefolder(const ImportOptions& opt) {
  if (!fs::is_directory(opt.root))
    throw Error("image folder not found: " + opt.root.string() + " (expected <root>/<Class>/<images>)");
  std::vector<fs::path> class_dirs;
  for (const auto& e : fs::directory_iterator(opt.root))
    if (e.is_directory() && e.path().filename().string()[0] != '.') class_dirs.push_back(e.path());
  std::sort(class_dirs.begin(), class_dirs.end());
  if (class_dirs.empty())
    throw Error(opt.root.string() + " has no class folders (expected <root>/<Class>/<images>)");

  PrepareResult result;
  Dataset& ds = result.dataset;
  ds.size = opt.sprite.size;
  int32_t file_id = 0;
  for (size_t c = 0; c < class_dirs.size(); ++c) {
    const std::string cls = class_dirs[c].filename().string();
    ds.classes.push_back(cls);
    const int8_t t1 = static_cast<int8_t>(type_index(cls));
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(class_dirs[c]))
      if (e.is_regular_file() && is_image(e.path())) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      std::vector<Image> frames;
      try {
        frames = process_sprite(load_frames(f), opt.sprite);
      } catch (const Error& e) {
        if (!opt.skip_bad) throw Error(std::string(e.what()) + " (use --skip-bad to leave such files out)");
        result.skipped.push_back({f.string(), e.what()});
        continue;
      }
      for (const auto& im : frames) ds.add(im, static_cast<int64_t>(c), file_id, 0, 0, t1, -1);
      ++file_id;
      ++result.files;
    }
  }
  if (ds.count() == 0) throw Error("no images found under " + opt.root.string());
  ds.split_by_species(opt.held_out, opt.seed);
  ds.provenance_json = nlohmann::json{{"tool", "pokegan data import"},
                                      {"root", opt.root.string()},
                                      {"size", opt.sprite.size},
                                      {"frames", opt.sprite.frames},
                                      {"held_out", opt.held_out},
                                      {"seed", opt.seed},
                                      {"files_used", result.files},
                                      {"files_skipped", result.skipped.size()}}.dump();
  return result;
}

int64_t export_imagefolder(const Dataset& ds, const fs::path& root, const std::string& split) {
  if (split != "all" && split != "train" && split != "heldout")
    throw Error("--split must be all, train or heldout, got '" + split + "'");
  for (const auto& c : ds.classes) fs::create_directories(root / c);
  int64_t written = 0;
  for (int64_t i = 0; i < ds.count(); ++i) {
    if (split == "train" && ds.split[i] != kTrain) continue;
    if (split == "heldout" && ds.split[i] != kHeldOut) continue;
    char name[96];
    std::snprintf(name, sizeof name, "%06lld_%d%s%s.png", static_cast<long long>(i), ds.species[i],
                  ds.view[i] ? "_back" : "", ds.shiny[i] ? "_shiny" : "");
    write_png(root / ds.classes[static_cast<size_t>(ds.labels[i])] / name, ds.image(i));
    ++written;
  }
  return written;
}

}  // namespace pokegan
