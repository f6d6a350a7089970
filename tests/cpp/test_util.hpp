// Ground-truth helpers for the C++ tests: dense references computed independently of the
// engine's own dense routines (slice products per multi-index).
#pragma once

#include <tensortrain/tensortrain.hpp>

#include <random>

namespace ttest {
using namespace tensortrain;

// Entry by multiplying slices, the definition of the format.
template <class T>
T entry(const TensorTrain<T>& tt, const std::vector<Index>& ix) {
    Mat<T> v = Mat<T>::Ones(1, 1);
    for (Index k = 0; k < tt.ndim(); ++k) v = v * Mat<T>(tt.core(k).slice(ix[k]));
    return v(0, 0);
}

// Dense tensor in C order by definition.
template <class T>
Vec<T> dense(const TensorTrain<T>& tt) {
    const auto shape = tt.shape();
    Index N = 1;
    for (auto n : shape) N *= n;
    Vec<T> out(N);
    std::vector<Index> ix(shape.size(), 0);
    for (Index f = 0; f < N; ++f) {
        out[f] = entry(tt, ix);
        for (Index k = (Index)shape.size() - 1; k >= 0; --k) {
            if (++ix[k] < shape[k]) break;
            ix[k] = 0;
        }
    }
    return out;
}

template <class T>
Vec<T> random_vec(Index n, unsigned seed) {
    std::mt19937_64 g(seed);
    Vec<T> v(n);
    for (Index i = 0; i < n; ++i) v[i] = gaussian<T>(g);
    return v;
}
}  // namespace ttest
