// Training configs: a config.json (or a checkpoint's "config" metadata) parsed into TrainConfig and
// validated, and every line of the input applied as a `--set key=value` override.
#include <nlohmann/json.hpp>

#include <sstream>

#include "fuzz_util.h"
#include "pokegan/training/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  fuzz::expect_parse_or_error([&] {
    pokegan::validate(pokegan::config_from_json(text, "fuzz"));
  });
  std::istringstream lines(text);
  std::string line;
  pokegan::TrainConfig cfg;
  while (std::getline(lines, line)) fuzz::expect_parse_or_error([&] { pokegan::apply_override(cfg, line); });
  return 0;
}
