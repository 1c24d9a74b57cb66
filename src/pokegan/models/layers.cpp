#include "pokegan/models/layers.h"

#include <torch/nn/functional/upsampling.h>
#include <torch/nn/modules/activation.h>

#include "pokegan/common/error.h"

namespace pokegan {

namespace nn = torch::nn;

torch::Tensor GaussianNoiseImpl::forward(const torch::Tensor& x) {
  if (!is_training() || std_ <= 0) return x;
  return x + torch::randn_like(x) * std_;
}

InjectNoiseImpl::InjectNoiseImpl(int channels) {
  weight = register_parameter("weight", torch::zeros({1, channels, 1, 1}));
}

torch::Tensor InjectNoiseImpl::forward(const torch::Tensor& x) {
  if (!is_training()) return x;
  return x + weight * torch::randn({x.size(0), 1, x.size(2), x.size(3)}, x.options());
}

ConditionalAdaINImpl::ConditionalAdaINImpl(int channels, int w_dim, int num_classes, int embed_dim, double lambda)
    : lambda_c(lambda) {
  if (w_dim > 0) {
    style_scale = register_module("style_scale", nn::Linear(w_dim, channels));
    style_shift = register_module("style_shift", nn::Linear(w_dim, channels));
    torch::NoGradGuard no_grad;
    style_scale->bias.fill_(1.0);  // start as the identity style, as StyleGAN does
    style_shift->bias.zero_();
  }
  if (num_classes > 0) {
    class_embed = register_module("class_embed", nn::Embedding(num_classes, embed_dim));
    class_scale = register_module("class_scale", nn::Linear(embed_dim, channels));
    class_shift = register_module("class_shift", nn::Linear(embed_dim, channels));
  }
}

torch::Tensor ConditionalAdaINImpl::forward(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& labels) {
  const int64_t n = x.size(0), c = x.size(1);
  torch::Tensor gamma = torch::ones({n, c}, x.options()), beta = torch::zeros({n, c}, x.options());
  if (style_scale) {
    gamma = style_scale->forward(w);  // [N, C]
    beta = style_shift->forward(w);
  }
  if (class_embed) {
    const auto e = class_embed->forward(labels);  // [N, E]
    gamma = gamma + lambda_c * class_scale->forward(e);
    beta = beta + lambda_c * class_shift->forward(e);
  }
  return gamma.view({n, c, 1, 1}) * instance_norm(x) + beta.view({n, c, 1, 1});
}

MappingNetworkImpl::MappingNetworkImpl(int in, int hidden, int out) {
  net = register_module("net", nn::Sequential(nn::Linear(in, hidden), nn::ReLU(), nn::Linear(hidden, hidden),
                                              nn::ReLU(), nn::Linear(hidden, out)));
}

torch::Tensor tile_class_channel(const torch::Tensor& e, int size) {
  const int64_t reps = (size + e.size(1) - 1) / e.size(1);
  torch::Tensor row = e.repeat({1, reps}).narrow(1, 0, size);  // [N, S]
  return row.view({e.size(0), 1, 1, size}).expand({e.size(0), 1, size, size});
}

torch::Tensor upsample2x(const torch::Tensor& x) {
  namespace F = torch::nn::functional;
  return F::interpolate(x, F::InterpolateFuncOptions().scale_factor(std::vector<double>{2, 2})
                               .mode(torch::kBilinear).align_corners(false));
}

torch::Tensor instance_norm(const torch::Tensor& x, double eps) {
  const auto mean = x.mean({2, 3}, /*keepdim=*/true);
  const auto var = x.var({2, 3}, /*unbiased=*/false, /*keepdim=*/true);
  return (x - mean) / torch::sqrt(var + eps);
}

}  // namespace pokegan
