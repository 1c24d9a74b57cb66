// --device for every command that runs a network: "cpu", "cuda" or "cuda:N". A CUDA device is
// refused with a clear error when this LibTorch has no CUDA (Debian's libtorch-dev) or no GPU is
// visible; the same source builds against a CPU or a CUDA LibTorch.
//
// Mixed precision (--set amp=bf16): the forward passes that run inside an AutocastGuard do their
// matrix products and convolutions in bfloat16 through LibTorch's autocast on that device; weights,
// gradients, optimiser state and the losses stay float32.
#pragma once
#include <string>

#include <c10/core/Device.h>
#include <c10/core/ScalarType.h>

namespace pokegan {

c10::Device parse_device(const std::string& name);

// Settings a device wants once per process: on CUDA, cuDNN's benchmark mode (it times the
// algorithms for each convolution shape once and keeps the fastest; training shapes are fixed).
void tune_for_device(c10::Device device);

class AutocastGuard {
 public:
  // enabled = false leaves autocast as it is.
  AutocastGuard(c10::Device device, bool enabled);
  ~AutocastGuard();
  AutocastGuard(const AutocastGuard&) = delete;
  AutocastGuard& operator=(const AutocastGuard&) = delete;

 private:
  c10::DeviceType type_;
  bool enabled_, previous_ = false;
  c10::ScalarType previous_dtype_ = c10::ScalarType::Float;
};

}  // namespace pokegan
