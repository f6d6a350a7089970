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

namespace detail {
// w = S v with S (r1 x r0) column-major: one step of the left-to-right product for one sample,
// written as axpys so that it vectorizes over b without reassociating sums.
template <class T>
inline void step(const T* __restrict S, Index r0, Index r1, const T* __restrict v, T* __restrict w) {
    for (Index b = 0; b < r1; ++b) w[b] = T(0);
    for (Index a = 0; a < r0; ++a) {
        const T va = v[a];
        const T* col = S + r1 * a;
        for (Index b = 0; b < r1; ++b) w[b] += va * col[b];
    }
}
}  // namespace detail

// Values at M multi-indices given row-major as idx[m*d + k].
template <class T>
Vec<T> evaluate(const TensorTrain<T>& tt, const std::int64_t* idx, Index M) {
    detail::check_indices(tt, idx, M);
    const Index d = tt.ndim();
    const Index rmax = tt.max_rank();
    // Slice-major copies of the cores: slice i of core k is stored transposed as a contiguous
    // r1 x r0 block, so every step reads contiguous memory. O(parameters) to build.
    std::vector<Vec<T>> slices((std::size_t)d);
    for (Index k = 0; k < d; ++k) {
        const Core<T>& G = tt.core(k);
        Vec<T>& S = slices[(std::size_t)k];
        S.resize(G.size());
        for (Index i = 0; i < G.n(); ++i)
            Eigen::Map<Mat<T>>(S.data() + G.r0() * G.r1() * i, G.r1(), G.r0()) = G.slice(i).transpose();
    }
    Vec<T> out(M);
    const Index chunk = 512;
    const Index nchunks = (M + chunk - 1) / chunk;
    parallel_for(
        0, nchunks,
        [&](Index c) {
            std::vector<T> v((std::size_t)rmax), w((std::size_t)rmax);
            const Index end = std::min(M, (c + 1) * chunk);
            for (Index m = c * chunk; m < end; ++m) {
                const std::int64_t* ix = idx + m * d;
                v[0] = T(1);
                for (Index k = 0; k < d; ++k) {
                    const Core<T>& G = tt.core(k);
                    const Index r0 = G.r0(), r1 = G.r1();
                    detail::step(slices[(std::size_t)k].data() + r0 * r1 * ix[k], r0, r1, v.data(), w.data());
                    std::swap(v, w);
                }
                out[m] = v[0];
            }
        },
        2);
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
