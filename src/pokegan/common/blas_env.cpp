#include "pokegan/common/blas_env.h"

#include <dlfcn.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>
#include <set>

namespace pokegan {

std::string blas_core_name() {
  using CoreName = char* (*)();
  auto f = reinterpret_cast<CoreName>(dlsym(RTLD_DEFAULT, "openblas_get_corename"));
  if (!f) return "";
  const char* name = f();
  return name ? name : "";
}

std::string better_blas_core() {
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
  const std::string core = blas_core_name();
  if (core.empty()) return "";
  // Case-insensitive compare: OpenBLAS reports names like "Haswell" or "SkylakeX".
  std::string lower;
  for (char c : core) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static const std::set<std::string> avx512 = {"skylakex", "cooperlake", "sapphirerapids"};
  static const std::set<std::string> avx2 = {"haswell", "zen", "skylakex", "cooperlake", "sapphirerapids"};
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512dq"))
    return avx512.count(lower) ? "" : "SkylakeX";
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return avx2.count(lower) ? "" : "Haswell";
#endif
  return "";
}

void retune_blas_or_continue(char** argv) {
  if (std::getenv("OPENBLAS_CORETYPE") || std::getenv("POKEGAN_NO_BLAS_TUNING")) return;
  const std::string core = better_blas_core();
  if (core.empty()) return;
  setenv("OPENBLAS_CORETYPE", core.c_str(), 1);
  execv("/proc/self/exe", argv);  // returns only on failure: carry on with the kernels we have
}

}  // namespace pokegan
