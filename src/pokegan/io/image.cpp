#include "pokegan/io/image.h"

#include <stb_image.h>
#include <stb_image_write.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <string>

#include "pokegan/common/error.h"
#include "pokegan/common/fs.h"

// Defined in stb_image_write.h's implementation section only, so declared here.
extern "C" unsigned char* stbi_write_png_to_mem(const unsigned char* pixels, int stride_bytes, int x,
                                                int y, int n, int* out_len);

namespace pokegan {

namespace {

// stb's failure reason as one printable line (some reasons carry bytes of the file).
std::string stb_reason() {
  std::string r = stbi_failure_reason() ? stbi_failure_reason() : "unknown error";
  for (char& c : r)
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) == 0x7f) c = '?';
  return r;
}

// The frames a GIF declares and its logical screen size, by walking its block structure (no pixel
// is decoded). -1 frames when the structure is broken (stb then reports the error).
struct GifShape {
  int width = 0, height = 0;
  int64_t frames = -1;
  std::vector<size_t> restore_previous;  // offsets of the packed byte of GCEs with disposal 3
};
GifShape gif_shape(const uint8_t* d, size_t size) {
  GifShape g;
  if (size < 13) return g;
  g.width = d[6] | (d[7] << 8), g.height = d[8] | (d[9] << 8);
  size_t p = 13;
  if (d[10] & 0x80) p += 3u * (1u << ((d[10] & 7) + 1));  // global colour table
  auto skip_sub_blocks = [&] {
    while (p < size && d[p] != 0) p += 1u + d[p];
    ++p;  // the terminator
  };
  int64_t frames = 0;
  while (p < size) {
    const uint8_t b = d[p++];
    if (b == 0x3B) break;  // trailer
    if (b == 0x21) {       // extension: label, sub-blocks
      // A graphic control extension (0xF9, block size 4): its packed byte holds the disposal method.
      if (p + 2 < size && d[p] == 0xF9 && d[p + 1] == 4 && ((d[p + 2] >> 2) & 7) == 3) g.restore_previous.push_back(p + 2);
      ++p;
      skip_sub_blocks();
    } else if (b == 0x2C) {  // image descriptor, optional local colour table, LZW code size, data
      if (p + 9 > size) break;
      const uint8_t flags = d[p + 8];
      p += 9;
      if (flags & 0x80) p += 3u * (1u << ((flags & 7) + 1));
      ++p;
      skip_sub_blocks();
      ++frames;
    } else {
      return g;
    }
  }
  g.frames = frames;
  return g;
}

// Whether every Huffman table of a JPEG's DHT segments declares at most 256 codes. Debian's stb
// writes past its 257-entry size table otherwise (stbi__build_huffman; found by fuzz/fuzz_image).
// A 0xFF 0xC4 pair is a DHT marker wherever it appears: entropy-coded data stuffs 0xFF with 0x00.
bool jpeg_huffman_tables_fit(const uint8_t* d, size_t size) {
  for (size_t i = 0; i + 4 < size; ++i) {
    if (d[i] != 0xFF || d[i + 1] != 0xC4) continue;
    // stb reads a segment to its declared end, taking bytes past the end of the file as 0.
    auto at = [&](size_t k) -> int { return k < size ? d[k] : 0; };
    const size_t end = i + 2 + ((size_t(d[i + 2]) << 8) | d[i + 3]);
    for (size_t p = i + 4; p < end;) {  // stb reads a whole table while any byte of the segment is left
      int total = 0;
      for (int k = 0; k < 16; ++k) total += at(p + 1 + k);
      if (total > 256) return false;
      p += 17 + size_t(total);
    }
  }
  return true;
}

}  // namespace

std::vector<Image> decode_frames(const uint8_t* data, size_t size, const std::string& name) {
  if (size < 6) throw Error("cannot decode " + name + ": file is empty or truncated");
  if (size > kMaxImageFileBytes)
    throw Error("cannot decode " + name + ": file is larger than " + std::to_string(kMaxImageFileBytes >> 20) + " MiB");
  std::vector<Image> frames;
  int w = 0, h = 0, n = 0, comp = 0;
  if (std::memcmp(data, "GIF8", 4) == 0) {
    // stb decodes every frame of an animation into one buffer: bound it before decoding.
    const GifShape shape = gif_shape(data, size);
    // A logical screen of zero width or height makes every frame 0 bytes: Debian's stb then
    // reallocs its frame buffer to 0 bytes at the second frame, which frees it, takes the NULL for
    // out-of-memory and frees it again (a double free; found by fuzz/fuzz_image, finding #10).
    if (size >= 13 && (shape.width == 0 || shape.height == 0))
      throw Error("cannot decode GIF " + name + ": its logical screen is " + std::to_string(shape.width) + "x" +
                  std::to_string(shape.height) + " pixels");
    if (shape.frames > 0 && int64_t(shape.width) * shape.height * 4 * shape.frames > kMaxDecodedBytes)
      throw Error("cannot decode GIF " + name + ": " + std::to_string(shape.frames) + " frames of " +
                  std::to_string(shape.width) + "x" + std::to_string(shape.height) + " would take more than " +
                  std::to_string(kMaxDecodedBytes >> 20) + " MiB");
    // Disposal 3 ("restore to previous") makes Debian's stb (git 2022-09-08) read before its frame
    // buffer (two_back = out - 2 * stride; a heap-use-after-free under ASan, found by
    // fuzz/fuzz_image), so the frames it gives are garbage anyway. Such frames are decoded with
    // disposal 2 (restore to background) instead, on a copy of the bytes.
    std::vector<uint8_t> patched;
    if (!shape.restore_previous.empty()) {
      patched.assign(data, data + size);
      for (size_t at : shape.restore_previous) patched[at] = static_cast<uint8_t>((patched[at] & ~0x1C) | (2 << 2));
      data = patched.data();
    }
    int* delays = nullptr;
    stbi_uc* px = stbi_load_gif_from_memory(data, static_cast<int>(size), &delays, &w, &h, &n,
                                            &comp, 4);
    if (!px) throw Error("cannot decode GIF " + name + ": " + stb_reason());
    if (w <= 0 || h <= 0 || n <= 0) {
      stbi_image_free(px);
      std::free(delays);
      throw Error("cannot decode GIF " + name + ": no frames");
    }
    const size_t frame_bytes = size_t(w) * h * 4;
    for (int i = 0; i < n; ++i) {
      Image im(w, h, 4);
      std::memcpy(im.pixels.data(), px + i * frame_bytes, frame_bytes);
      frames.push_back(std::move(im));
    }
    stbi_image_free(px);
    std::free(delays);
  } else {
    // stb takes any run of 0xFF fill bytes before the SOI marker 0xD8 as a JPEG start.
    size_t soi = 0;
    while (soi < size && data[soi] == 0xFF) ++soi;
    if (soi > 0 && soi < size && data[soi] == 0xD8 && !jpeg_huffman_tables_fit(data, size))
      throw Error("cannot decode JPEG " + name + ": a Huffman table declares more than 256 codes");
    stbi_uc* px = stbi_load_from_memory(data, static_cast<int>(size), &w, &h, &comp, 4);
    if (!px) throw Error("cannot decode image " + name + ": " + stb_reason());
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

std::vector<uint8_t> encode_png(const Image& image) {
  int len = 0;
  unsigned char* png = stbi_write_png_to_mem(image.pixels.data(), image.width * image.channels,
                                             image.width, image.height, image.channels, &len);
  if (!png) throw Error("cannot encode a " + std::to_string(image.width) + "x" + std::to_string(image.height) + " PNG");
  std::vector<uint8_t> out(png, png + len);
  std::free(png);
  return out;
}

void write_png(const std::filesystem::path& path, const Image& image) {
  const std::vector<uint8_t> png = encode_png(image);
  write_atomic(path, png.data(), png.size());
}

}  // namespace pokegan
