#include "pokegan/eval/metrics.h"

#include <ATen/core/Generator.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/linalg.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "pokegan/common/error.h"
#include "pokegan/common/labels.h"

namespace pokegan {

namespace {

// cdist's compute mode 2: direct differences, no |x|²+|y|²-2x·y shortcut, so a point's distance
// to itself is exactly 0 and ties in hand-made tests stay ties.
constexpr int64_t kExactDistances = 2;

torch::Tensor as_f64(const torch::Tensor& x, const char* what) {
  if (x.dim() != 2) throw Error(std::string(what) + ": features must be [N, D]");
  return x.to(torch::kFloat64).contiguous();
}

// k-th nearest-neighbour distance of each row within its own set (the row itself excluded).
torch::Tensor knn_radii(const torch::Tensor& x, int k) {
  if (x.size(0) <= k) throw Error("need more than k = " + std::to_string(k) + " points for k-NN radii");
  const auto d = torch::cdist(x, x, 2.0, kExactDistances);
  return std::get<0>(d.kthvalue(k + 1, 1));  // the smallest is the point itself (0)
}

}  // namespace

Moments moments(const torch::Tensor& features) {
  const auto x = as_f64(features, "moments");
  if (x.size(0) < 2) throw Error("moments need at least 2 samples");
  const auto mean = x.mean(0);
  const auto c = x - mean;
  return {mean, c.t().mm(c) / double(x.size(0) - 1)};
}

torch::Tensor sqrtm_psd(const torch::Tensor& a) {
  const auto sym = (a + a.t()) * 0.5;
  const auto [vals, vecs] = torch::linalg::eigh(sym, "L");
  return (vecs * vals.clamp_min(0).sqrt().unsqueeze(0)).mm(vecs.t());
}

double frechet_distance(const Moments& a, const Moments& b) {
  // tr sqrt(Σa Σb) = tr sqrt(Σa^½ Σb Σa^½), whose argument is symmetric PSD.
  const auto ra = sqrtm_psd(a.cov);
  const auto inner = ra.mm(b.cov).mm(ra);
  const auto eig = torch::linalg::eigvalsh(0.5 * (inner + inner.t()), "L");
  const double tr_sqrt = eig.clamp_min(0).sqrt().sum().item<double>();
  const double mean_term = (a.mean - b.mean).pow(2).sum().item<double>();
  const double d = mean_term + a.cov.trace().item<double>() + b.cov.trace().item<double>() - 2 * tr_sqrt;
  return std::max(d, 0.0);
}

double fid(const torch::Tensor& a, const torch::Tensor& b) { return frechet_distance(moments(a), moments(b)); }

Kid kid(const torch::Tensor& a_in, const torch::Tensor& b_in, int subsets, int subset_size, uint64_t seed) {
  const auto a = as_f64(a_in, "kid"), b = as_f64(b_in, "kid");
  const int64_t m = std::min<int64_t>({subset_size, a.size(0), b.size(0)});
  if (m < 2) throw Error("KID needs at least 2 samples on each side");
  if (subsets < 1) throw Error("KID needs at least one subset");
  const double dim = double(a.size(1));
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  auto kernel = [&](const torch::Tensor& x, const torch::Tensor& y) { return (x.mm(y.t()) / dim + 1).pow(3); };
  std::vector<double> values;
  for (int s = 0; s < subsets; ++s) {
    const auto x = a.index_select(0, torch::randperm(a.size(0), gen, torch::kLong).slice(0, 0, m));
    const auto y = b.index_select(0, torch::randperm(b.size(0), gen, torch::kLong).slice(0, 0, m));
    const auto kxx = kernel(x, x), kyy = kernel(y, y), kxy = kernel(x, y);
    const double off = double(m) * (m - 1);
    const double mmd = (kxx.sum() - kxx.trace()).item<double>() / off +
                       (kyy.sum() - kyy.trace()).item<double>() / off - 2 * kxy.mean().item<double>();
    values.push_back(mmd);
  }
  Kid out;
  for (double v : values) out.mean += v;
  out.mean /= double(values.size());
  for (double v : values) out.std += (v - out.mean) * (v - out.mean);
  out.std = std::sqrt(out.std / double(values.size()));
  return out;
}

Prdc prdc(const torch::Tensor& real_in, const torch::Tensor& fake_in, int k_pr, int k_dc) {
  const auto real = as_f64(real_in, "prdc"), fake = as_f64(fake_in, "prdc");
  const auto d = torch::cdist(real, fake, 2.0, kExactDistances);  // [N, M]
  const auto r_real_pr = knn_radii(real, k_pr).unsqueeze(1);  // [N, 1]
  const auto r_fake_pr = knn_radii(fake, k_pr).unsqueeze(0);  // [1, M]
  const auto r_real_dc = knn_radii(real, k_dc).unsqueeze(1);
  Prdc out;
  out.precision = (d < r_real_pr).any(0).to(torch::kFloat64).mean().item<double>();
  out.recall = (d < r_fake_pr).any(1).to(torch::kFloat64).mean().item<double>();
  const auto inside = (d < r_real_dc);
  out.density = inside.to(torch::kFloat64).sum().item<double>() / (double(k_dc) * double(fake.size(0)));
  out.coverage = inside.any(1).to(torch::kFloat64).mean().item<double>();
  return out;
}

SecondType second_type_accuracy(const torch::Tensor& logits, const torch::Tensor& labels) {
  const int64_t nc = logits.size(1);
  const auto first = first_class(labels, nc), second = second_class(labels, nc);
  const auto is_pair = second >= 0;
  SecondType r;
  r.pairs = is_pair.sum().item<int64_t>();
  if (r.pairs == 0) return r;
  // The first class's logit out of the race, then the argmax of the rest.
  auto rest = logits.to(torch::kFloat32, /*non_blocking=*/false, /*copy=*/true);
  rest.scatter_(1, first.unsqueeze(1), -std::numeric_limits<float>::infinity());
  const auto hit = (rest.argmax(1) == second) & is_pair;
  r.accuracy = hit.sum().item<double>() / double(r.pairs);
  return r;
}

double mean_pairwise_distance(const torch::Tensor& features) {
  const auto x = as_f64(features, "diversity");
  const int64_t n = x.size(0);
  if (n < 2) return 0.0;
  return torch::cdist(x, x, 2.0, kExactDistances).sum().item<double>() / (double(n) * double(n - 1));
}

}  // namespace pokegan
