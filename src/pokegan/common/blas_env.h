// OpenBLAS picks its kernels by CPU model at load time. On these virtual machines it does not
// recognise the CPU ("Intel(R) Xeon(R) Processor") and falls back to its generic "Prescott" (SSE3)
// kernels: sgemm at 64 GFLOP/s on 2 cores where the same library with its SkylakeX kernels reaches
// 299 GFLOP/s (docs/performance.md). OPENBLAS_CORETYPE overrides the choice, but only if it is set
// before the library loads, that is before main(). So main() calls this first: when OpenBLAS is the
// loaded BLAS, runs kernels weaker than the CPU supports, and OPENBLAS_CORETYPE is unset, it sets
// the variable to the best matching core (SkylakeX for AVX-512, Haswell for AVX2+FMA) and re-executes
// the program once (argv unchanged). POKEGAN_NO_BLAS_TUNING=1 turns this off.
#pragma once
#include <string>

namespace pokegan {

// The OpenBLAS core name in use ("" when OpenBLAS is not the loaded BLAS).
std::string blas_core_name();

// The OPENBLAS_CORETYPE this CPU should use, or "" when the loaded kernels already fit it.
std::string better_blas_core();

// Re-executes the program with OPENBLAS_CORETYPE set when better_blas_core() names one; returns
// (doing nothing) otherwise or when exec fails.
void retune_blas_or_continue(char** argv);

}  // namespace pokegan
