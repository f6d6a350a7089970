// SPDX-License-Identifier: BSD-3-Clause
// Maximum-volume row selection: square maxvol (Goreinov, Oseledets, Savostyanov, Tyrtyshnikov,
// Zamarashkin, "How to find a good submatrix", 2010) and rectangular maxvol (Mikhalev and
// Oseledets, "Rectangular maximum-volume submatrices and their applications", LAA 2018).
// Both work on an orthonormal basis of the column space (thin Q of a QR), so they are safe on
// ill-conditioned and rank-deficient inputs: the selected rows of Q are well conditioned even when
// those of A are not.
#pragma once

#include "linalg.hpp"

#include <Eigen/LU>
#include <algorithm>
#include <numeric>
#include <vector>

namespace tensortrain {

struct MaxvolOptions {
    double tol = 0.05;    // stop when every |B_ij| <= 1 + tol
    Index max_iters = 200;
};

template <class T>
struct MaxvolResult {
    std::vector<Index> rows;  // selected row indices (r of them, or K for rect_maxvol)
    Mat<T> coef;              // n x rows.size(): A ~= coef * A(rows, :) (exact for square maxvol)
    Index iters = 0;
};

namespace detail {
// Initial r rows: Gaussian elimination with partial (row) pivoting on Q.
template <class T>
std::vector<Index> pivot_rows(const Mat<T>& Q) {
    const Index n = Q.rows(), r = Q.cols();
    Mat<T> W = Q;
    std::vector<Index> perm((std::size_t)n);
    std::iota(perm.begin(), perm.end(), Index(0));
    for (Index j = 0; j < r; ++j) {
        Index p;
        W.col(j).segment(j, n - j).cwiseAbs().maxCoeff(&p);
        p += j;
        if (p != j) {
            W.row(p).swap(W.row(j));
            std::swap(perm[(std::size_t)p], perm[(std::size_t)j]);
        }
        const T piv = W(j, j);
        if (piv == T(0) || j + 1 >= n) continue;
        W.col(j).segment(j + 1, n - j - 1) /= piv;
        W.block(j + 1, j + 1, n - j - 1, r - j - 1).noalias() -=
            W.col(j).segment(j + 1, n - j - 1) * W.row(j).segment(j + 1, r - j - 1);
    }
    return std::vector<Index>(perm.begin(), perm.begin() + r);
}
}  // namespace detail

// r rows of the n x r matrix A (n >= r) whose submatrix has locally maximal volume: on return
// every entry of coef = A A(rows,:)^{-1} has modulus <= 1 + tol.
template <class T>
MaxvolResult<T> maxvol(const Mat<T>& A, const MaxvolOptions& opts = {}) {
    const Index n = A.rows(), r = A.cols();
    TT_REQUIRE(r >= 1 && n >= r, "maxvol needs a tall matrix (rows >= cols >= 1), got ", n, " x ", r);
    TT_REQUIRE(opts.tol >= 0, "maxvol: tol must be >= 0, got ", opts.tol);
    TT_REQUIRE(A.allFinite(), "maxvol: the matrix contains NaN or Inf");
    Mat<T> Q = A;
    Mat<T> Rf;
    linalg::qr(Q, Rf);  // the column space, orthonormal
    MaxvolResult<T> res;
    res.rows = detail::pivot_rows(Q);
    Mat<T> Qi(r, r);
    for (Index j = 0; j < r; ++j) Qi.row(j) = Q.row(res.rows[(std::size_t)j]);
    // B = Q Q_I^{-1}; Q_I^{-1} exists because Q has orthonormal columns and the pivoting picked
    // the largest remaining pivot at every step.
    Mat<T> B = Qi.transpose().partialPivLu().solve(Q.transpose()).transpose();
    for (; res.iters < opts.max_iters; ++res.iters) {
        Index i, j;
        const real_t<T> big = B.cwiseAbs().maxCoeff(&i, &j);
        if (big <= real_t<T>(1 + opts.tol)) break;
        // Swap row j of the selection for row i; rank-one update of B.
        const Vec<T> bj = B.col(j);
        Eigen::Matrix<T, 1, Eigen::Dynamic> bi = B.row(i);
        bi(j) -= T(1);
        B.noalias() -= (bj / B(i, j)) * bi;
        res.rows[(std::size_t)j] = i;
    }
    res.coef = std::move(B);
    return res;
}

// K >= r rows of the n x r matrix A: maxvol's r rows, then greedily the row whose coefficient
// vector (row of coef) is longest, i.e. the row worst represented by those chosen so far, until K
// rows are chosen. coef (n x K) is A A(rows, :)^+ (so A = coef A(rows, :) for A of rank r).
template <class T>
MaxvolResult<T> rect_maxvol(const Mat<T>& A, Index K, const MaxvolOptions& opts = {}) {
    using R = real_t<T>;
    const Index n = A.rows(), r = A.cols();
    TT_REQUIRE(K >= r && K <= n, "rect_maxvol: K must be in [", r, ", ", n, "], got ", K);
    MaxvolResult<T> res = maxvol(A, opts);
    Mat<T> C = std::move(res.coef);  // n x k
    Vec<R> l = C.rowwise().squaredNorm();
    std::vector<char> chosen((std::size_t)n, 0);
    for (Index i : res.rows) chosen[(std::size_t)i] = 1;
    for (Index i : res.rows) l(i) = R(0);
    while ((Index)res.rows.size() < K) {
        Index i;
        const R li = l.maxCoeff(&i);
        if (li <= R(0) || chosen[(std::size_t)i]) break;
        // C' = [C - (C c^H) c / (1 + l_i), (C c^H) / (1 + l_i)], c = row i of C.
        const Eigen::Matrix<T, 1, Eigen::Dynamic> c = C.row(i);
        const Vec<T> Cc = C * c.adjoint();
        const Index k = C.cols();
        Mat<T> Cn(n, k + 1);
        Cn.leftCols(k) = C - (Cc / T(1 + li)) * c;
        Cn.col(k) = Cc / T(1 + li);
        C = std::move(Cn);
        l -= Cc.cwiseAbs2() / (1 + li);
        res.rows.push_back(i);
        chosen[(std::size_t)i] = 1;
        l(i) = R(0);
        for (Index j = 0; j < n; ++j)
            if (chosen[(std::size_t)j]) l(j) = R(0);
    }
    res.coef = std::move(C);
    return res;
}

}  // namespace tensortrain
