#include "pokegan/common/threads.h"

#include <ATen/Parallel.h>

#include <thread>

#include "pokegan/common/error.h"

namespace pokegan {

int set_threads(int n) {
  if (n < 0) throw Error("--threads must be >= 0 (0 = all cores), got " + std::to_string(n));
  if (n == 0) n = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  at::set_num_threads(n);
  return at::get_num_threads();
}

}  // namespace pokegan
