// Training-time augmentation on float batches [N, 3, S, S] in [-1, 1], each kind switchable
// (AugmentOptions) and drawn from LibTorch's generator, so a seeded run repeats exactly:
//   - horizontal flip, p = 0.5 (the study's flips);
//   - rotation by U(-d, d) degrees with probability p (the study's rotations); corners that come
//     into view are filled with the background colour, not black;
//   - hue rotation (seed 004's recolouring): a rotation of the chroma plane in YIQ space by
//     U(-180, 180) degrees, with probability p. Greys, white included, are unchanged.
#pragma once
#include <torch/types.h>

#include <string>

#include "pokegan/data/augment_options.h"

namespace pokegan {

// `background` is the fill value in [-1, 1] (1 = white).
torch::Tensor augment(const torch::Tensor& images, const AugmentOptions& opt, double background = 1.0);

// DiffAugment (Zhao et al. 2020), differentiable, one draw per image:
//   color:       brightness + U(-0.5, 0.5), saturation x U(0, 2), contrast x U(0.5, 1.5)
//   translation: shift by a whole number of pixels, up to 1/8 of the size each way (background fill)
//   cutout:      a square of half the size at a random place set to 0
// `policy` is a comma-separated list of those names; throws Error for an unknown one.
torch::Tensor diff_augment(const torch::Tensor& images, const std::string& policy, double background = 1.0);

// ADA's pixel blitting (Karras et al. 2020), differentiable (twice: R1 goes through it), one draw
// per image and op; each op of the comma-separated `policy` is applied with probability p:
//   xflip: a horizontal flip
//   rot90: a rotation by k * 90 degrees, k uniform in {0, 1, 2, 3} as in ADA, so for any p < 1 an
//          unrotated image stays the likeliest and G cannot learn rotated sprites (non-leaking)
//   xint:  a shift by whole pixels, up to 1/8 of the size each way (background fill)
// p = 0 returns `images` itself and draws nothing. Throws Error for an unknown op.
torch::Tensor ada_augment(const torch::Tensor& images, const std::string& policy, double p, double background = 1.0);
// Throws Error naming the valid ops when `policy` holds an unknown one.
void check_ada_policy(const std::string& policy);

// Each image [N, C, H, W] shifted by whole pixels kx[n] right, ky[n] down (int64 [N]), `background`
// where the shift uncovers pixels. Exact and twice differentiable.
torch::Tensor shift_pixels(const torch::Tensor& x, const torch::Tensor& kx, const torch::Tensor& ky, double background);

// [N] angles in radians -> [N, 3, 3] RGB->RGB hue rotation matrices.
torch::Tensor hue_rotation_matrices(const torch::Tensor& angles);

}  // namespace pokegan
