// SPDX-License-Identifier: BSD-3-Clause
// TT-SVD (Oseledets 2011, Alg. 1): sequential truncated SVDs of the unfoldings, with the
// per-step threshold rtol*||A||/sqrt(d-1) so that ||A - TT||_F <= rtol*||A||_F.
// Tall unfoldings are reduced by a blocked Householder QR first (R only), so the input is read
// twice and never copied whole; the small singular values stay accurate (no Gram matrices).
#pragma once

#include "linalg.hpp"
#include "parallel.hpp"
#include "tensor_train.hpp"

#include <limits>

namespace tensortrain {

struct SvdOptions {
    double rtol = 1e-8;
    Index max_rank = std::numeric_limits<Index>::max();
};

template <class T>
struct SvdResult {
    TensorTrain<T> tt;
    double truncation_error = 0;  // absolute Frobenius bound sqrt(sum of discarded sigma^2)
    double norm = 0;              // ||A||_F
    double rel_error() const { return norm > 0 ? truncation_error / norm : 0.0; }
};

inline void check_svd_options(const SvdOptions& o) {
    TT_REQUIRE(o.rtol >= 0 && std::isfinite(o.rtol), "rtol must be a finite number >= 0, got ", o.rtol);
    TT_REQUIRE(o.max_rank >= 1, "max_rank must be >= 1, got ", o.max_rank);
}

namespace detail {

// The R factor (c x c) of the m x c column-major matrix M (leading dimension ld), by TSQR:
// Householder QR of cache-sized row chunks in parallel, then QR of the stacked R factors.
// M is not modified.
template <class T>
Mat<T> tall_r(const T* M, Index m, Index c, Index ld) {
    // ~256 KiB chunks stay in cache while the level-2 Householder updates sweep them.
    const Index target = (Index(1) << 15) / std::max<Index>(c, 1);
    const Index chunk = std::max<Index>(4 * c, target);
    const Index nchunks = (m + chunk - 1) / chunk;
    if (nchunks <= 1) {
        Mat<T> A = linalg::detail::ConstStridedMap<T>(M, m, c, Eigen::OuterStride<>(ld));
        return linalg::qr_r(A);
    }
    Mat<T> S = Mat<T>::Zero(nchunks * c, c);
    const int nth = max_threads();
    std::vector<Mat<T>> scratch((std::size_t)std::max(nth, 1));
    parallel_for(0, nchunks, [&](Index b) {
        Mat<T>& A = scratch[(std::size_t)thread_id()];
        const Index r0 = b * chunk, rows = std::min(chunk, m - r0);
        A.resize(rows, c);
        for (Index j = 0; j < c; ++j) A.col(j) = Eigen::Map<const Vec<T>>(M + r0 + j * ld, rows);
        const Mat<T> R = linalg::qr_r(A);
        S.block(b * c, 0, R.rows(), c) = R;
    });
    return tall_r(S.data(), S.rows(), c, S.rows());
}

}  // namespace detail

// TT-SVD of a dense tensor given in row-major (C) order with the given shape.
template <class T>
SvdResult<T> tt_svd(const T* data, const std::vector<Index>& shape, const SvdOptions& opts = {}) {
    using R = real_t<T>;
    check_svd_options(opts);
    TT_REQUIRE(!shape.empty(), "tt_svd needs a tensor with at least one dimension");
    Index N = 1;
    for (auto n : shape) {
        TT_REQUIRE(n >= 1, "tt_svd: every mode size must be >= 1, got shape ", detail::vec_str(shape));
        N *= n;
    }
    TT_REQUIRE(Eigen::Map<const Vec<T>>(data, N).allFinite(), "tt_svd: the input contains NaN or Inf");
    const Index d = (Index)shape.size();
    SvdResult<T> res;
    std::vector<Core<T>> cores;
    if (d == 1) {
        cores.emplace_back(1, N, 1, Vec<T>(Eigen::Map<const Vec<T>>(data, N)));
        res.norm = (double)Eigen::Map<const Vec<T>>(data, N).norm();
        res.tt = TensorTrain<T>(std::move(cores));
        return res;
    }
    R err2 = 0, delta = 0;
    Mat<T> W;               // the remainder; W(suffix, a) column-major
    const T* M = data;      // current matrix (rows x cols), col index i_k + n_k * a
    Index rank_prev = 1;
    Index rest = N;
    for (Index k = 0; k + 1 < d; ++k) {
        const Index n = shape[(std::size_t)k];
        rest /= n;
        const Index rows = rest, cols = n * rank_prev;
        Mat<T> X, VT;
        Vec<R> s;
        const bool tall = rows >= 2 * cols;
        if (tall) {
            Mat<T> Rf = detail::tall_r(M, rows, cols, rows);
            linalg::svd(Rf, X, s, VT);
        } else {
            Mat<T> A = Eigen::Map<const Mat<T>>(M, rows, cols);
            linalg::svd(A, X, s, VT);
        }
        if (k == 0) {
            res.norm = (double)s.norm();
            delta = R(opts.rtol) * s.norm() / std::sqrt(R(d - 1));
        }
        const Index r = linalg::truncation_rank(s, delta, std::min<Index>(opts.max_rank, s.size()), err2);
        Core<T> G(rank_prev, n, r);
        if (tall && r == cols) {
            // Nothing truncated: any orthonormal basis will do, so take the identity and pass the
            // matrix on unchanged instead of rotating it (saves a read and a write of M).
            for (Index a = 0; a < rank_prev; ++a)
                for (Index i = 0; i < n; ++i) G(a, i, i + n * a) = T(1);
            cores.push_back(std::move(G));
            rank_prev = r;
            continue;
        }
        // Core k: G(a, i, b) = VT(b, i + n*a).
        for (Index b = 0; b < r; ++b)
            for (Index a = 0; a < rank_prev; ++a)
                for (Index i = 0; i < n; ++i) G(a, i, b) = VT(b, i + n * a);
        cores.push_back(std::move(G));
        // Remainder W = M * VT_r^H  (rows x r).
        Mat<T> Wn(rows, r);
        if (tall) {
            Mat<T> Y = VT.topRows(r).adjoint();
            const Index blk = Index(1) << 15;  // row blocks: one pass over M, split across threads
            parallel_for(0, (rows + blk - 1) / blk, [&](Index b) {
                const Index r0 = b * blk, nr = std::min(blk, rows - r0);
                linalg::gemm<T>('N', 'N', nr, r, cols, T(1), M + r0, rows, Y.data(), cols, T(0), Wn.data() + r0,
                                rows);
            });
        } else {
            Wn = X.leftCols(r) * s.head(r).template cast<T>().asDiagonal();
        }
        W = std::move(Wn);
        M = W.data();
        rank_prev = r;
    }
    // Last core: G(a, i, 0) = M(i, a), M being n_d x r_{d-1}.
    const Index n = shape.back();
    Core<T> G(rank_prev, n, 1);
    G.right() = Eigen::Map<const Mat<T>>(M, n, rank_prev).transpose();
    cores.push_back(std::move(G));
    res.tt = TensorTrain<T>(std::move(cores));
    res.truncation_error = (double)std::sqrt(err2);
    return res;
}

}  // namespace tensortrain
