#include "pokegan/common/memory.h"

#include <malloc.h>

#include <climits>
#include <cstdlib>
#include <cstring>

namespace pokegan {

bool keep_freed_memory_in_heap() {
  const char* off = std::getenv("POKEGAN_NO_MALLOC_TUNING");
  if (off && std::strcmp(off, "") != 0 && std::strcmp(off, "0") != 0) return false;
  const bool no_mmap = mallopt(M_MMAP_MAX, 0) == 1;
  const bool no_trim = mallopt(M_TRIM_THRESHOLD, INT_MAX) == 1;
  return no_mmap && no_trim;
}

}  // namespace pokegan
