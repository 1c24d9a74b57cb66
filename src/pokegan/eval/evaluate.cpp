#include "pokegan/eval/evaluate.h"

#include <ATen/CPUGeneratorImpl.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>

#include "pokegan/common/error.h"
#include "pokegan/common/progress.h"
#include "pokegan/data/loader.h"
#include "pokegan/eval/image_stats.h"
#include "pokegan/eval/metrics.h"
#include "pokegan/io/draw.h"
#include "pokegan/io/image.h"
#include "pokegan/training/sampler.h"

namespace pokegan {

namespace {

struct FeatureSet {
  torch::Tensor images;    // uint8 [N, S, S, 3]
  torch::Tensor labels;    // int64 [N]
  torch::Tensor features;  // float [N, D]
  torch::Tensor predicted; // int64 [N]
  torch::Tensor logits;    // float [N, C]
  std::vector<SpriteStats> stats;

  FeatureSet subset(int64_t cls) const {
    const auto idx = (labels == cls).nonzero().view({-1});
    FeatureSet s;
    s.images = images.index_select(0, idx);
    s.labels = labels.index_select(0, idx);
    s.features = features.index_select(0, idx);
    s.predicted = predicted.index_select(0, idx);
    s.logits = logits.index_select(0, idx);
    for (int64_t k = 0; k < idx.size(0); ++k) s.stats.push_back(stats[size_t(idx[k].item<int64_t>())]);
    return s;
  }
  int64_t size() const { return labels.size(0); }
};

constexpr int kPr = 3, kDc = 5;

FeatureSet describe(TrainedClassifier& clf, torch::Tensor images, torch::Tensor labels, Rgb background,
                    int64_t batch) {
  FeatureSet s;
  s.images = std::move(images);
  s.labels = std::move(labels);
  const auto out = classify(clf, s.images, batch);
  s.features = out.features;
  s.predicted = out.logits.argmax(1);
  s.logits = out.logits;
  const int size = int(s.images.size(1));
  const uint8_t* p = s.images.data_ptr<uint8_t>();
  for (int64_t i = 0; i < s.size(); ++i) s.stats.push_back(sprite_stats(p + size_t(i) * size * size * 3, size, background));
  return s;
}

// Mean within-type diversity (types with at least 2 images).
double typed_diversity(const FeatureSet& s, int num_classes) {
  double sum = 0;
  int n = 0;
  for (int c = 0; c < num_classes; ++c) {
    const auto idx = (s.labels == c).nonzero().view({-1});
    if (idx.size(0) < 2) continue;
    sum += mean_pairwise_distance(s.features.index_select(0, idx));
    ++n;
  }
  return n ? sum / n : 0.0;
}

nlohmann::json metric_set(const FeatureSet& x, const FeatureSet& ref, const EvalOptions& opt, int num_classes,
                          bool typed) {
  nlohmann::json j;
  const int64_t smallest = std::min(x.size(), ref.size());
  j["n"] = x.size();
  if (smallest > kDc) {
    j["fid"] = fid(x.features, ref.features);
    const Kid k = kid(x.features, ref.features, opt.kid_subsets, opt.kid_subset_size, opt.seed + 11);
    j["kid"] = k.mean;
    j["kid_std"] = k.std;
    const Prdc p = prdc(ref.features, x.features, kPr, kDc);
    j["precision"] = p.precision;
    j["recall"] = p.recall;
    j["density"] = p.density;
    j["coverage"] = p.coverage;
  }
  if (typed) j["type_accuracy"] = (x.predicted == x.labels).to(torch::kFloat64).mean().item<double>();
  const double dx = typed_diversity(x, num_classes), dr = typed_diversity(ref, num_classes);
  j["diversity"] = dx;
  j["diversity_ratio"] = dr > 0 ? dx / dr : 0.0;
  j["colour"] = colour_distance(x.stats, ref.stats);
  j["shape"] = shape_distance(x.stats, ref.stats);
  j["detail"] = detail_ratio(x.stats, ref.stats);
  j["stripes"] = stripe_ratio(x.stats, ref.stats);
  return j;
}

// Picks `want[c]` indices of each class from `idx` (seeded), keeping order by class.
std::vector<int64_t> take_per_class(const Dataset& ds, const std::vector<int64_t>& idx, const std::vector<int64_t>& want,
                                    uint64_t seed) {
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  std::vector<int64_t> out;
  for (size_t c = 0; c < want.size(); ++c) {
    std::vector<int64_t> of_c;
    for (int64_t i : idx)
      if (ds.labels[size_t(i)] == int64_t(c)) of_c.push_back(i);
    const auto perm = torch::randperm(int64_t(of_c.size()), gen, torch::kLong);
    for (int64_t k = 0; k < std::min<int64_t>(want[c], int64_t(of_c.size())); ++k)
      out.push_back(of_c[size_t(perm[k].item<int64_t>())]);
  }
  return out;
}

// values[i] for each i of idx, as an int64 tensor (a label per image of the dataset).
torch::Tensor take(const std::vector<int64_t>& values, const std::vector<int64_t>& idx) {
  std::vector<int64_t> l;
  for (int64_t i : idx) l.push_back(values[size_t(i)]);
  return torch::tensor(l, torch::kLong);
}
torch::Tensor labels_of(const Dataset& ds, const std::vector<int64_t>& idx) { return take(ds.labels, idx); }

// Cuts `idx` in two halves by species (seeded): a random half of its species go to `a`, the rest to
// `b`, so no species has images on both sides. False when `idx` holds fewer than 2 species.
bool split_by_species(const Dataset& ds, const std::vector<int64_t>& idx, uint64_t seed, std::vector<int64_t>& a,
                      std::vector<int64_t>& b) {
  std::vector<int32_t> species;
  for (int64_t i : idx) species.push_back(ds.species[size_t(i)]);
  std::sort(species.begin(), species.end());
  species.erase(std::unique(species.begin(), species.end()), species.end());
  if (species.size() < 2) return false;
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  const auto perm = torch::randperm(int64_t(species.size()), gen, torch::kLong);
  std::set<int32_t> in_a;
  for (size_t k = 0; k < species.size() / 2; ++k) in_a.insert(species[size_t(perm[int64_t(k)].item<int64_t>())]);
  for (int64_t i : idx) (in_a.count(ds.species[size_t(i)]) ? a : b).push_back(i);
  return true;
}

// Distance from each row of x [N, D] to its nearest row of ref [M, D], and that row's index.
std::pair<torch::Tensor, torch::Tensor> nearest(const torch::Tensor& x, const torch::Tensor& ref) {
  std::vector<torch::Tensor> d, i;
  for (int64_t s = 0; s < x.size(0); s += 512) {
    const auto [v, k] = torch::cdist(x.slice(0, s, std::min(x.size(0), s + 512)), ref).min(1);
    d.push_back(v), i.push_back(k);
  }
  return {torch::cat(d), torch::cat(i)};
}

torch::Tensor pixels(const torch::Tensor& u8_nhwc) { return u8_nhwc.reshape({u8_nhwc.size(0), -1}).to(torch::kFloat32) / 255.0; }

// The memorisation check: how many samples sit closer to a training sprite than real sprites of
// unseen species typically do. The held-out species are cut in two by species; the threshold is the
// kQuantile-quantile of the first part's nearest-training-sprite distances, and the floor is the
// share of the second part under it (about kQuantile for a real set; more means "copies").
constexpr double kQuantile = 0.1;

nlohmann::json memorisation(const Dataset& ds, TrainedClassifier& clf, const torch::Tensor& sample_u8,
                            const torch::Tensor& sample_features, uint64_t seed, int64_t batch,
                            const std::string& pairs_png) {
  std::vector<int64_t> train, held;
  for (int64_t i = 0; i < ds.count(); ++i) (ds.split[size_t(i)] == kHeldOut ? held : train).push_back(i);
  std::vector<int64_t> h1, h2;
  if (train.empty() || !split_by_species(ds, held, seed + 17, h1, h2))
    return {{"skipped", "the dataset has too few held-out species"}};
  const auto t_u8 = gather_images(ds, train), h1_u8 = gather_images(ds, h1), h2_u8 = gather_images(ds, h2);
  nlohmann::json out = {{"quantile", kQuantile}, {"training_images", train.size()},
                        {"heldout_images", nlohmann::json::array({h1.size(), h2.size()})}};
  torch::Tensor pixel_nn_d, pixel_nn_i;
  for (const std::string space : {"feature", "pixel"}) {
    const bool feat = space == "feature";
    auto rep = [&](const torch::Tensor& u8) { return feat ? classify(clf, u8, batch).features : pixels(u8); };
    const auto t = rep(t_u8);
    const auto d1 = nearest(rep(h1_u8), t).first, d2 = nearest(rep(h2_u8), t).first;
    const auto [ds_, is_] = nearest(feat ? sample_features : pixels(sample_u8), t);
    const double tau = torch::quantile(d1.to(torch::kFloat64), kQuantile).item<double>();
    out[space] = {{"threshold", tau},
                  {"model_share", (ds_ < tau).to(torch::kFloat64).mean().item<double>()},
                  {"floor_share", (d2 < tau).to(torch::kFloat64).mean().item<double>()},
                  {"model_median_distance", ds_.median().item<double>()},
                  {"floor_median_distance", d2.median().item<double>()}};
    if (!feat) pixel_nn_d = ds_, pixel_nn_i = is_;
  }
  if (!pairs_png.empty()) {  // the 8 samples closest to a training sprite, each beside that sprite
    const auto order = pixel_nn_d.argsort().slice(0, 0, std::min<int64_t>(8, pixel_nn_d.size(0)));
    std::vector<Image> tiles;
    const auto as_image = [](const torch::Tensor& hwc) {
      const auto c = hwc.contiguous();
      Image im(int(c.size(1)), int(c.size(0)), 3);
      std::memcpy(im.pixels.data(), c.data_ptr<uint8_t>(), im.pixels.size());
      return im;
    };
    for (int64_t k = 0; k < order.size(0); ++k) {
      const int64_t s = order[k].item<int64_t>();
      tiles.push_back(as_image(sample_u8[s]));
      tiles.push_back(as_image(t_u8[pixel_nn_i[s].item<int64_t>()]));
    }
    write_png(pairs_png, make_grid(tiles, 4));
    out["pairs_png"] = pairs_png;
  }
  return out;
}

}  // namespace

nlohmann::json evaluate(const std::filesystem::path& checkpoint, const Dataset& ds, TrainedClassifier& clf,
                        const EvalOptions& opt, const std::function<void(const std::string&)>& log) {
  auto say = [&](const std::string& s) {
    if (log) log(s);
  };
  LoadedGenerator lg = load_generator(checkpoint);
  const bool conditional = lg.config.g.conditional;
  const int num_classes = int(ds.classes.size());
  if (clf.classes != ds.classes)
    throw Error("the classifier was trained on other classes than this dataset's; train one on it with: pokegan classifier train");
  if (conditional && lg.config.classes != ds.classes)
    throw Error("the checkpoint was trained on other classes than this dataset's; pass the dataset it was trained on");
  if (lg.config.image_size != ds.size)
    throw Error("the checkpoint makes " + std::to_string(lg.config.image_size) + "x" + std::to_string(lg.config.image_size) +
                " sprites but the dataset is " + std::to_string(ds.size) + "x" + std::to_string(ds.size) +
                "; pass the dataset it was trained on");
  if (opt.samples < 0) throw Error("--samples must be >= 0");

  // Real images of the chosen split, cut into species-disjoint halves A and B.
  std::vector<int64_t> real;
  for (int64_t i = 0; i < ds.count(); ++i) {
    const bool held = ds.split[size_t(i)] == kHeldOut;
    if (opt.real == "all" || (opt.real == "train" && !held) || (opt.real == "heldout" && held)) real.push_back(i);
  }
  if (opt.real != "all" && opt.real != "train" && opt.real != "heldout")
    throw Error("unknown --real '" + opt.real + "' (valid: all, train, heldout)");
  std::vector<int64_t> idx_a, idx_b;
  if (!split_by_species(ds, real, opt.seed + 3, idx_a, idx_b))
    throw Error("the real images hold fewer than 2 species; cannot split them in halves");

  // Per-type counts of A, scaled down to --samples if asked.
  std::vector<int64_t> count(size_t(num_classes), 0);
  for (int64_t i : idx_a) ++count[size_t(ds.labels[size_t(i)])];
  if (opt.samples > 0 && opt.samples < int64_t(idx_a.size())) {
    const double f = double(opt.samples) / double(idx_a.size());
    for (auto& c : count) c = std::llround(double(c) * f);
  }
  idx_a = take_per_class(ds, idx_a, count, opt.seed + 5);
  const int64_t n = int64_t(idx_a.size());
  say("real halves by species: A " + std::to_string(n) + " images (the floor), B " + std::to_string(idx_b.size()) +
      " images (the reference); generating " + std::to_string(n) + " samples");

  // The model's samples, with A's labels (one block for an unconditional model). A dual-type model
  // is asked for A's own type pairs (each sprite's class with the class of its other type), so that
  // its pairs can be scored against A's real dual-type sprites; its first class is A's label.
  const auto labels_a = labels_of(ds, idx_a);
  const bool dual = conditional && lg.config.dual_types;
  const torch::Tensor pairs_a = dual ? take(ds.pair_labels(), idx_a) : torch::Tensor();
  const auto gen_labels = dual ? pairs_a : conditional ? labels_a : torch::zeros({n}, torch::kLong);
  const auto z = fixed_noise(n, lg.g->z_dim(), opt.seed + 100);
  std::vector<torch::Tensor> made;
  {
    Progress progress("generate", n, "img");
    for (int64_t s = 0; s < n; s += opt.batch) {
      const int64_t e = std::min(n, s + opt.batch);
      made.push_back(to_uint8_images(generate(*lg.g, z.slice(0, s, e), gen_labels.slice(0, s, e))));
      progress.update(e);
    }
    progress.finish();
  }
  const Rgb background = corner_background(ds.images.data(), ds.count(), ds.size);
  const FeatureSet a = describe(clf, gather_images(ds, idx_a), labels_a, background, opt.batch);
  const FeatureSet b = describe(clf, gather_images(ds, idx_b), labels_of(ds, idx_b), background, opt.batch);
  const FeatureSet g = describe(clf, torch::cat(made), labels_a, background, opt.batch);
  say("features and pixel statistics done; computing metrics");

  nlohmann::json result;
  result["format"] = "pokegan-eval/1";
  result["checkpoint"] = checkpoint.string();
  result["preset"] = lg.config.preset;
  result["step"] = lg.step;
  result["image_size"] = ds.size;
  result["data"] = lg.config.data;
  result["conditional"] = conditional;
  result["classes"] = ds.classes;
  result["seed"] = opt.seed;
  result["real_split"] = opt.real;
  result["samples"] = n;
  result["reference_images"] = int64_t(idx_b.size());
  result["classifier"] = {{"split", clf.report.split}, {"accuracy", clf.report.accuracy},
                          {"image_size", clf.image_size}, {"feature_dim", clf.net->feature_dim()}};
  result["model"] = metric_set(g, b, opt, num_classes, conditional);
  result["real"] = metric_set(a, b, opt, num_classes, true);
  if (dual) {  // the floor: A's real dual-type sprites under the same one-type classifier
    const SecondType model = second_type_accuracy(g.logits, pairs_a), real = second_type_accuracy(a.logits, pairs_a);
    result["pairs"] = model.pairs;
    if (model.pairs > 0) {
      result["model"]["second_type_accuracy"] = model.accuracy;
      result["real"]["second_type_accuracy"] = real.accuracy;
    }
  }
  if (conditional) {
    double sum_model = 0, sum_real = 0;
    int typed = 0;
    for (int c = 0; c < num_classes; ++c) {
      const FeatureSet gc = g.subset(c), ac = a.subset(c), bc = b.subset(c);
      auto& t = result["per_type"][ds.classes[size_t(c)]];
      t["model"] = metric_set(gc, bc, opt, num_classes, true);
      t["real"] = metric_set(ac, bc, opt, num_classes, true);
      if (t["model"].contains("fid") && t["real"].contains("fid")) {
        sum_model += t["model"]["fid"].get<double>();
        sum_real += t["real"]["fid"].get<double>();
        ++typed;
      }
    }
    if (typed) {
      result["model"]["intra_fid"] = sum_model / typed;
      result["real"]["intra_fid"] = sum_real / typed;
      result["intra_fid_types"] = typed;
    }
  }
  if (lg.config.split == "train") {
    say("memorisation check: nearest training sprites");
    result["memorisation"] = memorisation(ds, clf, g.images, g.features, opt.seed, opt.batch, opt.pairs_png);
  } else {
    result["memorisation"] = {{"skipped", "the model was trained on every species (split=all)"}};
  }
  return result;
}

std::string format_eval_table(const nlohmann::json& r) { return format_eval_comparison({{"model", r}}); }

std::string format_eval_comparison(const std::vector<std::pair<std::string, nlohmann::json>>& results) {
  static const std::vector<std::pair<std::string, std::string>> rows = {
      {"fid", "FID (lower is better)"},           {"intra_fid", "intra-type FID (lower)"},
      {"kid", "KID (lower)"},                     {"precision", "precision (higher)"},
      {"recall", "recall (higher)"},              {"density", "density (~1)"},
      {"coverage", "coverage (higher)"},          {"type_accuracy", "type accuracy (higher)"},
      {"diversity_ratio", "diversity / real (~1)"}, {"colour", "colour distance (lower)"},
      {"shape", "shape distance (lower)"},        {"detail", "detail ratio (~1)"},
      {"stripes", "stripe ratio (~1)"},           {"second_type_accuracy", "second type, pairs (higher)"}};
  if (results.empty()) return "";
  auto cell = [](const nlohmann::json& j, const std::string& k) {
    char b[32];
    if (!j.contains(k)) return std::string("-");
    const double v = j[k].get<double>();
    std::snprintf(b, sizeof b, k == "kid" ? "%.5f" : "%.4g", v);
    return std::string(b);
  };
  auto line = [](const std::string& first, const std::vector<std::string>& cells) {
    char b[64];
    std::snprintf(b, sizeof b, "%-26s", first.c_str());
    std::string s = b;
    for (const auto& c : cells) {
      std::snprintf(b, sizeof b, " %14s", c.c_str());
      s += b;
    }
    return s + "\n";
  };
  std::vector<std::string> head;
  for (const auto& [name, r] : results) head.push_back(name.substr(0, 14));
  head.push_back("real floor");
  std::string out = line("metric", head);
  // The floor of the first result; results from the same eval setting share it.
  const auto& floor = results.front().second["real"];
  for (const auto& [key, name] : rows) {
    std::vector<std::string> cells;
    if (key == "second_type_accuracy" &&
        std::none_of(results.begin(), results.end(), [&](const auto& r) { return r.second["model"].contains(key); }))
      continue;  // a row for dual-type models only
    for (const auto& [n, r] : results) cells.push_back(cell(r["model"], key));
    cells.push_back(cell(floor, key));
    out += line(name, cells);
  }
  for (const std::string space : {"feature", "pixel"}) {
    std::vector<std::string> cells;
    bool any = false;
    std::string floor_cell = "-";
    for (const auto& [n, r] : results) {
      const bool has = r.contains("memorisation") && r["memorisation"].contains(space);
      any |= has;
      cells.push_back(has ? cell(r["memorisation"][space], "model_share") : "-");
      if (has && floor_cell == "-") floor_cell = cell(r["memorisation"][space], "floor_share");
    }
    cells.push_back(floor_cell);
    if (any) out += line("near-copies, " + space + " (lower)", cells);
  }
  return out;
}

}  // namespace pokegan
