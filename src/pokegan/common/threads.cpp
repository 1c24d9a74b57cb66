#include "pokegan/common/threads.h"

#include <ATen/Parallel.h>
#include <dlfcn.h>

#include <thread>

#include "pokegan/common/error.h"

namespace pokegan {

namespace {
// LibTorch already splits conv work across its own threads and calls BLAS from each of them; a
// multi-threaded OpenBLAS underneath oversubscribes the cores (measured: cdcgan at width 32 ran at
// 42 img/s with OpenBLAS threads, 80 img/s without, on 2 cores). OpenBLAS reads its thread count
// from the environment before main, so set it through its API when it is the loaded BLAS.
void single_threaded_blas() { set_blas_threads(1); }
}  // namespace

bool set_blas_threads(int n) {
  using SetThreads = void (*)(int);
  auto f = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"));
  if (f) f(n);
  return f != nullptr;
}

ScopedBlasThreads::ScopedBlasThreads(int n) { set_blas_threads(n > 0 ? n : at::get_num_threads()); }

int set_threads(int n) {
  if (n < 0) throw Error("--threads must be >= 0 (0 = all cores), got " + std::to_string(n));
  if (n == 0) n = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  single_threaded_blas();
  at::set_num_threads(n);
  return at::get_num_threads();
}

}  // namespace pokegan
