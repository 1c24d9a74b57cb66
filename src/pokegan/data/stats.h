// `pokegan data stats`: class counts before and after grouping (the study's Figure 1) as a table and
// bar charts, and a grid of a random sample batch (its Figure 2).
#pragma once
#include <filesystem>
#include <string>

#include "pokegan/data/dataset.h"

namespace pokegan {

struct StatsResult {
  std::string markdown;  // the counts table, also written to <out>/counts.md
};

StatsResult write_dataset_stats(const Dataset& ds, const std::filesystem::path& out_dir,
                                uint64_t seed = 0, int sample = 64);

}  // namespace pokegan
