#include "pokegan/common/device.h"

#include <ATen/Context.h>
#include <ATen/autocast_mode.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include "pokegan/common/error.h"

// LibTorch 2.4 replaced the per-device autocast functions (set_enabled, set_cpu_enabled, ...) by
// ones that take the device type.
#if TORCH_VERSION_MAJOR > 2 || (TORCH_VERSION_MAJOR == 2 && TORCH_VERSION_MINOR >= 4)
#define POKEGAN_AUTOCAST_BY_DEVICE_TYPE 1
#endif

namespace pokegan {

c10::Device parse_device(const std::string& name) {
  if (name == "cpu") return c10::Device(c10::kCPU);
  if (name == "cuda" || name.rfind("cuda:", 0) == 0) {
    if (!torch::cuda::is_available())
      throw Error("--device " + name + ": this LibTorch build has no CUDA or no GPU is visible (use --device cpu)");
    const c10::Device d(name);
    if (d.has_index() && d.index() >= static_cast<int>(torch::cuda::device_count()))
      throw Error("--device " + name + ": only " + std::to_string(torch::cuda::device_count()) + " CUDA device(s)");
    return d;
  }
  throw Error("unknown --device '" + name + "' (valid: cpu, cuda, cuda:N)");
}

void tune_for_device(c10::Device device) {
  if (device.is_cuda()) at::globalContext().setBenchmarkCuDNN(true);
}

namespace {

bool autocast_enabled(c10::DeviceType t) {
#ifdef POKEGAN_AUTOCAST_BY_DEVICE_TYPE
  return at::autocast::is_autocast_enabled(t);
#else
  return t == c10::kCUDA ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
#endif
}

c10::ScalarType autocast_dtype(c10::DeviceType t) {
#ifdef POKEGAN_AUTOCAST_BY_DEVICE_TYPE
  return at::autocast::get_autocast_dtype(t);
#else
  return t == c10::kCUDA ? at::autocast::get_autocast_gpu_dtype() : at::autocast::get_autocast_cpu_dtype();
#endif
}

void set_autocast(c10::DeviceType t, bool enabled, c10::ScalarType dtype) {
#ifdef POKEGAN_AUTOCAST_BY_DEVICE_TYPE
  at::autocast::set_autocast_enabled(t, enabled);
  at::autocast::set_autocast_dtype(t, dtype);
#else
  if (t == c10::kCUDA) {
    at::autocast::set_enabled(enabled);
    at::autocast::set_autocast_gpu_dtype(dtype);
  } else {
    at::autocast::set_cpu_enabled(enabled);
    at::autocast::set_autocast_cpu_dtype(dtype);
  }
#endif
}

}  // namespace

AutocastGuard::AutocastGuard(c10::Device device, bool enabled)
    : type_(device.is_cuda() ? c10::kCUDA : c10::kCPU), enabled_(enabled) {
  if (!enabled_) return;
  previous_ = autocast_enabled(type_);
  previous_dtype_ = autocast_dtype(type_);
  set_autocast(type_, true, c10::ScalarType::BFloat16);
  at::autocast::increment_nesting();
}

AutocastGuard::~AutocastGuard() {
  if (!enabled_) return;
  // The cache holds this region's bfloat16 copies of the weights; they go stale at the next step.
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  set_autocast(type_, previous_, previous_dtype_);
}

}  // namespace pokegan
