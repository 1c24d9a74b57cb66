#include "pokegan/data/dataset.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <random>
#include <set>

#include <nlohmann/json.hpp>

#include "pokegan/common/error.h"
#include "pokegan/common/fs.h"
#include "pokegan/io/safetensors.h"
#include "pokegan/data/type_table.h"
#include "pokegan/common/pair_label.h"

namespace pokegan {

namespace {
constexpr const char* kFormat = "pokegan-dataset/1";
}

void Dataset::add(const Image& rgb, int64_t label, int32_t species_id, uint8_t view_id,
                  uint8_t is_shiny, int8_t t1, int8_t t2) {
  if (rgb.width != size || rgb.height != size || rgb.channels != 3)
    throw Error("Dataset::add: image is not " + std::to_string(size) + "x" + std::to_string(size) + " RGB");
  images.insert(images.end(), rgb.pixels.begin(), rgb.pixels.end());
  labels.push_back(label);
  species.push_back(species_id);
  view.push_back(view_id);
  shiny.push_back(is_shiny);
  split.push_back(kTrain);
  type1.push_back(t1);
  type2.push_back(t2);
}

Image Dataset::image(int64_t i) const {
  Image im(size, size, 3);
  std::memcpy(im.pixels.data(), images.data() + i * image_bytes(), image_bytes());
  return im;
}

std::vector<int64_t> Dataset::count_per_class() const {
  std::vector<int64_t> c(classes.size(), 0);
  for (auto l : labels) ++c.at(static_cast<size_t>(l));
  return c;
}

void Dataset::split_by_species(double fraction, uint64_t seed) {
  if (!(fraction >= 0 && fraction < 1)) throw Error("held-out fraction must be in [0, 1)");
  const std::set<int32_t> unique(species.begin(), species.end());
  std::vector<int32_t> ids(unique.begin(), unique.end());
  std::mt19937_64 rng(seed);
  std::shuffle(ids.begin(), ids.end(), rng);
  const size_t n_out = static_cast<size_t>(fraction * ids.size() + 0.5);
  const std::set<int32_t> held(ids.begin(), ids.begin() + static_cast<long>(n_out));
  for (size_t i = 0; i < species.size(); ++i) split[i] = held.count(species[i]) ? kHeldOut : kTrain;
}

void Dataset::save(const std::filesystem::path& path) const {
  const int64_t n = count();
  SafeTensors st;
  st.tensors["images"] = TensorData::from(DType::U8, {n, size, size, 3}, images);
  st.tensors["labels"] = TensorData::from(DType::I64, {n}, labels);
  st.tensors["species"] = TensorData::from(DType::I32, {n}, species);
  st.tensors["view"] = TensorData::from(DType::U8, {n}, view);
  st.tensors["shiny"] = TensorData::from(DType::U8, {n}, shiny);
  st.tensors["split"] = TensorData::from(DType::U8, {n}, split);
  st.tensors["type1"] = TensorData::from(DType::I8, {n}, type1);
  st.tensors["type2"] = TensorData::from(DType::I8, {n}, type2);
  st.metadata["format"] = kFormat;
  st.metadata["classes"] = nlohmann::json(classes).dump();
  st.metadata["grouping"] = grouping_json;
  st.metadata["provenance"] = provenance_json;
  save_safetensors(path, st);
}

std::string Dataset::fingerprint() const {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&](const void* p, size_t n) {
    const auto* b = static_cast<const uint8_t*>(p);
    for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ull;
  };
  mix(&size, sizeof size);
  mix(images.data(), images.size());
  mix(labels.data(), labels.size() * sizeof(int64_t));
  mix(split.data(), split.size());
  for (const auto& c : classes) mix(c.data(), c.size() + 1);
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

Dataset Dataset::load(const std::filesystem::path& path) {
  require_exists(path, "dataset");
  const SafeTensors st = load_safetensors(path);
  auto bad = [&](const std::string& why) { return Error(path.string() + ": " + why); };
  auto fmt = st.metadata.find("format");
  if (fmt == st.metadata.end() || fmt->second != kFormat)
    throw bad("not a pokegan dataset (make one with `pokegan data prepare` or `pokegan data import`)");
  Dataset d;
  try {
    const auto& im = st.get("images");
    if (im.dtype != DType::U8 || im.shape.size() != 4 || im.shape[1] != im.shape[2] || im.shape[3] != 3)
      throw bad("'images' must be U8 [N,S,S,3]");
    d.size = static_cast<int>(im.shape[1]);
    d.images = im.bytes;
    d.labels = st.get("labels").to_vector<int64_t>();
    d.species = st.get("species").to_vector<int32_t>();
    d.view = st.get("view").to_vector<uint8_t>();
    d.shiny = st.get("shiny").to_vector<uint8_t>();
    d.split = st.get("split").to_vector<uint8_t>();
    d.type1 = st.get("type1").to_vector<int8_t>();
    d.type2 = st.get("type2").to_vector<int8_t>();
    d.classes = nlohmann::json::parse(st.meta("classes")).get<std::vector<std::string>>();
    d.grouping_json = st.metadata.count("grouping") ? st.metadata.at("grouping") : "{}";
    d.provenance_json = st.metadata.count("provenance") ? st.metadata.at("provenance") : "{}";
  } catch (const nlohmann::json::exception&) {
    throw bad("metadata 'classes' is not a JSON list of names");
  } catch (const Error& e) {
    throw bad(e.what());
  }
  const size_t n = d.labels.size();
  if (static_cast<size_t>(st.get("images").shape[0]) != n || d.species.size() != n || d.view.size() != n ||
      d.shiny.size() != n || d.split.size() != n || d.type1.size() != n || d.type2.size() != n)
    throw bad("tensors disagree on the number of images");
  if (d.classes.empty()) throw bad("no classes");
  for (auto l : d.labels)
    if (l < 0 || l >= static_cast<int64_t>(d.classes.size())) throw bad("label out of range");
  return d;
}

std::vector<int64_t> Dataset::pair_labels() const {
  std::map<std::string, std::string> merges;
  try {
    merges = nlohmann::json::parse(grouping_json).get<std::map<std::string, std::string>>();
  } catch (const std::exception&) {
    throw Error("the dataset's grouping metadata is not a JSON object of type merges");
  }
  const auto& types = all_types();
  std::vector<int64_t> class_of_type(types.size(), -1);
  for (size_t t = 0; t < types.size(); ++t) {
    const auto m = merges.find(types[t]);
    const std::string& name = m == merges.end() ? types[t] : m->second;
    for (size_t c = 0; c < classes.size(); ++c)
      if (classes[c] == name) class_of_type[t] = static_cast<int64_t>(c);
  }
  const int64_t nc = static_cast<int64_t>(classes.size());
  std::vector<int64_t> out(labels.size());
  bool typed = false;
  for (size_t i = 0; i < labels.size(); ++i) {
    const int8_t t1 = i < type1.size() ? type1[i] : -1, t2 = i < type2.size() ? type2[i] : -1;
    const auto cls = [&](int8_t t) { return t >= 0 && size_t(t) < types.size() ? class_of_type[size_t(t)] : -1; };
    const int64_t c1 = cls(t1), c2 = cls(t2);
    typed = typed || c1 >= 0;
    // The sprite's own class first; the other one of its two types second (a `--dual both` copy
    // filed under the second type pairs with the first).
    const int64_t other = c1 == labels[i] ? c2 : c1;
    out[i] = pair_label(labels[i], other, nc);
  }
  if (!typed && !labels.empty())
    throw Error("this dataset has no type ids (type1/type2), so it has no second types; dual_types needs a sprite "
                "dataset made by `pokegan data prepare`");
  return out;
}

}  // namespace pokegan
