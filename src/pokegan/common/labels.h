// Torch helpers for class labels with one type or two; the encoding is in pair_label.h.
#pragma once
#include <cstdint>

#include <torch/types.h>

#include "pokegan/common/pair_label.h"

namespace pokegan {

// The first and second class of each label ([N] int64; the second is -1 for a single class).
torch::Tensor first_class(const torch::Tensor& labels, int64_t num_classes);
torch::Tensor second_class(const torch::Tensor& labels, int64_t num_classes);
// Whether any label in the batch is a pair (one reduction on the labels).
bool has_pairs(const torch::Tensor& labels, int64_t num_classes);
// [N, C] in `dtype`: one-hot, or 0.5 at each class of a pair.
torch::Tensor class_weights(const torch::Tensor& labels, int64_t num_classes, torch::Dtype dtype = torch::kFloat32);
// Rows of an embedding table [C, E] for the labels: table[y], or the mean of the pair's two rows.
torch::Tensor embed_classes(const torch::Tensor& table, const torch::Tensor& labels);
// Mean cross-entropy of class logits [N, C] against the labels (soft 0.5/0.5 targets for pairs).
torch::Tensor class_cross_entropy(const torch::Tensor& logits, const torch::Tensor& labels);
// Per sample, 1 where the argmax of the logits is one of the label's classes.
torch::Tensor class_hits(const torch::Tensor& logits, const torch::Tensor& labels);

}  // namespace pokegan
