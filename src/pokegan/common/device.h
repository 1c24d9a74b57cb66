// --device for every command that runs a network: "cpu", "cuda" or "cuda:N". A CUDA device is
// refused with a clear error when this LibTorch has no CUDA (Debian's libtorch-dev) or no GPU is
// visible; the same source builds against a CPU or a CUDA LibTorch.
#pragma once
#include <string>

#include <c10/core/Device.h>

namespace pokegan {

c10::Device parse_device(const std::string& name);

}  // namespace pokegan
