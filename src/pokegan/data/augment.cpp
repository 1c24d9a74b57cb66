#include "pokegan/data/augment.h"

#include <torch/nn/functional/padding.h>
#include <torch/nn/functional/vision.h>

#include <cmath>
#include <sstream>
#include <vector>

#include "pokegan/common/error.h"

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

namespace {

// Resamples each image through its affine map `theta` [N, 2, 3] (normalised coordinates, bilinear).
// grid_sample fills outside with 0, so the offset from the background is warped and the background
// added back: pixels that come into view take the background colour.
torch::Tensor warp_affine(const torch::Tensor& x, const torch::Tensor& theta, double background) {
  const auto grid = F::affine_grid(theta, x.sizes().vec(), /*align_corners=*/false);
  return F::grid_sample(x - background, grid,
                        F::GridSampleFuncOptions().mode(torch::kBilinear).padding_mode(torch::kZeros).align_corners(false)) +
         background;
}

}  // namespace

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
    x = warp_affine(x, torch::stack({c, -s, z, s, c, z}, 1).view({n, 2, 3}), background);
  }
  if (opt.hue && opt.hue_prob > 0) {
    const auto apply = (torch::rand({n}, fopts) < opt.hue_prob).to(x.dtype());
    const auto angle = (torch::rand({n}, fopts) * 2 - 1) * M_PI * apply;
    const auto m = hue_rotation_matrices(angle);  // [N, 3, 3]
    x = torch::einsum("nij,njhw->nihw", {m, x}).clamp(-1, 1);
  }
  return x;
}

// Each image shifted by whole pixels: out[n, :, i, j] = x[n, :, i - ky[n], j - kx[n]], background
// where that falls outside. A gather from the image padded by one background pixel (indices
// clamped onto the pad), so it is exact and twice differentiable (R1 differentiates D's input
// gradient through it; grid_sample's backward has no derivative in LibTorch 1.13).
torch::Tensor shift_pixels(const torch::Tensor& x, const torch::Tensor& kx, const torch::Tensor& ky, double background) {
  const int64_t n = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3);
  const auto padded = F::pad(x, F::PadFuncOptions({1, 1, 1, 1}).value(background));  // [N, C, H+2, W+2]
  const auto opts = torch::TensorOptions().dtype(torch::kLong).device(x.device());
  const auto rows = (torch::arange(h, opts).view({1, h}) - ky.view({n, 1}) + 1).clamp(0, h + 1);  // [N, H]
  const auto cols = (torch::arange(w, opts).view({1, w}) - kx.view({n, 1}) + 1).clamp(0, w + 1);  // [N, W]
  const auto idx = torch::arange(n, opts).view({n, 1, 1}) * ((h + 2) * (w + 2)) + rows.view({n, h, 1}) * (w + 2) +
                   cols.view({n, 1, w});  // [N, H, W] into the flattened padded pixels
  return padded.permute({0, 2, 3, 1}).reshape({-1, c}).index_select(0, idx.view({-1})).view({n, h, w, c}).permute({0, 3, 1, 2});
}

torch::Tensor diff_augment(const torch::Tensor& images, const std::string& policy, double background) {
  torch::Tensor x = images;  // [N, 3, S, S]
  const int64_t n = x.size(0), s = x.size(2);
  const auto o = x.options();
  std::stringstream ss(policy);
  for (std::string p; std::getline(ss, p, ',');) {
    if (p.empty()) continue;
    if (p == "color") {
      x = x + (torch::rand({n, 1, 1, 1}, o) - 0.5);
      const auto mean_c = x.mean(1, true);
      x = (x - mean_c) * (torch::rand({n, 1, 1, 1}, o) * 2) + mean_c;
      const auto mean_all = x.mean({1, 2, 3}, true);
      x = (x - mean_all) * (torch::rand({n, 1, 1, 1}, o) + 0.5) + mean_all;
    } else if (p == "translation") {
      // Up to 1/8 of the image each way, in whole pixels as DiffAugment shifts: a fractional shift
      // through bilinear sampling blurs what D sees, so D could not penalise pixel-level patterns.
      const int64_t shift = (s + 4) / 8;
      const auto kx = torch::randint(-shift, shift + 1, {n}, o.dtype(torch::kInt64));
      const auto ky = torch::randint(-shift, shift + 1, {n}, o.dtype(torch::kInt64));
      x = shift_pixels(x, kx, ky, background);
    } else if (p == "cutout") {
      const int64_t half = s / 2;
      const auto cx = torch::randint(0, s, {n, 1, 1}, o.dtype(torch::kInt64));
      const auto cy = torch::randint(0, s, {n, 1, 1}, o.dtype(torch::kInt64));
      const auto idx = torch::arange(s, o.dtype(torch::kInt64));
      const auto in_x = ((idx.view({1, 1, s}) - cx).abs() <= half / 2), in_y = ((idx.view({1, s, 1}) - cy).abs() <= half / 2);
      const auto mask = (in_x & in_y).logical_not().to(x.dtype()).unsqueeze(1);  // [N, 1, S, S]
      x = x * mask;
    } else {
      throw Error("unknown DiffAugment policy '" + p + "' (valid: color, translation, cutout)");
    }
  }
  return x;
}

namespace {
const char* const kAdaOps = "xflip, rot90, xint";
std::vector<std::string> split_policy(const std::string& policy) {
  std::vector<std::string> out;
  std::stringstream ss(policy);
  for (std::string p; std::getline(ss, p, ',');)
    if (!p.empty()) out.push_back(p);
  return out;
}
}  // namespace

void check_ada_policy(const std::string& policy) {
  for (const auto& op : split_policy(policy))
    if (op != "xflip" && op != "rot90" && op != "xint")
      throw Error("unknown ADA op '" + op + "' in augment.ada_policy (valid: " + kAdaOps + ")");
}

torch::Tensor ada_augment(const torch::Tensor& images, const std::string& policy, double p, double background) {
  if (p <= 0) {  // nothing drawn; the policy is still checked
    check_ada_policy(policy);
    return images;
  }
  torch::Tensor x = images;  // [N, 3, S, S]
  const int64_t n = x.size(0), s = x.size(2);
  const auto o = x.options();
  const auto i64 = o.dtype(torch::kInt64);
  auto chosen = [&] { return torch::rand({n}, o) < p; };  // [N] bool: this op applies to image n
  auto per_image = [&](const torch::Tensor& m) { return m.view({n, 1, 1, 1}); };
  for (const auto& op : split_policy(policy)) {
    if (op == "xflip") {
      x = torch::where(per_image(chosen()), x.flip({3}), x);
    } else if (op == "rot90") {
      const auto k = torch::randint(0, 4, {n}, i64) * chosen().to(torch::kInt64);
      torch::Tensor out = x;
      for (int64_t r = 1; r < 4; ++r) out = torch::where(per_image(k == r), torch::rot90(x, r, {2, 3}), out);
      x = out;
    } else if (op == "xint") {
      const int64_t shift = (s + 4) / 8;
      const auto m = chosen().to(torch::kInt64);
      const auto kx = torch::randint(-shift, shift + 1, {n}, i64) * m;
      const auto ky = torch::randint(-shift, shift + 1, {n}, i64) * m;
      x = shift_pixels(x, kx, ky, background);
    } else {
      check_ada_policy(policy);  // throws, naming the valid ops
    }
  }
  return x;
}

}  // namespace pokegan
