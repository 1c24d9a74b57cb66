#include "pokegan/models/spectral.h"
#include "pokegan/common/labels.h"

#include <torch/nn/functional/conv.h>
#include <torch/nn/functional/linear.h>
#include <torch/nn/functional/normalization.h>
#include <torch/nn/init.h>

#include <cmath>

namespace pokegan {

namespace F = torch::nn::functional;

namespace {
torch::Tensor normalize(const torch::Tensor& x) {
  return F::normalize(x, F::NormalizeFuncOptions().dim(0).eps(1e-12));
}
}  // namespace

torch::Tensor spectral_normalized(const torch::Tensor& w, torch::Tensor& u, torch::Tensor& v, bool update) {
  const auto wm = w.flatten(1);  // [out, K]
  if (update) {
    torch::NoGradGuard no_grad;
    v.copy_(normalize(torch::mv(wm.t(), u)));
    u.copy_(normalize(torch::mv(wm, v)));
  }
  // u and v enter as constants (clones, so that the in-place refresh of the next forward does not
  // disturb this forward's backward).
  const auto sigma = torch::dot(u.clone(), torch::mv(wm, v.clone()));
  return w / sigma;
}

void SNWeight::init_weight(at::IntArrayRef shape, bool sn) {
  weight = register_parameter("weight", torch::empty(shape));
  if (sn) {
    const int64_t out = shape[0], k = weight.numel() / out;
    u = register_buffer("u", normalize(torch::randn({out})));
    v = register_buffer("v", normalize(torch::randn({k})));
  }
}

torch::Tensor SNWeight::effective_weight() {
  if (!u.defined()) return weight;
  return spectral_normalized(weight, u, v, is_training());
}

namespace {
// PyTorch's default initialisation for conv and linear layers: kaiming_uniform(a = sqrt(5)) for the
// weight, U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for the bias.
void default_init(torch::Tensor& w, torch::Tensor& b) {
  torch::NoGradGuard no_grad;
  torch::nn::init::kaiming_uniform_(w, std::sqrt(5.0));
  if (b.defined()) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(w.numel() / w.size(0)));
    b.uniform_(-bound, bound);
  }
}
}  // namespace

SNConv2dImpl::SNConv2dImpl(int in, int out, int kernel, int stride_, int padding_, bool with_bias, bool sn)
    : stride(stride_), padding(padding_) {
  init_weight({out, in, kernel, kernel}, sn);
  if (with_bias) bias = register_parameter("bias", torch::empty({out}));
  default_init(weight, bias);
}

torch::Tensor SNConv2dImpl::forward(const torch::Tensor& x) {
  return F::conv2d(x, effective_weight(), F::Conv2dFuncOptions().bias(bias).stride(stride).padding(padding));
}

SNLinearImpl::SNLinearImpl(int in, int out, bool with_bias, bool sn) {
  init_weight({out, in}, sn);
  if (with_bias) bias = register_parameter("bias", torch::empty({out}));
  default_init(weight, bias);
}

torch::Tensor SNLinearImpl::forward(const torch::Tensor& x) { return F::linear(x, effective_weight(), bias); }

SNEmbeddingImpl::SNEmbeddingImpl(int num, int dim, bool sn) {
  init_weight({num, dim}, sn);
  torch::NoGradGuard no_grad;
  weight.normal_();  // as nn.Embedding
}

torch::Tensor SNEmbeddingImpl::forward(const torch::Tensor& labels) {
  const auto w = effective_weight();
  if (has_pairs(labels, w.size(0))) return embed_classes(w, labels.reshape({-1}));
  return w.index_select(0, labels.reshape({-1}));
}

torch::Tensor minibatch_stddev(const torch::Tensor& x, int group) {
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  int64_t g = std::min<int64_t>(group, n);
  while (n % g != 0) --g;
  auto y = x.reshape({g, n / g, c, h, w});        // [G, M, C, H, W]: sample i = (i / M, i % M)
  y = y - y.mean(0);                              // deviations within each group
  y = (y.square().mean(0) + 1e-8).sqrt();         // [M, C, H, W]
  y = y.mean({1, 2, 3}).view({n / g, 1, 1, 1});   // [M, 1, 1, 1]
  y = y.repeat({g, 1, h, w});                     // [N, 1, H, W]
  return torch::cat({x, y}, 1);
}

}  // namespace pokegan
