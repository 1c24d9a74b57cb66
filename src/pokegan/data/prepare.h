// `pokegan data prepare`: raw Gen V sprites (as laid out by `data fetch`) -> typed S x S dataset.
//
// Raw layout:  <raw>/types.csv                 the type table
//              <raw>/sprites/<stem>.gif         front views; <stem> is "479" or "479-heat"
//              <raw>/sprites/shiny/, back/, back/shiny/, female/ ...   the other views
// Each animation gives K frames (sprite.h). The label is the primary type after grouping, or with
// dual = "both" a dual-type species is filed under both of its types, as the study's code could.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "pokegan/data/dataset.h"
#include "pokegan/data/sprite.h"

namespace pokegan {

struct PrepareOptions {
  std::filesystem::path raw_dir = "data/raw";
  SpriteOptions sprite;
  std::vector<std::string> views = {"front"};  // "front", "back"
  bool shiny = true;                           // add the palette-swapped shiny sprites
  bool female = false;                         // add the female-difference sprites
  std::string dual = "primary";                // "primary" or "both"
  std::string grouping = "study";              // "study", "none" or a CSV path
  double held_out = 0.1;                       // fraction of species held out
  uint64_t seed = 0;
  bool skip_bad = false;                       // skip undecodable files instead of failing
  int threads = 0;                             // decoding threads, 0 = all cores
  bool progress = true;
};

struct Skipped {
  std::string file, reason;
};

struct PrepareResult {
  Dataset dataset;
  std::vector<Skipped> skipped;
  int files = 0;
};

PrepareResult prepare_dataset(const PrepareOptions& opt);

// "Fire", "fire", "FIRE" -> index into `classes`, or -1.
int find_class(const std::vector<std::string>& classes, const std::string& name);

}  // namespace pokegan
