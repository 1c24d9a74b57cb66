#include "pokegan/common/device.h"

#include <torch/cuda.h>

#include "pokegan/common/error.h"

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

}  // namespace pokegan
