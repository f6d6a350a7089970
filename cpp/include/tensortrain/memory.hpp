// SPDX-License-Identifier: BSD-3-Clause
// Allocator tuning. Sweeps allocate and free core-sized buffers (hundreds of KiB to MiB) at every
// step. With glibc's defaults such blocks are mmap'ed or trimmed back to the kernel on free, so
// every step pays fresh page faults (measured: 25% of W2 rounding, most of W4 matvec). Raising
// the mmap and trim thresholds keeps freed memory in the process for reuse.
#pragma once

#include <cstddef>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace tensortrain {

// Defaults: blocks below 16 MiB come from the heap, and up to 64 MiB of free heap top stays
// mapped. Returns false where the C library offers no such control (non-glibc).
inline bool tune_malloc(std::size_t mmap_threshold = std::size_t(16) << 20,
                        std::size_t trim_threshold = std::size_t(64) << 20) {
#if defined(__GLIBC__)
    const bool a = mallopt(M_MMAP_THRESHOLD, (int)mmap_threshold) == 1;
    const bool b = mallopt(M_TRIM_THRESHOLD, (int)trim_threshold) == 1;
    return a && b;
#else
    (void)mmap_threshold;
    (void)trim_threshold;
    return false;
#endif
}

}  // namespace tensortrain
