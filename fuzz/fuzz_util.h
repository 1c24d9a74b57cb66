// Shared by the libFuzzer targets: a per-process scratch directory for targets whose parser reads
// files, and the one rule every target checks: outside input either parses or throws pokegan::Error
// (a one-line message). Any other exception, a crash or a sanitizer report is a finding.
#pragma once
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

#include "pokegan/common/error.h"
#include "pokegan/common/fs.h"

namespace fuzz {

inline const std::filesystem::path& scratch() {
  static const std::filesystem::path dir = [] {
    auto d = std::filesystem::temp_directory_path() / ("pokegan-fuzz-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

inline std::filesystem::path write_input(const std::string& name, const uint8_t* data, size_t size) {
  const auto path = scratch() / name;
  std::filesystem::create_directories(path.parent_path());
  pokegan::write_atomic(path, data, size);
  return path;
}

// Runs f; a pokegan::Error is an accepted outcome, and its message must be one line.
template <typename F>
void expect_parse_or_error(F&& f) {
  try {
    f();
  } catch (const pokegan::Error& e) {
    const std::string m = e.what();
    if (m.empty() || m.find('\n') != std::string::npos) {
      std::fprintf(stderr, "error message is not one line: [%s]\n", m.c_str());
      __builtin_trap();
    }
  }
}

}  // namespace fuzz
