// SPDX-License-Identifier: BSD-3-Clause
// Random trains and TT-matrices with Gaussian cores, seeded explicitly.
#pragma once

#include "tt_matrix.hpp"

#include <random>

namespace tensortrain {

template <class T, class Gen>
T gaussian(Gen& g) {
    std::normal_distribution<double> nd(0.0, 1.0);
    if constexpr (is_complex_v<T>) {
        using R = real_t<T>;
        return T(R(nd(g)), R(nd(g))) / R(std::sqrt(2.0));
    } else {
        return T(nd(g));
    }
}

// Gaussian cores with entries of variance 1/r_{k-1} (keeps the norm O(1) in expectation).
// ranks: d+1 values with boundary ones, or empty with max_rank.
template <class T>
TensorTrain<T> random_tt(const std::vector<Index>& shape, const std::vector<Index>& ranks, std::uint64_t seed) {
    const Index d = (Index)shape.size();
    TT_REQUIRE(d >= 1, "random: the shape must have at least one mode");
    TT_REQUIRE((Index)ranks.size() == d + 1, "random: ", d + 1, " ranks expected (including boundary ones), got ",
               ranks.size());
    TT_REQUIRE(ranks.front() == 1 && ranks.back() == 1, "random: boundary ranks must be 1, got ",
               detail::vec_str(ranks));
    std::mt19937_64 gen(seed);
    std::vector<Core<T>> cores;
    for (Index k = 0; k < d; ++k) {
        TT_REQUIRE(shape[k] >= 1 && ranks[k] >= 1 && ranks[k + 1] >= 1, "random: sizes and ranks must be >= 1");
        Core<T> c(ranks[k], shape[k], ranks[k + 1]);
        const real_t<T> sc = real_t<T>(1.0 / std::sqrt((double)ranks[k]));
        for (Index e = 0; e < c.size(); ++e) c.vec()[e] = gaussian<T>(gen) * sc;
        cores.push_back(std::move(c));
    }
    return TensorTrain<T>(std::move(cores));
}

// Ranks min(max_rank, largest possible) for a shape.
inline std::vector<Index> capped_ranks(const std::vector<Index>& shape, Index max_rank) {
    const Index d = (Index)shape.size();
    std::vector<Index> r((std::size_t)d + 1, 1);
    double left = 1;
    for (Index k = 1; k < d; ++k) {
        left *= (double)shape[k - 1];
        double right = 1;
        for (Index j = k; j < d; ++j) right *= (double)shape[j];
        r[k] = (Index)std::min<double>({(double)max_rank, left, right});
    }
    return r;
}

}  // namespace tensortrain
