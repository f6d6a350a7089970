// SPDX-License-Identifier: BSD-3-Clause
// The OpenMP shim: algorithm code calls these and carries no #ifdef _OPENMP.
#pragma once

#include "common.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace tensortrain {

inline int max_threads() {
#ifdef _OPENMP
    return omp_get_max_threads();
#else
    return 1;
#endif
}

inline void set_num_threads(int n) {
#ifdef _OPENMP
    if (n > 0) omp_set_num_threads(n);
#else
    (void)n;
#endif
}

inline bool openmp_enabled() {
#ifdef _OPENMP
    return true;
#else
    return false;
#endif
}

// Runs body(i) for i in [begin, end), in parallel when the work is large enough.
// `grain` is the amount of work below which one thread does everything.
template <class F>
void parallel_for(Index begin, Index end, F&& body, Index grain = 1) {
#ifdef _OPENMP
    if (end - begin > 1 && (end - begin) >= grain && omp_get_max_threads() > 1 && !omp_in_parallel()) {
#pragma omp parallel for schedule(static)
        for (Index i = begin; i < end; ++i) body(i);
        return;
    }
#else
    (void)grain;
#endif
    for (Index i = begin; i < end; ++i) body(i);
}

}  // namespace tensortrain
