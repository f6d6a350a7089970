// SPDX-License-Identifier: BSD-3-Clause
// Blocked Householder QR with the compact WY form Q = I - Y T Y^H per block of 16 columns
// (Schreiber and Van Loan 1989; panels recursive as in Elmroth and Gustavson 2000 when LAPACK's
// geqrt3 is registered). The trailing updates and every application of Q are GEMM calls.
//
// Why not LAPACK's geqrf/orgqr: for panels narrower than its crossover (nx = 128 in reference
// LAPACK, which OpenBLAS ships), geqrf runs the unblocked level-2 code, and the cores of rounding
// (800 x 80 and similar) are exactly such panels; the level-2 reflector updates ran at a fraction
// of the GEMM rate there (1.2 ms vs 0.45 ms for the 800 x 80 QR with Q).
#pragma once

#include "blas.hpp"

#include <cmath>
#include <limits>

namespace tensortrain {
namespace linalg {

namespace hh {

// Householder reflector in LAPACK's larfg convention: for x = [alpha; x2] (length m, in place),
// finds tau and v = [1; v2] with H^H x = [beta; 0], H = I - tau v v^H, beta real. On return
// x = [beta; v2]. tau = 0 (H = I) when x2 = 0 and alpha is real.
template <class T>
T reflector(T* x, Index m) {
    using R = real_t<T>;
    if (m <= 1 && !is_complex_v<T>) return T(0);
    Eigen::Map<Vec<T>> tail(x + 1, m - 1);
    const R xnorm = m > 1 ? tail.blueNorm() : R(0);
    const T alpha = x[0];
    if (xnorm == R(0) && std::imag(alpha) == R(0)) return T(0);
    const R mag = std::hypot(std::abs(alpha), xnorm);
    const R beta = std::real(alpha) >= R(0) ? -mag : mag;
    const T tau = (T(beta) - alpha) / T(beta);
    if (m > 1) tail *= T(1) / (alpha - T(beta));
    x[0] = T(beta);
    return tau;
}

// Unblocked QR of the m x n panel A (m >= n) and its n x n triangular factor T (ld ldt).
template <class T>
void panel(T* A, Index m, Index n, Index lda, T* Tm, Index ldt) {
    for (Index j = 0; j < n; ++j) {
        T* col = A + j + j * lda;
        const Index len = m - j;
        const T tau = reflector(col, len);
        Eigen::Map<Vec<T>> v(col, len);
        // Apply H_j^H = I - conj(tau) v v^H to the panel's remaining columns (v(0) = 1 implicit).
        if (tau != T(0) && j + 1 < n) {
            const T keep = col[0];
            col[0] = T(1);
            Eigen::Map<Mat<T>, 0, Eigen::OuterStride<>> B(col + lda, len, n - j - 1, Eigen::OuterStride<>(lda));
            Eigen::Matrix<T, 1, Eigen::Dynamic> w = v.adjoint() * B;
            B.noalias() -= (conj_if(tau) * v) * w;
            col[0] = keep;
        }
        // T(0:j, j) = -tau T(0:j, 0:j) Y(:, 0:j)^H v_j ; T(j, j) = tau.
        Tm[j + j * ldt] = tau;
        if (j > 0) {
            Eigen::Map<Vec<T>> t(Tm + j * ldt, j);
            if (tau == T(0)) {
                t.setZero();
            } else {
                // Y(j:m, 0:j)^H v_j: rows j.. of the earlier columns hold Y's entries there.
                const T keep = col[0];
                col[0] = T(1);
                Eigen::Map<Mat<T>, 0, Eigen::OuterStride<>> Yj(A + j, len, j, Eigen::OuterStride<>(lda));
                t.noalias() = Yj.adjoint() * v;
                col[0] = keep;
                Eigen::Map<Mat<T>, 0, Eigen::OuterStride<>> T0(Tm, j, j, Eigen::OuterStride<>(ldt));
                t = (-tau) * (T0.template triangularView<Eigen::Upper>() * t).eval();
            }
        }
    }
}

}  // namespace hh

// Householder QR of A (m x n) in compact WY form, blocked: panels of kBlock columns are factored
// with level-2 code, each panel's block reflector I - Y T Y^H updates the trailing columns by GEMM.
// After factoring: R() is the min(m,n) x n upper triangular factor, thin_q() the m x min(m,n)
// orthonormal factor; apply_q_top()/apply_qh() apply Q or Q^H without forming it.
template <class T>
class HouseholderQR {
  public:
    static constexpr Index kBlock = 16;

    HouseholderQR() = default;
    explicit HouseholderQR(Mat<T>&& A) : A_(std::move(A)) {
        const Index m = A_.rows(), n = A_.cols();
        k_ = std::min(m, n);
        if (k_ == 0) return;
        nblocks_ = (k_ + kBlock - 1) / kBlock;
        T_.resize(kBlock, k_);  // block b's triangular factor in columns [b*kBlock, ...)
        Mat<T> W;
        for (Index b = 0; b < nblocks_; ++b) {
            const Index j0 = b * kBlock, nb = std::min(kBlock, k_ - j0), mb = m - j0;
            T* P = A_.data() + j0 + j0 * m;
            factor_panel(P, mb, nb, m, T_.data() + j0 * kBlock, kBlock);
            const Index rest = n - j0 - nb;
            if (rest > 0) apply_block(b, /*adjoint=*/true, P + nb * m, m, rest, W);
        }
    }
    Index size() const { return k_; }

    Mat<T> R() const {
        Mat<T> R = A_.topRows(k_).template triangularView<Eigen::Upper>();
        return R;
    }

    // Q (m x k) = Q [I_k; 0]. Blocks apply in reverse order; block b leaves the columns left of
    // it untouched (they are still unit vectors above its rows), so it updates only the rest.
    Mat<T> thin_q() const {
        const Index m = A_.rows();
        Mat<T> Q = Mat<T>::Identity(m, k_);
        Mat<T> W;
        for (Index b = nblocks_ - 1; b >= 0; --b) {
            const Index j0 = b * kBlock;
            apply_block(b, /*adjoint=*/false, Q.data() + j0 + j0 * m, m, k_ - j0, W);
        }
        return Q;
    }

    // Q [X; 0] for X with k rows: an m x X.cols() result, cheaper than forming Q.
    template <class Derived>
    Mat<T> apply_q_top(const Eigen::MatrixBase<Derived>& X) const {
        const Index m = A_.rows(), c = X.cols();
        Mat<T> out = Mat<T>::Zero(m, c);
        if (k_ == 0 || c == 0) return out;
        out.topRows(k_) = X;
        Mat<T> W;
        for (Index b = nblocks_ - 1; b >= 0; --b) {
            const Index j0 = b * kBlock;
            apply_block(b, /*adjoint=*/false, out.data() + j0, m, c, W);
        }
        return out;
    }

    // B <- Q^H B for B with m rows (column-major, contiguous columns of length >= m).
    template <class Derived>
    void apply_qh(Eigen::MatrixBase<Derived>& B) const {
        Mat<T> W;
        for (Index b = 0; b < nblocks_; ++b) {
            const Index j0 = b * kBlock;
            apply_block(b, /*adjoint=*/true, B.derived().data() + j0, B.outerStride(), B.cols(), W);
        }
    }

  private:
    // The panel by LAPACK's recursive geqrt3 when registered (GEMM-rich; 0.32 vs 0.45 ms for
    // the R of 800 x 80), else by our level-2 code. Both give the same factorization.
    static void factor_panel(T* P, Index mb, Index nb, Index lda, T* Tm, Index ldt) {
        if (kernels<T>.geqrt3 && mb < INT32_MAX && lda < INT32_MAX) {
            int im = (int)mb, in = (int)nb, ilda = (int)lda, ildt = (int)ldt, info = 0;
            kernels<T>.geqrt3(&im, &in, P, &ilda, Tm, &ildt, &info);
            if (info == 0) return;
            throw LinalgError(::tensortrain::detail::cat("geqrt3 failed, info=", info));
        }
        hh::panel(P, mb, nb, lda, Tm, ldt);
    }

    // C (rows j0.., c columns, ld ldc) <- H_b C or H_b^H C, H_b = I - Y_b T_b Y_b^H. Y_b lives
    // below the diagonal of A_; its unit upper part is swapped in for the GEMMs (and R restored),
    // so no separate copy of Y (which would double the working set) is kept.
    void apply_block(Index b, bool adjoint, T* C, Index ldc, Index c, Mat<T>& W) const {
        const Index m = A_.rows(), j0 = b * kBlock, nb = std::min(kBlock, k_ - j0), mb = m - j0;
        T* Yb = A_.data() + j0 + j0 * m;
        T saved[kBlock * kBlock];
        for (Index j = 0; j < nb; ++j)
            for (Index i = 0; i <= j; ++i) {
                saved[i + j * kBlock] = Yb[i + j * m];
                Yb[i + j * m] = i == j ? T(1) : T(0);
            }
        struct Restore {
            T* Yb; const T* saved; Index nb, m;
            ~Restore() {
                for (Index j = 0; j < nb; ++j)
                    for (Index i = 0; i <= j; ++i) Yb[i + j * m] = saved[i + j * kBlock];
            }
        } restore{Yb, saved, nb, m};
        W.resize(nb, c);
        gemm<T>('C', 'N', nb, c, mb, T(1), Yb, m, C, ldc, T(0), W.data(), nb);
        Eigen::Map<const Mat<T>, 0, Eigen::OuterStride<>> Tb(T_.data() + j0 * kBlock, nb, nb,
                                                             Eigen::OuterStride<>(kBlock));
        if (adjoint) W = Tb.template triangularView<Eigen::Upper>().adjoint() * W;
        else W = Tb.template triangularView<Eigen::Upper>() * W;
        gemm<T>('N', 'N', mb, c, nb, T(-1), Yb, m, W.data(), nb, T(1), C, ldc);
    }

    mutable Mat<T> A_;  // R on and above the diagonal, reflectors below (swapped in apply_block)
    Mat<T> T_;
    Index k_ = 0, nblocks_ = 0;
};

}  // namespace linalg
}  // namespace tensortrain
