// The safetensors reader (datasets, checkpoints and model files all go through it), then the
// dataset loader on the same bytes: parse, or throw pokegan::Error.
#include "fuzz_util.h"
#include "pokegan/data/dataset.h"
#include "pokegan/io/safetensors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<uint8_t> bytes(data, data + size);
  fuzz::expect_parse_or_error([&] {
    const auto st = pokegan::parse_safetensors(bytes, "fuzz");
    for (const auto& [name, t] : st.tensors) {
      size_t n = 1;
      for (auto d : t.shape) n *= size_t(d);
      if (t.bytes.size() != n * pokegan::dtype_size(t.dtype)) __builtin_trap();  // reader's promise
    }
  });
  fuzz::expect_parse_or_error([&] { pokegan::Dataset::load(fuzz::write_input("d.safetensors", data, size)); });
  return 0;
}
