// The checkpoint loader past the safetensors layer: a file whose header parses is turned into
// LibTorch tensors (dtype, shape, bytes) and its metadata checked for pokegan's format. Every input
// either loads or throws pokegan::Error with one line; a LibTorch exception escaping it (a shape
// LibTorch refuses, say) is a finding like a crash.
#include "fuzz_util.h"
#include "pokegan/io/checkpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto path = fuzz::write_input("c.safetensors", data, size);
  fuzz::expect_parse_or_error([&] {
    const pokegan::Checkpoint c = pokegan::load_checkpoint(path);
    for (const auto& [k, t] : c.tensors)
      if (!t.defined()) __builtin_trap();
  });
  return 0;
}
