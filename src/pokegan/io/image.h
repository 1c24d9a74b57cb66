// Image files: decoding PNG/JPEG/GIF (every frame of an animation) and writing PNG, through stb.
// An Image is 8-bit interleaved pixels, row-major; it is a plain value type, no torch here.
#pragma once
#include <cstdint>
#include <filesystem>
#include <vector>

namespace pokegan {

struct Image {
  int width = 0, height = 0, channels = 0;  // channels: 3 (RGB) or 4 (RGBA)
  std::vector<uint8_t> pixels;              // [height, width, channels]

  Image() = default;
  Image(int w, int h, int c, uint8_t fill = 0)
      : width(w), height(h), channels(c), pixels(size_t(w) * h * c, fill) {}
  uint8_t* at(int x, int y) { return &pixels[(size_t(y) * width + x) * channels]; }
  const uint8_t* at(int x, int y) const { return &pixels[(size_t(y) * width + x) * channels]; }
};

// Bounds on what decoding may take, so that a hostile file cannot exhaust memory: files over
// kMaxImageFileBytes, images over 4096 pixels a side, formats other than PNG, GIF, JPEG and BMP, and GIFs whose frames would decode to more
// than kMaxDecodedBytes are refused with an Error.
constexpr size_t kMaxImageFileBytes = size_t(256) << 20;
constexpr int64_t kMaxDecodedBytes = int64_t(1) << 30;

// All frames of a GIF (composited by stb as a viewer would show them), or the single frame of a
// PNG/JPEG/BMP, as RGBA. Throws Error naming the file if it is missing or cannot be decoded.
std::vector<Image> load_frames(const std::filesystem::path& path);
std::vector<Image> decode_frames(const uint8_t* data, size_t size, const std::string& name);

// Writes an RGB or RGBA image as PNG, atomically.
void write_png(const std::filesystem::path& path, const Image& image);
// The same PNG bytes in memory (HTTP answers).
std::vector<uint8_t> encode_png(const Image& image);

}  // namespace pokegan
