#include "pokegan/data/stats.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <sstream>

#include "pokegan/common/fs.h"
#include "pokegan/data/type_table.h"
#include "pokegan/io/draw.h"

namespace pokegan {

StatsResult write_dataset_stats(const Dataset& ds, const fs::path& out, uint64_t seed, int sample) {
  fs::create_directories(out);
  const auto& types = all_types();
  std::vector<double> raw(types.size(), 0), grouped(ds.classes.size(), 0);
  std::vector<std::set<int32_t>> raw_species(types.size()), grouped_species(ds.classes.size());
  for (int64_t i = 0; i < ds.count(); ++i) {
    if (ds.type1[i] >= 0) {
      raw[static_cast<size_t>(ds.type1[i])] += 1;
      raw_species[static_cast<size_t>(ds.type1[i])].insert(ds.species[i]);
    }
    grouped[static_cast<size_t>(ds.labels[i])] += 1;
    grouped_species[static_cast<size_t>(ds.labels[i])].insert(ds.species[i]);
  }
  const int64_t held = std::count(ds.split.begin(), ds.split.end(), kHeldOut);
  const size_t n_species = std::set<int32_t>(ds.species.begin(), ds.species.end()).size();

  std::ostringstream md;
  md << "Images: " << ds.count() << " (" << ds.size << "x" << ds.size << "), species: " << n_species
     << ", held out: " << held << " images\n\n";
  const bool has_raw = std::accumulate(raw.begin(), raw.end(), 0.0) > 0;
  std::ostringstream csv;
  csv << "kind,class,images,species\n";
  if (has_raw) {
    md << "| primary type (before grouping) | images | species |\n|---|---:|---:|\n";
    for (size_t t = 0; t < types.size(); ++t) {
      md << "| " << types[t] << " | " << raw[t] << " | " << raw_species[t].size() << " |\n";
      csv << "raw," << types[t] << "," << raw[t] << "," << raw_species[t].size() << "\n";
    }
    md << "\n";
    write_png(out / "counts_raw.png", bar_chart("Images per primary type (18 types)", types, raw));
  }
  md << "| class (after grouping) | images | species |\n|---|---:|---:|\n";
  for (size_t c = 0; c < ds.classes.size(); ++c) {
    md << "| " << ds.classes[c] << " | " << grouped[c] << " | " << grouped_species[c].size() << " |\n";
    csv << "grouped," << ds.classes[c] << "," << grouped[c] << "," << grouped_species[c].size() << "\n";
  }
  write_png(out / "counts_grouped.png",
            bar_chart("Images per class (" + std::to_string(ds.classes.size()) + " classes)",
                      ds.classes, grouped, {220, 110, 60}));
  const std::string md_text = md.str(), csv_text = csv.str();
  write_atomic(out / "counts.md", md_text.data(), md_text.size());
  write_atomic(out / "counts.csv", csv_text.data(), csv_text.size());

  std::vector<int64_t> idx(static_cast<size_t>(ds.count()));
  std::iota(idx.begin(), idx.end(), 0);
  std::mt19937_64 rng(seed);
  std::shuffle(idx.begin(), idx.end(), rng);
  std::vector<Image> tiles;
  for (int i = 0; i < sample && i < static_cast<int>(idx.size()); ++i) tiles.push_back(ds.image(idx[i]));
  write_png(out / "sample_batch.png", make_grid(tiles, 8));
  return {md_text};
}

}  // namespace pokegan
