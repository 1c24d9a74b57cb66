// glibc's malloc serves every block over 32 MiB (and, by its adaptive threshold, many smaller ones)
// with a fresh mmap and returns it to the kernel on free. A training step allocates and frees the
// same activation-sized buffers every step, so each step paid for page faults and for the kernel
// zeroing those pages again: 25-33% of a step (docs/performance.md). main() calls this first to
// keep freed memory in the heap for reuse: no mmap for blocks, no trimming of the heap top.
// Peak memory is unchanged (the same buffers are live at once); the process keeps its high-water
// mark until it exits. POKEGAN_NO_MALLOC_TUNING=1 turns this off.
#pragma once

namespace pokegan {

// Returns false when it was turned off or glibc refused the settings.
bool keep_freed_memory_in_heap();

}  // namespace pokegan
