// SPDX-License-Identifier: BSD-3-Clause
// Dense factorizations on top of the kernel layer (blas.hpp): Householder QR and thin SVD, on the
// registered LAPACK or Eigen, with our own blocked QR (householder.hpp) where LAPACK's reference
// code would run level-2 loops.
#pragma once

#include "blas.hpp"
#include "householder.hpp"

#include <Eigen/QR>
#include <Eigen/SVD>

namespace tensortrain {
namespace linalg {

// Thin SVD by gesdd (or Jacobi without LAPACK) of the matrix as given. A is overwritten.
template <class T>
void svd_direct(Mat<T>& A, Mat<T>& U, Vec<real_t<T>>& s, Mat<T>& VT) {
    using R = real_t<T>;
    const Index m = A.rows(), n = A.cols(), k = std::min(m, n);
    U.resize(m, k);
    s.resize(k);
    VT.resize(k, n);
    if (k == 0) return;
    TT_REQUIRE(A.allFinite(), "svd: the matrix contains NaN or Inf");
    if (kernels<T>.gesdd && m < INT32_MAX && n < INT32_MAX) {
        int im = (int)m, in = (int)n, ik = (int)k, info = 0, lwork = -1;
        const char jobz = 'S';
        std::vector<int> iwork(8 * k);
        T wq;
        std::vector<R> rwork;
        auto call = [&](T* work) {
            if constexpr (is_complex_v<T>) {
                auto f = reinterpret_cast<typename Kernels<T>::gesdd_cplx_t>(kernels<T>.gesdd);
                f(&jobz, &im, &in, A.data(), &im, s.data(), U.data(), &im, VT.data(), &ik, work, &lwork,
                  rwork.data(), iwork.data(), &info);
            } else {
                auto f = reinterpret_cast<typename Kernels<T>::gesdd_real_t>(kernels<T>.gesdd);
                f(&jobz, &im, &in, A.data(), &im, s.data(), U.data(), &im, VT.data(), &ik, work, &lwork,
                  iwork.data(), &info);
            }
        };
        if constexpr (is_complex_v<T>) {
            const Index mx = std::max(m, n);
            rwork.resize(std::max<Index>(5 * k * k + 5 * k, 2 * mx * k + 2 * k * k + k) + 1);
        }
        Mat<T> Acopy = A;  // gesdd destroys A; keep a copy for the fallback path
        call(&wq);
        lwork = std::max(1, (int)std::real(wq));
        std::vector<T> work((std::size_t)lwork);
        call(work.data());
        if (info == 0) return;
        A = std::move(Acopy);  // fall through to the robust Jacobi path below
    }
    // Fallback without LAPACK (or when gesdd did not converge): one-sided Jacobi after a QR
    // preconditioner; slower than divide and conquer but robust, and light to compile.
    Eigen::JacobiSVD<Mat<T>> js(A, Eigen::ComputeThinU | Eigen::ComputeThinV);
    U = js.matrixU();
    s = js.singularValues();
    VT = js.matrixV().adjoint();
    if (!s.allFinite()) throw LinalgError("svd: no convergence");
}

// Thin SVD: A (m x n) = U diag(s) VT with k = min(m, n) columns/rows. A is overwritten.
// Clearly rectangular matrices are first reduced by our blocked QR (of A, or of A^H when wide)
// and only the k x k triangular factor goes to gesdd: LAPACK's own reduction of rectangular
// matrices of these sizes runs unblocked level-2 loops (80 x 400: 2.6 ms vs 1.2 ms).
template <class T>
void svd(Mat<T>& A, Mat<T>& U, Vec<real_t<T>>& s, Mat<T>& VT) {
    const Index m = A.rows(), n = A.cols(), k = std::min(m, n);
    if (k < 8 || std::max(m, n) < 2 * k) {
        svd_direct(A, U, s, VT);
        return;
    }
    TT_REQUIRE(A.allFinite(), "svd: the matrix contains NaN or Inf");
    Mat<T> Us, VTs;
    if (m >= n) {  // A = Q R, R = Us s VTs  =>  U = Q Us
        HouseholderQR<T> qr(std::move(A));
        Mat<T> Rf = qr.R();
        svd_direct(Rf, Us, s, VT);
        U = qr.apply_q_top(Us);
    } else {  // A^H = Q R  =>  A = R^H Q^H, R^H = U s VTs  =>  VT = (Q VTs^H)^H
        HouseholderQR<T> qr(Mat<T>(A.adjoint()));
        Mat<T> Lf = qr.R().adjoint();
        svd_direct(Lf, U, s, VTs);
        VT = qr.apply_q_top(VTs.adjoint()).adjoint();
    }
    A.resize(0, 0);
}

// Up to this many columns our blocked QR beats LAPACK's geqrf/orgqr (which stay unblocked below
// 128 columns in the reference LAPACK that OpenBLAS ships).
constexpr Index kOwnQrMaxCols = 256;

// Householder QR of A (m x n): on return A holds the thin Q (m x min(m,n)), R is min(m,n) x n.
template <class T>
void qr(Mat<T>& A, Mat<T>& R) {
    const Index m = A.rows(), n = A.cols(), k = std::min(m, n);
    R.setZero(k, n);
    if (k == 0) {
        A.resize(m, 0);
        return;
    }
    if (k <= kOwnQrMaxCols || !have_lapack<T>()) {  // see householder.hpp for why
        HouseholderQR<T> qr(std::move(A));
        R = qr.R();
        A = qr.thin_q();
        return;
    }
    if (m < INT32_MAX && n < INT32_MAX) {
        int im = (int)m, in = (int)n, ik = (int)k, info = 0, lwork = -1;
        std::vector<T> tau((std::size_t)k);
        T wq;
        kernels<T>.geqrf(&im, &in, A.data(), &im, tau.data(), &wq, &lwork, &info);
        lwork = std::max(1, (int)std::real(wq));
        std::vector<T> work((std::size_t)lwork);
        kernels<T>.geqrf(&im, &in, A.data(), &im, tau.data(), work.data(), &lwork, &info);
        if (info != 0) throw LinalgError(::tensortrain::detail::cat("geqrf failed, info=", info));
        R = A.topRows(k).template triangularView<Eigen::Upper>();
        lwork = -1;
        kernels<T>.orgqr(&im, &ik, &ik, A.data(), &im, tau.data(), &wq, &lwork, &info);
        lwork = std::max(1, (int)std::real(wq));
        work.resize((std::size_t)lwork);
        kernels<T>.orgqr(&im, &ik, &ik, A.data(), &im, tau.data(), work.data(), &lwork, &info);
        if (info != 0) throw LinalgError(::tensortrain::detail::cat("orgqr failed, info=", info));
        A.conservativeResize(m, k);
        return;
    }
    Eigen::HouseholderQR<Mat<T>> hq(A);
    R = hq.matrixQR().topRows(k).template triangularView<Eigen::Upper>();
    Mat<T> Q = hq.householderQ() * Mat<T>::Identity(m, k);
    A = std::move(Q);
}

// Only the triangular factor R (min(m,n) x n) of a tall matrix; A is overwritten.
template <class T>
Mat<T> qr_r(Mat<T>& A) {
    const Index m = A.rows(), n = A.cols(), k = std::min(m, n);
    Mat<T> R = Mat<T>::Zero(k, n);
    if (k == 0) return R;
    // Small factorizations stay in Eigen: two LAPACK calls (workspace query + work) cost more.
    const bool small = (double)m * (double)n * (double)n < 262144.0;
    if (!small && k <= kOwnQrMaxCols) {
        HouseholderQR<T> qr(std::move(A));
        return qr.R();
    }
    if (have_lapack<T>() && !small && m < INT32_MAX && n < INT32_MAX) {
        int im = (int)m, in = (int)n, info = 0, lwork = -1;
        std::vector<T> tau((std::size_t)k);
        T wq;
        kernels<T>.geqrf(&im, &in, A.data(), &im, tau.data(), &wq, &lwork, &info);
        lwork = std::max(1, (int)std::real(wq));
        std::vector<T> work((std::size_t)lwork);
        kernels<T>.geqrf(&im, &in, A.data(), &im, tau.data(), work.data(), &lwork, &info);
        if (info != 0) throw LinalgError(::tensortrain::detail::cat("geqrf failed, info=", info));
    } else {
        Eigen::HouseholderQR<Eigen::Ref<Mat<T>>> hq(A);  // in place
    }
    R = A.topRows(k).template triangularView<Eigen::Upper>();
    return R;
}

// Smallest rank r >= 1 with sum_{j >= r} s_j^2 <= delta^2 and r <= max_rank. s is descending.
// Returns r and adds the discarded squared mass to err2.
template <class R>
Index truncation_rank(const Vec<R>& s, R delta, Index max_rank, R& err2) {
    const Index k = s.size();
    if (k == 0) return 0;
    Index r = k;
    R tail = 0;
    const R d2 = delta * delta;
    while (r > 1) {
        const R next = tail + s(r - 1) * s(r - 1);
        if (next > d2) break;
        tail = next;
        --r;
    }
    while (r > max_rank && r > 1) {
        tail += s(r - 1) * s(r - 1);
        --r;
    }
    err2 += tail;
    return r;
}

}  // namespace linalg
}  // namespace tensortrain

