// SPDX-License-Identifier: BSD-3-Clause
// Entry evaluation: one element, a batch of M multi-indices at once (O(M d r^2), threaded over
// samples), and full contractions with per-mode weight vectors (sums, quadrature).
#pragma once

#include "parallel.hpp"
#include "tensor_train.hpp"

namespace tensortrain {

namespace detail {
template <class T>
void check_indices(const TensorTrain<T>& tt, const std::int64_t* idx, Index M) {
    const Index d = tt.ndim();
    for (Index m = 0; m < M; ++m)
        for (Index k = 0; k < d; ++k) {
            const std::int64_t i = idx[m * d + k];
            if (i < 0 || i >= tt.core(k).n())
                throw std::out_of_range(cat("index ", i, " is out of range for mode ", k, " of size ", tt.core(k).n(),
                                            " (multi-index number ", m, ")"));
        }
}
}  // namespace detail

// Values at M multi-indices given row-major as idx[m*d + k].
template <class T>
Vec<T> evaluate(const TensorTrain<T>& tt, const std::int64_t* idx, Index M) {
    detail::check_indices(tt, idx, M);
    const Index d = tt.ndim();
    const Index rmax = tt.max_rank();
    Vec<T> out(M);
    const Index chunk = 256;
    const Index nchunks = (M + chunk - 1) / chunk;
    parallel_for(0, nchunks, [&](Index c) {
        Vec<T> v(rmax), w(rmax);
        const Index end = std::min(M, (c + 1) * chunk);
        for (Index m = c * chunk; m < end; ++m) {
            const std::int64_t* ix = idx + m * d;
            const Core<T>& G0 = tt.core(0);
            // v = G0(0, i, :) — a row of the first core
            const Index r1 = G0.r1();
            for (Index b = 0; b < r1; ++b) v[b] = G0(0, ix[0], b);
            Index r = r1;
            for (Index k = 1; k < d; ++k) {
                const Core<T>& G = tt.core(k);
                const Index rn = G.r1();
                w.head(rn).noalias() = G.slice(ix[k]).transpose() * v.head(r);
                std::swap(v, w);
                r = rn;
            }
            out[m] = v[0];
        }
    }, 2);
    return out;
}

template <class T>
T element(const TensorTrain<T>& tt, const std::vector<std::int64_t>& index) {
    TT_REQUIRE((Index)index.size() == tt.ndim(), "a multi-index of length ", tt.ndim(), " is needed, got ",
               index.size());
    return evaluate(tt, index.data(), 1)[0];
}

// sum_{i1..id} w1(i1) ... wd(id) A(i1..id). An empty weight vector means all ones.
template <class T>
T contract(const TensorTrain<T>& tt, const std::vector<Vec<T>>& weights) {
    const Index d = tt.ndim();
    TT_REQUIRE(weights.empty() || (Index)weights.size() == d, "contract: ", d, " weight vectors needed, got ",
               weights.size());
    Vec<T> v = Vec<T>::Ones(1);
    for (Index k = 0; k < d; ++k) {
        const Core<T>& G = tt.core(k);
        Mat<T> S = Mat<T>::Zero(G.r0(), G.r1());
        const bool ones = weights.empty() || weights[(std::size_t)k].size() == 0;
        if (!ones)
            TT_REQUIRE(weights[(std::size_t)k].size() == G.n(), "contract: weight vector ", k, " has length ",
                       weights[(std::size_t)k].size(), ", mode size is ", G.n());
        for (Index i = 0; i < G.n(); ++i) S += (ones ? T(1) : weights[(std::size_t)k][i]) * G.slice(i);
        v = S.transpose() * v;
    }
    return v[0];
}

}  // namespace tensortrain
