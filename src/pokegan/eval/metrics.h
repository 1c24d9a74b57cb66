// Distribution metrics on feature vectors (rows of a [N, D] tensor), computed in float64:
//   FID        Fréchet distance between Gaussians fitted to two sets (Heusel et al. 2017)
//   KID        unbiased MMD² with the cubic polynomial kernel k(x,y) = (x·y/D + 1)³, averaged
//              over random subsets (Bińkowski et al. 2018)
//   precision / recall   improved P&R with k-NN balls (Kynkäänniemi et al. 2019, k = 3)
//   density / coverage   (Naeem et al. 2020, k = 5)
// Ball membership is strict (d < radius), as in the authors' reference code (prdc).
#pragma once
#include <cstdint>

#include <torch/types.h>

namespace pokegan {

struct Moments {
  torch::Tensor mean;  // [D] float64
  torch::Tensor cov;   // [D, D] float64, unbiased (N - 1)
};
Moments moments(const torch::Tensor& features);

// Square root of a symmetric positive semi-definite matrix (eigendecomposition; negative
// eigenvalues from rounding are clamped to 0).
torch::Tensor sqrtm_psd(const torch::Tensor& a);

double frechet_distance(const Moments& a, const Moments& b);
double fid(const torch::Tensor& a, const torch::Tensor& b);

struct Kid {
  double mean = 0, std = 0;
};
// subset_size is capped at the smaller set's size; needs at least 2 rows on each side.
Kid kid(const torch::Tensor& a, const torch::Tensor& b, int subsets, int subset_size, uint64_t seed);

struct Prdc {
  double precision = 0, recall = 0, density = 0, coverage = 0;
};
// real, fake: [N, D], [M, D]. k_pr for precision/recall, k_dc for density/coverage.
Prdc prdc(const torch::Tensor& real, const torch::Tensor& fake, int k_pr = 3, int k_dc = 5);

// Mean Euclidean distance over all unordered pairs of rows (0 for fewer than 2 rows).
double mean_pairwise_distance(const torch::Tensor& features);

// The second type of dual-type sprites, as a one-type classifier sees it: over the rows whose label
// is a pair (common/pair_label.h), the share whose highest logit apart from the first class's is the
// second class (chance: 1 / (C - 1)). logits [N, C], labels [N] int64. `pairs` is how many rows
// were pairs; the share is 0 when none were.
struct SecondType {
  double accuracy = 0;
  int64_t pairs = 0;
};
SecondType second_type_accuracy(const torch::Tensor& logits, const torch::Tensor& labels);

}  // namespace pokegan
