// A typed sprite dataset in memory and on disk (one safetensors file).
//
// Tensors:  images  U8  [N, S, S, 3]   RGB, background already composited
//           labels  I64 [N]            class index into `classes` (after grouping)
//           species I32 [N]            national number (or an image-folder file id); the split unit
//           view    U8  [N]            0 front, 1 back
//           shiny   U8  [N]            1 for the palette-swapped shiny sprite
//           split   U8  [N]            0 train, 1 held out (whole species, never both sides)
//           type1   I8  [N]            raw primary type id (all_types()), -1 unknown
//           type2   I8  [N]            raw secondary type id, -1 none
// Metadata: "format" = "pokegan-dataset/1", "classes" (JSON list), "grouping" (JSON object of merges),
//           "provenance" (JSON: source, options, counts).
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "pokegan/io/image.h"

namespace pokegan {

enum Split : uint8_t { kTrain = 0, kHeldOut = 1 };

struct Dataset {
  int size = 0;  // S
  std::vector<uint8_t> images;
  std::vector<int64_t> labels;
  std::vector<int32_t> species;
  std::vector<uint8_t> view, shiny, split;
  std::vector<int8_t> type1, type2;
  std::vector<std::string> classes;
  std::string grouping_json = "{}";
  std::string provenance_json = "{}";

  int64_t count() const { return static_cast<int64_t>(labels.size()); }
  size_t image_bytes() const { return size_t(size) * size * 3; }
  void add(const Image& rgb, int64_t label, int32_t species_id, uint8_t view_id, uint8_t is_shiny,
           int8_t t1, int8_t t2);
  Image image(int64_t i) const;                // one RGB image
  std::vector<int64_t> count_per_class() const;
  // Dual-type labels (common/labels.h): each sprite's class paired with the class of its other
  // type (through the dataset's grouping), or its class alone for a single-type species or when
  // both types fall in one class. Throws Error for a dataset without type ids (an image folder).
  std::vector<int64_t> pair_labels() const;
  // A 64-bit FNV-1a digest (16 hex digits) of the size, images, labels, split and classes: what a
  // run was trained on, so that a resume on a changed dataset file is refused.
  std::string fingerprint() const;

  // Assigns whole species to the held-out side: a seeded shuffle of species ids, the first
  // round(fraction * #species) held out.
  void split_by_species(double held_out_fraction, uint64_t seed);

  void save(const std::filesystem::path& path) const;
  // Throws Error naming the file if it is missing, corrupt or not a pokegan dataset.
  static Dataset load(const std::filesystem::path& path);
};

}  // namespace pokegan
