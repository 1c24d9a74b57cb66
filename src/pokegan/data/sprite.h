// Turning decoded sprite frames into square training images: pick K evenly spaced frames, crop all
// of them to the union of their opaque pixels (so an animation keeps its framing), pad to a square
// centred without distortion, composite alpha on a background colour and resize to S x S with a
// Mitchell filter (stb_image_resize), never nearest-neighbour.
#pragma once
#include <vector>

#include "pokegan/io/draw.h"
#include "pokegan/io/image.h"

namespace pokegan {

struct SpriteOptions {
  int size = 64;                   // output S
  int frames = 4;                  // K frames per animation (fewer if it has fewer)
  Rgb background = {255, 255, 255};
  int margin = 1;                  // transparent pixels kept around the crop, in source pixels
};

// Indices of K evenly spaced frames out of n (all n if n <= K).
std::vector<int> pick_frames(int n, int k);

// RGBA frames of one animation -> K RGB images of size S x S.
std::vector<Image> process_sprite(const std::vector<Image>& rgba_frames, const SpriteOptions& opt);

// One RGB(A) image -> S x S RGB: alpha composited, padded to square, resized.
Image square_resize(const Image& rgba, int size, Rgb background);

}  // namespace pokegan
