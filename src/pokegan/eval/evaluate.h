// pokegan eval: a generator checkpoint measured against real sprites, overall and per type.
//
// The real images (the chosen split of the dataset) are cut into two halves by species (seeded),
// so no species has frames on both sides: half A stands in for "a perfect generator", half B is
// the reference. The model's samples are drawn with A's type counts; every metric is computed for
// (samples vs B) and for (A vs B), the real floor, at the same sizes, so each model figure has the
// figure a perfect model would get beside it. Metrics (see metrics.h and image_stats.h):
//   fid, kid (mean and std over subsets), precision, recall (k = 3), density, coverage (k = 5) in
//   the type classifier's feature space; intra_fid = the mean of the per-type FIDs; type_accuracy
//   = share of the set the classifier puts in its intended type; diversity = mean pairwise feature
//   distance within each type (averaged over types), and diversity_ratio = that over B's; colour,
//   shape (lower is better) and detail (1 is best) from the pixels.
// memorisation: for a model trained on the train split, the share of samples nearer (in feature
//   space and in pixels) to their closest training sprite than the 10% quantile of real unseen
//   species' distances, beside the same share for other unseen species (the floor, about 0.1).
// The result is deterministic for a given seed.
#pragma once
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "pokegan/data/dataset.h"
#include "pokegan/eval/classifier.h"

namespace pokegan {

struct EvalOptions {
  int64_t samples = 0;        // total model samples; 0 = as many as real half A holds
  uint64_t seed = 0;
  std::string real = "all";   // which real images: all, train, heldout
  int kid_subsets = 50;
  int kid_subset_size = 1000;
  int64_t batch = 256;
  // Where to draw the memorisation check's closest pairs (sample beside its nearest training
  // sprite, 8 pairs); empty = no picture.
  std::string pairs_png;
};

nlohmann::json evaluate(const std::filesystem::path& checkpoint, const Dataset& ds, TrainedClassifier& clf,
                        const EvalOptions& opt, const std::function<void(const std::string&)>& log = {});

// A human-readable table of an evaluate() result: metric, model, real floor.
std::string format_eval_table(const nlohmann::json& result);
// Several results side by side (one column each, named), then the first one's real floor.
std::string format_eval_comparison(const std::vector<std::pair<std::string, nlohmann::json>>& results);

}  // namespace pokegan
