// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// TT-matrices (MPOs) from sums of products of local operators:
//   A = sum_t coef_t * prod_{(site, op) in term t} op_site   (identity on the other sites),
// compressed to the minimal exact TT rank by rounding.
#include "arithmetic.hpp"
#include "round.hpp"
#include "tt_matrix.hpp"

#include <vector>

namespace tensortrain {

template <class T>
struct LocalOp {
    Index site = 0;
    Mat<T> op;  // dims[site] x dims[site]
};

template <class T>
struct OpTerm {
    T coef = T(1);
    std::vector<LocalOp<T>> ops;  // at distinct sites; an empty list is coef * identity
};

namespace detail {
// The sum of the given terms as a TT-matrix of rank = number of terms (block diagonal cores).
template <class T>
TTMatrix<T> terms_block(const std::vector<Index>& dims, const std::vector<OpTerm<T>>& terms, std::size_t lo,
                        std::size_t hi) {
    const Index d = (Index)dims.size(), K = (Index)(hi - lo);
    std::vector<Core<T>> cores;
    for (Index k = 0; k < d; ++k) {
        const Index n = dims[(std::size_t)k];
        const Index r0 = k == 0 ? 1 : K, r1 = k == d - 1 ? 1 : K;
        Core<T> G(r0, n * n, r1);
        for (Index t = 0; t < K; ++t) {
            const OpTerm<T>& term = terms[lo + (std::size_t)t];
            Mat<T> op = Mat<T>::Identity(n, n);
            for (const auto& lop : term.ops)
                if (lop.site == k) op = lop.op;
            if (k == 0) op *= term.coef;
            const Index a = k == 0 ? 0 : t, b = k == d - 1 ? 0 : t;
            for (Index j = 0; j < n; ++j)
                for (Index i = 0; i < n; ++i) G(a, i + n * j, b) = op(i, j);
        }
        cores.push_back(std::move(G));
    }
    return TTMatrix<T>(TensorTrain<T>(std::move(cores)), dims, dims);
}
}  // namespace detail

// sum_t coef_t prod op on square local spaces of sizes dims, rounded to relative accuracy rtol
// (the default keeps the minimal exact rank up to roundoff).
template <class T>
TTMatrix<T> mpo_from_terms(const std::vector<Index>& dims, const std::vector<OpTerm<T>>& terms, double rtol = 1e-13) {
    const Index d = (Index)dims.size();
    TT_REQUIRE(d >= 1, "mpo_from_terms: need at least one site");
    for (Index n : dims) TT_REQUIRE(n >= 1, "mpo_from_terms: local dimensions must be >= 1, got ", detail::vec_str(dims));
    TT_REQUIRE(rtol >= 0 && std::isfinite(rtol), "mpo_from_terms: rtol must be a finite number >= 0, got ", rtol);
    for (std::size_t t = 0; t < terms.size(); ++t) {
        TT_REQUIRE(std::isfinite((double)std::abs(terms[t].coef)), "mpo_from_terms: term ", t,
                   " has a non-finite coefficient");
        std::vector<char> used((std::size_t)d, 0);
        for (const auto& lop : terms[t].ops) {
            TT_REQUIRE(lop.site >= 0 && lop.site < d, "mpo_from_terms: term ", t, " acts on site ", lop.site,
                       ", outside [0, ", d, ")");
            TT_REQUIRE(!used[(std::size_t)lop.site], "mpo_from_terms: term ", t, " has two operators on site ",
                       lop.site, " (multiply them first)");
            used[(std::size_t)lop.site] = 1;
            const Index n = dims[(std::size_t)lop.site];
            TT_REQUIRE(lop.op.rows() == n && lop.op.cols() == n, "mpo_from_terms: term ", t, " has a ",
                       lop.op.rows(), " x ", lop.op.cols(), " operator on site ", lop.site, ", expected ", n, " x ",
                       n);
            TT_REQUIRE(lop.op.allFinite(), "mpo_from_terms: term ", t, " has a non-finite operator entry");
        }
    }
    if (terms.empty()) {  // the zero operator
        std::vector<Core<T>> z;
        for (Index n : dims) z.emplace_back(1, n * n, 1);
        return TTMatrix<T>(TensorTrain<T>(std::move(z)), dims, dims);
    }
    // Chunks of terms are added to the running sum and rounded: ranks stay near the final one.
    constexpr std::size_t kChunk = 24;
    const SvdOptions so{rtol};
    TensorTrain<T> acc;
    for (std::size_t lo = 0; lo < terms.size(); lo += kChunk) {
        const std::size_t hi = std::min(terms.size(), lo + kChunk);
        TensorTrain<T> part = detail::terms_block(dims, terms, lo, hi).tt();
        acc = lo == 0 ? std::move(part) : add(acc, part);
        acc = round(std::move(acc), so).tt;
    }
    return TTMatrix<T>(std::move(acc), dims, dims);
}

}  // namespace tensortrain
