// ImageFolder interchange, the layout the study used: <root>/<Class>/<image files>.
// export_imagefolder writes a dataset out as PNGs, one folder per class; import_imagefolder builds
// a dataset from any such tree of PNG/GIF/JPEG/BMP files, so users can train on their own sprites.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "pokegan/data/dataset.h"
#include "pokegan/data/prepare.h"
#include "pokegan/data/sprite.h"

namespace pokegan {

struct ImportOptions {
  std::filesystem::path root;
  SpriteOptions sprite;  // frames applies to animated GIFs
  double held_out = 0.1;  // fraction of files held out (a file is the split unit)
  uint64_t seed = 0;
  bool skip_bad = false;
};

PrepareResult import_imagefolder(const ImportOptions& opt);

// split: "all", "train" or "heldout". Returns the number of files written.
int64_t export_imagefolder(const Dataset& ds, const std::filesystem::path& root,
                           const std::string& split = "all");

}  // namespace pokegan
