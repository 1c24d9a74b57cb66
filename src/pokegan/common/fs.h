// Small file helpers shared by every writer: atomic replace (temp file + rename) so that an
// interrupted write never leaves a half file under the real name, and whole-file reads with errors
// that name the path.
#pragma once
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace pokegan {

namespace fs = std::filesystem;

// Reads a whole file; throws Error("cannot read <path>: ...") if it is missing or unreadable.
std::vector<uint8_t> read_file(const fs::path& path);
std::string read_text(const fs::path& path);

// Writes through `write` into "<path>.tmp-<pid>", fsyncs, then renames over `path`.
void write_atomic(const fs::path& path, const std::function<void(std::FILE*)>& write);
void write_atomic(const fs::path& path, const void* data, size_t size);

// Throws Error if `path` does not exist, naming `what` ("dataset", "checkpoint", ...).
void require_exists(const fs::path& path, const std::string& what);

}  // namespace pokegan
