// SPDX-License-Identifier: BSD-3-Clause
// The OpenMP shim: algorithm code calls these and carries no #ifdef _OPENMP.
#pragma once

#include "common.hpp"

#include <exception>

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

// Index of the calling thread inside a parallel region (0 outside).
inline int thread_id() {
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
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
// `grain` is the amount of work below which one thread does everything. An exception thrown by
// body is carried out of the parallel region and rethrown (the first one wins).
template <class F>
void parallel_for(Index begin, Index end, F&& body, Index grain = 1) {
#ifdef _OPENMP
    if (end - begin > 1 && (end - begin) >= grain && omp_get_max_threads() > 1 && !omp_in_parallel()) {
        std::exception_ptr error = nullptr;
#pragma omp parallel for schedule(static)
        for (Index i = begin; i < end; ++i) {
            try {
                body(i);
            } catch (...) {
#pragma omp critical(tensortrain_parallel_error)
                if (!error) error = std::current_exception();
            }
        }
        if (error) std::rethrow_exception(error);
        return;
    }
#else
    (void)grain;
#endif
    for (Index i = begin; i < end; ++i) body(i);
}

}  // namespace tensortrain
