// Sprite-faithful export: a generated RGB sprite on white made into what the games draw, pixel art
// with a transparent background, a small palette, whole-pixel upscaling and optionally a 1-px dark
// outline. Torch-free; used by `pokegan sample` and by the studio's HTTP API alike.
//
// Order of the steps: background mask (flood fill of near-white from the border, then the pale
// fringe GAN output blends into white is peeled off, so no halo remains) -> palette (k-means in
// OKLab, a perceptual colour space, over the foreground only) -> outline -> alpha -> upscale.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "pokegan/io/image.h"

namespace pokegan {

struct PixelArtOptions {
  bool transparent = false;  // white background -> alpha 0 (output RGBA)
  int palette = 0;           // at most this many colours in the output, transparency and outline
                             // counted; 0 keeps every colour
  int scale = 1;             // nearest-neighbour upscaling: 1, 2, 4 or 8
  bool outline = false;      // 1-px dark outline around the sprite, on the background

  bool any() const { return transparent || palette > 0 || scale != 1 || outline; }
};

// Allowed ranges, named by the CLI's and the server's error messages.
constexpr int kMinPalette = 2, kMaxPalette = 256;
// Throws Error naming the option and its valid values.
void check_pixel_art(const PixelArtOptions& opt);

// The background of an RGB sprite on white: 1 where a pixel is background. Near-white pixels joined
// to the border, then one ring of pale foreground pixels touching them (the anti-aliased halo).
std::vector<uint8_t> background_mask(const Image& rgb);

// k-means palette of at most `colours` colours in OKLab over the pixels where mask == 0 (all pixels
// for an empty mask), deterministic; each such pixel replaced by its nearest palette colour.
void quantize(Image& rgb, const std::vector<uint8_t>& mask, int colours);

// Applies every step `opt` asks for. rgb: a 3-channel image; the result is RGBA when transparent.
Image to_pixel_art(const Image& rgb, const PixelArtOptions& opt);

// Distinct colours (RGB or RGBA tuples) of an image: what the palette option bounds.
int count_colours(const Image& image);

}  // namespace pokegan
