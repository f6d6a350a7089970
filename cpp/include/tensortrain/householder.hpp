// SPDX-License-Identifier: BSD-3-Clause
// Recursive blocked Householder QR with the compact WY form Q = I - Y T Y^H (Elmroth and
// Gustavson, "Applying recursion to serial and parallel QR factorization", IBM J. Res. Dev. 2000;
// Schreiber and Van Loan 1989 for the WY form). Almost all flops are GEMM calls.
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

// Copies the reflectors of the factored panel A (m x n, tails below the diagonal) into Y as
// explicit columns: unit diagonal, zeros above.
template <class T>
void store_y(const T* A, Index m, Index n, Index lda, T* Y, Index ldy) {
    for (Index j = 0; j < n; ++j) {
        T* y = Y + j * ldy;
        for (Index i = 0; i < j; ++i) y[i] = T(0);
        y[j] = T(1);
        for (Index i = j + 1; i < m; ++i) y[i] = A[i + j * lda];
    }
}

inline Index kLeaf = 16;

// Recursive QR of the m x n block A (m >= n), in place. Y (m x n block, ld ldy) receives the
// reflectors explicitly, T (n x n, ld ldt) the triangular factor of the compact WY form.
// When need_t12 is false the top-level coupling block of T is skipped (R-only callers).
template <class T>
void recursive(T* A, Index m, Index n, Index lda, T* Y, Index ldy, T* Tm, Index ldt, bool need_t12 = true) {
    if (n <= kLeaf) {
        panel(A, m, n, lda, Tm, ldt);
        store_y(A, m, n, lda, Y, ldy);
        return;
    }
    const Index n1 = n / 2, n2 = n - n1;
    recursive(A, m, n1, lda, Y, ldy, Tm, ldt);
    T* A2 = A + n1 * lda;
    Eigen::Map<Mat<T>, 0, Eigen::OuterStride<>> T1(Tm, n1, n1, Eigen::OuterStride<>(ldt));
    // A2 <- (I - Y1 T1 Y1^H)^H A2 = A2 - Y1 (T1^H (Y1^H A2)).
    Mat<T> W(n1, n2);
    gemm<T>('C', 'N', n1, n2, m, T(1), Y, ldy, A2, lda, T(0), W.data(), n1);
    W = T1.template triangularView<Eigen::Upper>().adjoint() * W;
    gemm<T>('N', 'N', m, n2, n1, T(-1), Y, ldy, W.data(), n1, T(1), A2, lda);
    T* T2p = Tm + n1 + n1 * ldt;
    T* Y2 = Y + n1 * ldy;  // rows >= n1 of the second half's columns
    for (Index j = 0; j < n2; ++j)
        for (Index i = 0; i < n1; ++i) Y2[i + j * ldy] = T(0);
    recursive(A2 + n1, m - n1, n2, lda, Y2 + n1, ldy, T2p, ldt, need_t12);
    for (Index j = 0; j < n1; ++j)
        for (Index i = n1; i < n; ++i) Tm[i + j * ldt] = T(0);  // keep T upper triangular
    if (!need_t12) return;
    // T12 = -T1 (Y1(n1:m, :)^H Y2) T2.
    Mat<T> X(n1, n2);
    gemm<T>('C', 'N', n1, n2, m - n1, T(1), Y + n1, ldy, Y2 + n1, ldy, T(0), X.data(), n1);
    Eigen::Map<Mat<T>, 0, Eigen::OuterStride<>> T2(T2p, n2, n2, Eigen::OuterStride<>(ldt));
    Eigen::Map<Mat<T>, 0, Eigen::OuterStride<>> T12(Tm + n1 * ldt, n1, n2, Eigen::OuterStride<>(ldt));
    X = X * T2.template triangularView<Eigen::Upper>();
    T12.noalias() = -(T1.template triangularView<Eigen::Upper>() * X);
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
            hh::panel(P, mb, nb, m, T_.data() + j0 * kBlock, kBlock);
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
