#include "pokegan/inference/nearest_real.h"

#include <torch/nn/functional/pooling.h>

#include "pokegan/common/error.h"
#include "pokegan/inference/sprite_model.h"

namespace pokegan {

namespace F = torch::nn::functional;

torch::Tensor NearestReal::features(const torch::Tensor& u8_nhwc) const {
  auto x = u8_nhwc.permute({0, 3, 1, 2}).to(torch::kFloat32) / 255.0;  // [N, 3, S, S]
  const int64_t k = std::max<int64_t>(1, x.size(2) / 32);
  if (k > 1) x = F::avg_pool2d(x, F::AvgPool2dFuncOptions(k));
  return x.flatten(1).contiguous();  // [N, 3 * (S/k)^2]
}

NearestReal::NearestReal(const Dataset& ds) : ds_(ds) {
  for (int64_t i = 0; i < ds.count(); ++i)
    if (ds.split[size_t(i)] == kTrain) rows_.push_back(i);
  if (rows_.empty()) throw Error("the dataset has no training sprites to compare with");
  const int64_t s = ds.size;
  auto all = torch::from_blob(const_cast<uint8_t*>(ds.images.data()), {ds.count(), s, s, 3}, torch::kUInt8);
  feats_ = features(all.index_select(0, torch::tensor(rows_, torch::kInt64)));
}

std::vector<NearestReal::Match> NearestReal::nearest(const Image& sprite, int k) const {
  check_range(k, 1, kMaxNearest, "k");
  if (sprite.width != ds_.size || sprite.height != ds_.size || sprite.channels != 3)
    throw Error("nearest real sprites: the sprite is " + std::to_string(sprite.width) + "x" + std::to_string(sprite.height) +
                ", the dataset's are " + std::to_string(ds_.size) + "x" + std::to_string(ds_.size));
  torch::NoGradGuard no_grad;
  auto q = torch::from_blob(const_cast<uint8_t*>(sprite.pixels.data()), {1, sprite.height, sprite.width, 3}, torch::kUInt8);
  const auto f = features(q);                                           // [1, D]
  const auto d = (feats_ - f).pow(2).mean(1).sqrt();                    // [rows]
  const auto [v, idx] = d.topk(std::min<int64_t>(k, d.size(0)), 0, /*largest=*/false);
  std::vector<Match> out;
  for (int64_t j = 0; j < idx.size(0); ++j) {
    const int64_t row = rows_[size_t(idx[j].item<int64_t>())];
    Match m;
    m.image = ds_.image(row);
    m.index = row;
    m.species = ds_.species[size_t(row)];
    m.type = ds_.classes[size_t(ds_.labels[size_t(row)])];
    m.distance = v[j].item<double>();
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace pokegan
