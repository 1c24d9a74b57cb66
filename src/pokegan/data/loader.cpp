#include "pokegan/data/loader.h"

#include <ATen/CPUGeneratorImpl.h>

#include <mutex>

#include "pokegan/common/error.h"

namespace pokegan {

torch::Tensor to_float_images(const torch::Tensor& u8) {
  return u8.permute({0, 3, 1, 2}).to(torch::kFloat32).div_(127.5).sub_(1.0).contiguous();
}

torch::Tensor gather_images(const Dataset& ds, const std::vector<int64_t>& idx) {
  const auto all = torch::from_blob(const_cast<uint8_t*>(ds.images.data()), {ds.count(), ds.size, ds.size, 3}, torch::kUInt8);
  return all.index_select(0, torch::tensor(idx, torch::kLong)).clone();
}

torch::Tensor to_uint8_images(const torch::Tensor& f) {
  return f.detach().to(torch::kCPU, torch::kFloat32).add(1.0).mul_(127.5).round_().clamp_(0, 255)
      .to(torch::kUInt8).permute({0, 2, 3, 1}).contiguous();
}

BatchLoader::BatchLoader(const Dataset& ds, int batch, uint64_t seed, const std::string& split, bool pairs)
    : batch_(batch), gen_(at::make_generator<at::CPUGeneratorImpl>(seed)) {
  if (split != "train" && split != "all") throw Error("split must be 'train' or 'all', got '" + split + "'");
  std::vector<int64_t> keep;
  for (int64_t i = 0; i < ds.count(); ++i)
    if (split == "all" || ds.split[i] == kTrain) keep.push_back(i);
  if (static_cast<int64_t>(keep.size()) < batch)
    throw Error("the dataset's " + split + " split has " + std::to_string(keep.size()) +
                " images, fewer than one batch of " + std::to_string(batch));
  const int64_t S = ds.size;
  auto all = torch::from_blob(const_cast<uint8_t*>(ds.images.data()), {ds.count(), S, S, 3}, torch::kUInt8);
  auto idx = torch::tensor(keep, torch::kInt64);
  images_ = all.index_select(0, idx).contiguous();
  labels_ = torch::tensor(pairs ? ds.pair_labels() : ds.labels, torch::kInt64).index_select(0, idx);
  reshuffle();
}

void BatchLoader::reshuffle() {
  perm_ = torch::randperm(size(), gen_, torch::kInt64);
  pos_ = 0;
}

std::pair<torch::Tensor, torch::Tensor> BatchLoader::next() {
  if (pos_ + batch_ > size()) {
    ++epoch_;
    reshuffle();
  }
  auto idx = perm_.narrow(0, pos_, batch_);
  pos_ += batch_;
  return {to_float_images(images_.index_select(0, idx)), labels_.index_select(0, idx)};
}

std::map<std::string, torch::Tensor> BatchLoader::state() const {
  std::lock_guard<std::mutex> lock(gen_.mutex());
  return {{"perm", perm_},
          {"epoch", torch::tensor({epoch_}, torch::kInt64)},
          {"pos", torch::tensor({pos_}, torch::kInt64)},
          {"rng", gen_.get_state()}};
}

void BatchLoader::load_state(const std::map<std::string, torch::Tensor>& s) {
  auto get = [&](const char* k) {
    auto it = s.find(k);
    if (it == s.end()) throw Error(std::string("checkpoint lacks loader state '") + k + "'");
    return it->second;
  };
  auto perm = get("perm");
  if (perm.numel() != size())
    throw Error("checkpoint was made on a dataset split of " + std::to_string(perm.numel()) +
                " images, this one has " + std::to_string(size()));
  perm_ = perm.to(torch::kInt64).clone();
  epoch_ = get("epoch").item<int64_t>();
  pos_ = get("pos").item<int64_t>();
  std::lock_guard<std::mutex> lock(gen_.mutex());
  gen_.set_state(get("rng"));
}

}  // namespace pokegan
