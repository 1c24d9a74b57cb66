// Batches for training: the chosen split's uint8 images stay in memory as one tensor; each batch is
// gathered by index and converted to float [-1, 1] NCHW. Order is a seeded permutation per epoch
// (drop-last), driven by the loader's own generator so that model-side randomness never shifts the
// data order. Its state (epoch, position, permutation, generator) goes into checkpoints for exact
// resumes.
#pragma once
#include <map>
#include <string>
#include <utility>

#include <ATen/core/Generator.h>
#include <torch/types.h>

#include "pokegan/data/dataset.h"

namespace pokegan {

class BatchLoader {
 public:
  // split: "train" (held-out species excluded) or "all". pairs: labels are Dataset::pair_labels().
  BatchLoader(const Dataset& ds, int batch, uint64_t seed, const std::string& split = "train", bool pairs = false);

  // images [B, 3, S, S] float in [-1, 1], labels [B] int64.
  std::pair<torch::Tensor, torch::Tensor> next();

  int64_t epoch() const { return epoch_; }
  int64_t size() const { return images_.size(0); }
  int64_t batches_per_epoch() const { return size() / batch_; }

  std::map<std::string, torch::Tensor> state() const;
  void load_state(const std::map<std::string, torch::Tensor>& s);

 private:
  void reshuffle();
  torch::Tensor images_;  // [M, S, S, 3] uint8
  torch::Tensor labels_;  // [M] int64
  int batch_;
  mutable at::Generator gen_;  // mutable: reading its state takes its lock
  torch::Tensor perm_;
  int64_t epoch_ = 0, pos_ = 0;
};

// The dataset's images at these indices, uint8 [len(idx), S, S, 3] (a copy).
torch::Tensor gather_images(const Dataset& ds, const std::vector<int64_t>& idx);

// uint8 [N, S, S, 3] -> float [N, 3, S, S] in [-1, 1], and back (clamped, rounded).
torch::Tensor to_float_images(const torch::Tensor& u8_nhwc);
torch::Tensor to_uint8_images(const torch::Tensor& f_nchw);

}  // namespace pokegan
