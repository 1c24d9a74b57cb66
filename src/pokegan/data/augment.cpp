#include "pokegan/data/augment.h"

#include <torch/nn/functional/vision.h>

#include <cmath>

namespace pokegan {

namespace F = torch::nn::functional;

torch::Tensor hue_rotation_matrices(const torch::Tensor& angles) {
  // RGB -> YIQ (NTSC) and back; a hue shift is a rotation of the (I, Q) plane.
  const auto opts = angles.options();
  const auto yiq = torch::tensor({0.299, 0.587, 0.114, 0.596, -0.274, -0.322, 0.211, -0.523, 0.312}, opts).view({3, 3});
  const auto rgb = torch::inverse(yiq);
  const auto c = torch::cos(angles), s = torch::sin(angles), one = torch::ones_like(angles), zero = torch::zeros_like(angles);
  const auto rot = torch::stack({one, zero, zero, zero, c, -s, zero, s, c}, 1).view({-1, 3, 3});  // [N, 3, 3]
  return torch::matmul(rgb, torch::matmul(rot, yiq));
}

torch::Tensor augment(const torch::Tensor& images, const AugmentOptions& opt, double background) {
  torch::Tensor x = images;  // [N, 3, S, S]
  const int64_t n = x.size(0);
  const auto fopts = x.options();
  if (opt.hflip) {
    const auto flip = (torch::rand({n}, fopts) < 0.5).view({n, 1, 1, 1});
    x = torch::where(flip, x.flip({3}), x);
  }
  if (opt.rotate_degrees > 0 && opt.rotate_prob > 0) {
    const auto apply = (torch::rand({n}, fopts) < opt.rotate_prob).to(x.dtype());
    const auto theta = (torch::rand({n}, fopts) * 2 - 1) * (opt.rotate_degrees * M_PI / 180.0) * apply;
    const auto c = torch::cos(theta), s = torch::sin(theta), z = torch::zeros_like(theta);
    const auto affine = torch::stack({c, -s, z, s, c, z}, 1).view({n, 2, 3});
    const auto grid = F::affine_grid(affine, x.sizes().vec(), /*align_corners=*/false);
    // grid_sample fills outside with 0, so rotate the offset from the background and add it back.
    x = F::grid_sample(x - background, grid,
                       F::GridSampleFuncOptions().mode(torch::kBilinear).padding_mode(torch::kZeros).align_corners(false)) +
        background;
  }
  if (opt.hue && opt.hue_prob > 0) {
    const auto apply = (torch::rand({n}, fopts) < opt.hue_prob).to(x.dtype());
    const auto angle = (torch::rand({n}, fopts) * 2 - 1) * M_PI * apply;
    const auto m = hue_rotation_matrices(angle);  // [N, 3, 3]
    x = torch::einsum("nij,njhw->nihw", {m, x}).clamp(-1, 1);
  }
  return x;
}

}  // namespace pokegan
