#include "pokegan/io/image.h"

#include <stb_image.h>
#include <stb_image_write.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "pokegan/common/error.h"
#include "pokegan/common/fs.h"

// Defined in stb_image_write.h's implementation section only, so declared here.
extern "C" unsigned char* stbi_write_png_to_mem(const unsigned char* pixels, int stride_bytes, int x,
                                                int y, int n, int* out_len);

namespace pokegan {

std::vector<Image> decode_frames(const uint8_t* data, size_t size, const std::string& name) {
  if (size < 6) throw Error("cannot decode " + name + ": file is empty or truncated");
  std::vector<Image> frames;
  int w = 0, h = 0, n = 0, comp = 0;
  if (std::memcmp(data, "GIF8", 4) == 0) {
    int* delays = nullptr;
    stbi_uc* px = stbi_load_gif_from_memory(data, static_cast<int>(size), &delays, &w, &h, &n,
                                            &comp, 4);
    if (!px) throw Error("cannot decode GIF " + name + ": " + stbi_failure_reason());
    const size_t frame_bytes = size_t(w) * h * 4;
    for (int i = 0; i < n; ++i) {
      Image im(w, h, 4);
      std::memcpy(im.pixels.data(), px + i * frame_bytes, frame_bytes);
      frames.push_back(std::move(im));
    }
    stbi_image_free(px);
    std::free(delays);
  } else {
    stbi_uc* px = stbi_load_from_memory(data, static_cast<int>(size), &w, &h, &comp, 4);
    if (!px) throw Error("cannot decode image " + name + ": " + stbi_failure_reason());
    Image im(w, h, 4);
    std::memcpy(im.pixels.data(), px, im.pixels.size());
    stbi_image_free(px);
    frames.push_back(std::move(im));
  }
  if (frames.empty() || w <= 0 || h <= 0) throw Error("cannot decode " + name + ": no frames");
  return frames;
}

std::vector<Image> load_frames(const std::filesystem::path& path) {
  const auto bytes = read_file(path);
  return decode_frames(bytes.data(), bytes.size(), path.string());
}

void write_png(const std::filesystem::path& path, const Image& image) {
  int len = 0;
  unsigned char* png = stbi_write_png_to_mem(image.pixels.data(), image.width * image.channels,
                                             image.width, image.height, image.channels, &len);
  if (!png) throw Error("cannot encode PNG for " + path.string());
  try {
    write_atomic(path, png, static_cast<size_t>(len));
  } catch (...) {
    std::free(png);
    throw;
  }
  std::free(png);
}

}  // namespace pokegan
