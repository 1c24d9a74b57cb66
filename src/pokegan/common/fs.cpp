#include "pokegan/common/fs.h"

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "pokegan/common/error.h"

namespace pokegan {

std::vector<uint8_t> read_file(const fs::path& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw Error("cannot read " + path.string() + ": " + std::strerror(errno));
  std::vector<uint8_t> out;
  uint8_t buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.insert(out.end(), buf, buf + n);
  const bool failed = std::ferror(f);
  std::fclose(f);
  if (failed) throw Error("cannot read " + path.string());
  return out;
}

std::string read_text(const fs::path& path) {
  auto bytes = read_file(path);
  return std::string(bytes.begin(), bytes.end());
}

void write_atomic(const fs::path& path, const std::function<void(std::FILE*)>& write) {
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  const fs::path tmp = path.string() + ".tmp-" + std::to_string(::getpid());
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) throw Error("cannot write " + tmp.string() + ": " + std::strerror(errno));
  try {
    write(f);
  } catch (...) {
    std::fclose(f);
    fs::remove(tmp);
    throw;
  }
  const bool ok = std::fflush(f) == 0 && ::fsync(fileno(f)) == 0 && !std::ferror(f);
  const int err = errno;
  std::fclose(f);
  if (!ok) {
    fs::remove(tmp);
    throw Error("cannot write " + path.string() + ": " + (err ? std::strerror(err) : "write error") + " (the previous file is untouched)");
  }
  fs::rename(tmp, path);
}

void write_atomic(const fs::path& path, const void* data, size_t size) {
  write_atomic(path, [&](std::FILE* f) {
    if (size && std::fwrite(data, 1, size, f) != size)
      throw Error("cannot write " + path.string() + ": " + std::strerror(errno));
  });
}

void require_exists(const fs::path& path, const std::string& what) {
  if (!fs::exists(path)) throw Error(what + " not found: " + path.string());
}

}  // namespace pokegan
