// Thread count for LibTorch. Debian's LibTorch starts with one intra-op thread, so every entry
// point calls set_threads(): 0 means all cores.
#pragma once

namespace pokegan {

// Sets LibTorch's intra-op thread count (0 = hardware concurrency) and returns the count in use.
int set_threads(int n);

// OpenBLAS's own thread count (set_threads leaves it at 1); false when OpenBLAS is not the BLAS.
bool set_blas_threads(int n);

// While alive, OpenBLAS runs on n threads (0 = as many as LibTorch's); back to 1 at scope exit.
// For inference and single big products, where no LibTorch thread calls BLAS concurrently.
class ScopedBlasThreads {
 public:
  explicit ScopedBlasThreads(int n = 0);
  ~ScopedBlasThreads() { set_blas_threads(1); }
  ScopedBlasThreads(const ScopedBlasThreads&) = delete;
  ScopedBlasThreads& operator=(const ScopedBlasThreads&) = delete;
};

}  // namespace pokegan
