#include "pokegan/common/labels.h"

#include <torch/nn/functional/loss.h>

namespace pokegan {

namespace F = torch::nn::functional;

torch::Tensor first_class(const torch::Tensor& labels, int64_t c) { return labels.remainder(c); }
torch::Tensor second_class(const torch::Tensor& labels, int64_t c) { return labels.div(c, "floor") - 1; }

bool has_pairs(const torch::Tensor& labels, int64_t c) {
  return labels.numel() > 0 && labels.max().item<int64_t>() >= c;
}

namespace {
// class_weights for a batch known to hold pairs (callers have run has_pairs once).
torch::Tensor pair_weights(const torch::Tensor& labels, int64_t c, torch::Dtype dtype) {
  const auto second = second_class(labels, c);
  const auto pair = second.ge(0);
  auto w = torch::one_hot(first_class(labels, c), c).to(dtype);
  w = w + torch::one_hot(second.clamp_min(0), c).to(dtype) * pair.unsqueeze(1).to(dtype);
  return w / (1 + pair.to(dtype)).unsqueeze(1);
}
}  // namespace

torch::Tensor class_weights(const torch::Tensor& labels, int64_t c, torch::Dtype dtype) {
  if (!has_pairs(labels, c)) return torch::one_hot(labels, c).to(dtype);
  return pair_weights(labels, c, dtype);
}

torch::Tensor embed_classes(const torch::Tensor& table, const torch::Tensor& labels) {
  const int64_t c = table.size(0);
  if (!has_pairs(labels, c)) return torch::embedding(table, labels);
  return torch::matmul(pair_weights(labels, c, table.scalar_type()), table);
}

torch::Tensor class_cross_entropy(const torch::Tensor& logits, const torch::Tensor& labels) {
  const int64_t c = logits.size(1);
  if (!has_pairs(labels, c)) return F::cross_entropy(logits, labels);
  return -(pair_weights(labels, c, logits.scalar_type()) * logits.log_softmax(1)).sum(1).mean();
}

torch::Tensor class_hits(const torch::Tensor& logits, const torch::Tensor& labels) {
  const int64_t c = logits.size(1);
  const auto top = logits.argmax(1);
  return top.eq(first_class(labels, c)).logical_or(top.eq(second_class(labels, c)));
}

}  // namespace pokegan
