// SPDX-License-Identifier: BSD-3-Clause
// Exact TT arithmetic (Oseledets 2011, Sec. 4): sums (block-diagonal cores, ranks add),
// Hadamard products (Kronecker cores, ranks multiply), inner products and norms by a
// left-to-right sweep of r x r environments (rescaled every step, so d = 1000 neither
// overflows nor underflows), and TT-matrix products (ranks multiply).
#pragma once

#include "linalg.hpp"
#include "parallel.hpp"
#include "tt_matrix.hpp"

#include <cmath>
#include <cstdint>
#include <limits>

namespace tensortrain {

namespace detail {
template <class T>
void require_same_shape(const TensorTrain<T>& x, const TensorTrain<T>& y, const char* what) {
    TT_REQUIRE(x.shape() == y.shape(), what, ": shapes differ: ", vec_str(x.shape()), " and ", vec_str(y.shape()));
}
}  // namespace detail

template <class T>
TensorTrain<T> scale(TensorTrain<T> x, T alpha) {
    x.core(0).vec() *= alpha;
    return x;
}

// alpha * x + beta * y; ranks add.
template <class T>
TensorTrain<T> add(const TensorTrain<T>& x, const TensorTrain<T>& y, T alpha = T(1), T beta = T(1)) {
    detail::require_same_shape(x, y, "add");
    const Index d = x.ndim();
    std::vector<Core<T>> cores;
    cores.reserve((std::size_t)d);
    for (Index k = 0; k < d; ++k) {
        const Core<T>& X = x.core(k);
        const Core<T>& Y = y.core(k);
        const bool first = k == 0, last = k == d - 1;
        const Index r0 = first ? 1 : X.r0() + Y.r0();
        const Index r1 = last ? 1 : X.r1() + Y.r1();
        Core<T> Z(r0, X.n(), r1);
        const T ax = first ? alpha : T(1), by = first ? beta : T(1);
        const Index oy0 = first ? 0 : X.r0(), oy1 = last ? 0 : X.r1();
        for (Index b = 0; b < X.r1(); ++b)
            for (Index i = 0; i < X.n(); ++i)
                for (Index a = 0; a < X.r0(); ++a) Z(a, i, b) = ax * X(a, i, b);
        for (Index b = 0; b < Y.r1(); ++b)
            for (Index i = 0; i < Y.n(); ++i)
                for (Index a = 0; a < Y.r0(); ++a) Z(oy0 + a, i, oy1 + b) += by * Y(a, i, b);
        cores.push_back(std::move(Z));
    }
    return TensorTrain<T>(std::move(cores));
}

// Elementwise product; ranks multiply. Combined rank index a + rx*a' (x's index fastest).
template <class T>
TensorTrain<T> hadamard(const TensorTrain<T>& x, const TensorTrain<T>& y) {
    detail::require_same_shape(x, y, "hadamard");
    std::vector<Core<T>> cores;
    for (Index k = 0; k < x.ndim(); ++k) {
        const Core<T>& X = x.core(k);
        const Core<T>& Y = y.core(k);
        Core<T> Z(X.r0() * Y.r0(), X.n(), X.r1() * Y.r1());
        for (Index b2 = 0; b2 < Y.r1(); ++b2)
            for (Index b1 = 0; b1 < X.r1(); ++b1)
                for (Index i = 0; i < X.n(); ++i)
                    for (Index a2 = 0; a2 < Y.r0(); ++a2) {
                        const T yv = Y(a2, i, b2);
                        for (Index a1 = 0; a1 < X.r0(); ++a1)
                            Z(a1 + X.r0() * a2, i, b1 + X.r1() * b2) = X(a1, i, b1) * yv;
                    }
        cores.push_back(std::move(Z));
    }
    return TensorTrain<T>(std::move(cores));
}

// A value stored as mantissa * 2^exponent, for results beyond the range of a double.
// Rescaling by powers of two is exact, so long products lose nothing to the scaling itself.
template <class T>
struct Scaled {
    T mantissa = T(0);
    std::int64_t exponent = 0;
    T value() const {
        if (exponent > 4096) return mantissa * T(std::numeric_limits<real_t<T>>::infinity());
        if (exponent < -4096) return T(0);
        return mantissa * T(std::ldexp(real_t<T>(1), (int)exponent));
    }
};

namespace detail {
// Multiplies M by a power of two that brings its largest entry into [0.5, 1); returns the
// exponent taken out (exact), or nothing for a zero or non-finite matrix.
template <class T>
bool rescale_pow2(Mat<T>& M, std::int64_t& e2) {
    using R = real_t<T>;
    const R s = M.cwiseAbs().maxCoeff();
    if (s == R(0) || !std::isfinite((double)s)) return false;
    int ex = 0;
    std::frexp(s, &ex);
    M *= std::ldexp(R(1), -ex);
    e2 += ex;
    return true;
}

// Left environment after cores [0, stop): E(a, a') = sum conj(x) y over the prefix.
template <class T>
Mat<T> dot_left(const TensorTrain<T>& x, const TensorTrain<T>& y, Index stop, std::int64_t& e2) {
    Mat<T> E = Mat<T>::Ones(1, 1), Z, En;
    for (Index k = 0; k < stop; ++k) {
        const Core<T>& X = x.core(k);
        const Core<T>& Y = y.core(k);
        // Z = E * Y_right  (rx0 x n*ry1), read as a (rx0*n x ry1) left unfolding.
        Z.resize(X.r0(), Y.n() * Y.r1());
        linalg::gemm_small<T>('N', 'N', X.r0(), Y.n() * Y.r1(), Y.r0(), T(1), E.data(), X.r0(), Y.data(), Y.r0(), T(0),
                        Z.data(), X.r0());
        En.resize(X.r1(), Y.r1());
        linalg::gemm_small<T>('C', 'N', X.r1(), Y.r1(), X.r0() * X.n(), T(1), X.data(), X.r0() * X.n(), Z.data(),
                        X.r0() * X.n(), T(0), En.data(), X.r1());
        E.swap(En);
        rescale_pow2(E, e2);
    }
    return E;
}

// Right environment of cores [start, d), transposed: Rt(a', a) = sum conj(x) y over the suffix.
template <class T>
Mat<T> dot_right(const TensorTrain<T>& x, const TensorTrain<T>& y, Index start, std::int64_t& e2) {
    Mat<T> Rt = Mat<T>::Ones(1, 1), Z, Rn;
    for (Index k = x.ndim() - 1; k >= start; --k) {
        const Core<T>& X = x.core(k);
        const Core<T>& Y = y.core(k);
        // Z = Y_left * Rt  (ry0*n x rx1), read as a (ry0 x n*rx1) right unfolding.
        Z.resize(Y.r0() * Y.n(), X.r1());
        linalg::gemm_small<T>('N', 'N', Y.r0() * Y.n(), X.r1(), Y.r1(), T(1), Y.data(), Y.r0() * Y.n(), Rt.data(),
                        Y.r1(), T(0), Z.data(), Y.r0() * Y.n());
        // Rt_new = Z_right * X_right^H  (ry0 x rx0)
        Rn.resize(Y.r0(), X.r0());
        linalg::gemm_small<T>('N', 'C', Y.r0(), X.r0(), X.n() * X.r1(), T(1), Z.data(), Y.r0(), X.data(), X.r0(), T(0),
                        Rn.data(), Y.r0());
        Rt.swap(Rn);
        rescale_pow2(Rt, e2);
    }
    return Rt;
}

// Work (multiply-adds) of one environment sweep, to decide whether two threads pay off.
template <class T>
double sweep_work(const TensorTrain<T>& x, const TensorTrain<T>& y) {
    double w = 0;
    for (Index k = 0; k < x.ndim(); ++k)
        w += (double)x.core(k).size() * (double)(y.core(k).r0() + y.core(k).r1());
    return w;
}

// Runs left() and right() (the two independent halves of a sweep) on two threads when the
// work pays for it, otherwise one after the other.
template <class L, class R>
void both_halves(bool parallel, L&& left, R&& right) {
    if (parallel && max_threads() > 1) {
        parallel_for(0, 2, [&](Index h) {
            if (h == 0) left();
            else right();
        });
    } else {
        left();
        right();
    }
}
}  // namespace detail

// <x, y> = sum conj(x) * y, as mantissa * 2^exponent. The left and right halves of the
// environment sweep run on two threads when the trains are large enough.
template <class T>
Scaled<T> dot_scaled(const TensorTrain<T>& x, const TensorTrain<T>& y) {
    detail::require_same_shape(x, y, "dot");
    const Index d = x.ndim();
    const Index mid = d / 2;
    std::int64_t eL = 0, eR = 0;
    Mat<T> L, Rt;
    detail::both_halves(
        d >= 4 && detail::sweep_work(x, y) > 2e5, [&] { L = detail::dot_left(x, y, mid, eL); },
        [&] { Rt = detail::dot_right(x, y, mid, eR); });
    // <x, y> = sum_{a, a'} L(a, a') Rt(a', a)
    Scaled<T> out;
    out.mantissa = (L.array() * Rt.transpose().array()).sum();
    out.exponent = eL + eR;
    if (out.mantissa == T(0)) out.exponent = 0;
    return out;
}

template <class T>
T dot(const TensorTrain<T>& x, const TensorTrain<T>& y) {
    return dot_scaled(x, y).value();
}

namespace detail {
// R factor after left-orthogonalizing cores [0, stop): x = Q_left * R * (cores stop..d-1).
template <class T>
Mat<T> qr_left(const TensorTrain<T>& x, Index stop, std::int64_t& e2) {
    Mat<T> Rm = Mat<T>::Ones(1, 1);
    for (Index k = 0; k < stop; ++k) {
        const Core<T>& G = x.core(k);
        const Index rows = Rm.rows();
        // A = Rm * G_right (rows x n*r1); the same buffer is the left unfolding (rows*n x r1).
        Mat<T> A(rows * G.n(), G.r1());
        linalg::gemm_small<T>('N', 'N', rows, G.n() * G.r1(), G.r0(), T(1), Rm.data(), rows, G.data(), G.r0(), T(0),
                        A.data(), rows);
        Rm = linalg::qr_r(A);
        rescale_pow2(Rm, e2);
    }
    return Rm;
}

// L factor after right-orthogonalizing cores [start, d): x = (cores 0..start-1) * L * Q_right.
template <class T>
Mat<T> lq_right(const TensorTrain<T>& x, Index start, std::int64_t& e2) {
    Mat<T> Lm = Mat<T>::Ones(1, 1);
    for (Index k = x.ndim() - 1; k >= start; --k) {
        const Core<T>& G = x.core(k);
        const Index cols = Lm.cols();
        // B = G_left * Lm (r0*n x cols), i.e. the right unfolding (r0 x n*cols); LQ via QR of B^H.
        Mat<T> B(G.r0() * G.n(), cols);
        linalg::gemm_small<T>('N', 'N', G.r0() * G.n(), cols, G.r1(), T(1), G.data(), G.r0() * G.n(), Lm.data(),
                        G.r1(), T(0), B.data(), G.r0() * G.n());
        Mat<T> Bh = Eigen::Map<Mat<T>>(B.data(), G.r0(), G.n() * cols).adjoint();
        Lm = linalg::qr_r(Bh).adjoint();
        rescale_pow2(Lm, e2);
    }
    return Lm;
}
}  // namespace detail

// ||x||_F as mantissa * 2^exponent by orthogonalization: x = Q_left (R L) Q_right, so
// ||x|| = ||R L||_F. Unlike sqrt(<x, x>) this keeps full relative accuracy when x is a small
// difference of large trains (no sqrt(eps) floor), at the same O(d n r^3) cost. The two
// halves run on two threads when the train is large enough.
template <class T>
Scaled<real_t<T>> norm_scaled(const TensorTrain<T>& x) {
    const Index d = x.ndim();
    const Index mid = d / 2;
    std::int64_t eL = 0, eR = 0;
    Mat<T> Rm, Lm;
    detail::both_halves(
        d >= 4 && detail::sweep_work(x, x) > 2e5, [&] { Rm = detail::qr_left(x, mid, eL); },
        [&] { Lm = detail::lq_right(x, mid, eR); });
    Scaled<real_t<T>> out;
    out.mantissa = (Rm * Lm).norm();
    out.exponent = out.mantissa > 0 ? eL + eR : 0;
    return out;
}

// log ||x||_F (minus infinity for the zero train).
template <class T>
double log_norm(const TensorTrain<T>& x) {
    const auto s = norm_scaled(x);
    if (!(s.mantissa > 0)) return s.mantissa == 0 ? -std::numeric_limits<double>::infinity() : (double)s.mantissa;
    return std::log((double)s.mantissa) + (double)s.exponent * std::log(2.0);
}

// ||x||_F; +inf only when the norm itself exceeds the range of the scalar type.
template <class T>
real_t<T> norm(const TensorTrain<T>& x) {
    return norm_scaled(x).value();
}

namespace detail {
// One core of a TT-matrix product. A: (r0, m, n, r1) as a core of mode size m*n;
// B: (s0, n, p*s1) with p the trailing mode size (p = 1 for a TT vector).
// Out: (r0*s0, m*p, r1*s1) with combined ranks a' + s0*a and b' + s1*b.
template <class T>
Core<T> product_core(const Core<T>& A, Index m, Index n, const Core<T>& B, Index p) {
    const Index r0 = A.r0(), r1 = A.r1(), s0 = B.r0(), s1 = B.r1() / p;
    const Index R0 = r0 * s0, r0m = r0 * m;
    Core<T> C(R0, m * p, r1 * s1, Uninitialized{});
    // Block (b, q, b'): C(a' + s0*a, i + m*q, b' + s1*b) = sum_j B(a', j, q + p*b') A(a, i, j, b),
    // a contiguous (s0 x r0*m) column-major block of C; each of its columns is a short sum of
    // columns of B (zero entries of A skipped), written once (no zero fill, no second pass).
    const Index nblocks = r1 * p * s1;
    parallel_for(
        0, nblocks,
        [&](Index blk) {
            const Index q = blk % p, bp = (blk / p) % s1, b = blk / (p * s1);
            const T* __restrict Ab = A.data() + r0m * n * b;            // (r0 m x n), ld r0*m
            const T* __restrict Bq = B.data() + s0 * n * (q + p * bp);  // (s0 x n), ld s0
            T* __restrict Cb = C.data() + R0 * m * (q + p * (bp + s1 * b));
            for (Index c = 0; c < r0m; ++c) {
                T* __restrict Cc = Cb + s0 * c;
                const T a0 = Ab[c];
                for (Index x = 0; x < s0; ++x) Cc[x] = a0 * Bq[x];
                for (Index j = 1; j < n; ++j) {
                    const T aj = Ab[c + r0m * j];
                    if (aj == T(0)) continue;  // operator cores are mostly sparse
                    const T* __restrict Bj = Bq + s0 * j;
                    for (Index x = 0; x < s0; ++x) Cc[x] += aj * Bj[x];
                }
            }
        },
        16);
    return C;
}
}  // namespace detail

// y = A x, exact (ranks multiply).
template <class T>
TensorTrain<T> matvec(const TTMatrix<T>& A, const TensorTrain<T>& x) {
    TT_REQUIRE(A.ndim() == x.ndim(), "matvec: the TT-matrix has ", A.ndim(), " cores, the train ", x.ndim());
    TT_REQUIRE(A.col_dims() == x.shape(), "matvec: column sizes ", detail::vec_str(A.col_dims()),
               " do not match the train's shape ", detail::vec_str(x.shape()));
    std::vector<Core<T>> cores;
    for (Index k = 0; k < x.ndim(); ++k)
        cores.push_back(detail::product_core(A.tt().core(k), A.row_dims()[k], A.col_dims()[k], x.core(k), 1));
    return TensorTrain<T>(std::move(cores));
}

// C = A B, exact (ranks multiply).
template <class T>
TTMatrix<T> matmul(const TTMatrix<T>& A, const TTMatrix<T>& B) {
    TT_REQUIRE(A.ndim() == B.ndim(), "matmul: the TT-matrices have ", A.ndim(), " and ", B.ndim(), " cores");
    TT_REQUIRE(A.col_dims() == B.row_dims(), "matmul: column sizes ", detail::vec_str(A.col_dims()),
               " of the left factor do not match row sizes ", detail::vec_str(B.row_dims()), " of the right one");
    std::vector<Core<T>> cores;
    for (Index k = 0; k < A.ndim(); ++k) {
        const Core<T>& Bk = B.tt().core(k);
        const Index n = B.row_dims()[k], p = B.col_dims()[k];
        // View B's core (s0, n*p, s1) as (s0, n, p*s1): same buffer, same order.
        Core<T> Bv(Bk.r0(), n, p * Bk.r1(), Bk.data());
        cores.push_back(detail::product_core(A.tt().core(k), A.row_dims()[k], A.col_dims()[k], Bv, p));
    }
    return TTMatrix<T>(TensorTrain<T>(std::move(cores)), A.row_dims(), B.col_dims());
}

// y = A x for a dense x (C order over (j1..jd)); returns y in C order over (i1..id).
template <class T>
Vec<T> matvec_dense(const TTMatrix<T>& A, const T* x, Index xsize) {
    const Index d = A.ndim();
    TT_REQUIRE((double)xsize == A.cols_total(), "matvec: the vector has ", xsize, " entries, the TT-matrix has ",
               A.cols_total(), " columns");
    // T(P, a, j_k, Rest) in C order; P = output prefix (i1..i_{k-1}), Rest = (j_{k+1}..j_d).
    Vec<T> cur = Eigen::Map<const Vec<T>>(x, xsize);
    Index P = 1, Rest = xsize;
    for (Index k = 0; k < d; ++k) {
        const Core<T>& G = A.tt().core(k);
        const Index m = A.row_dims()[k], n = A.col_dims()[k], r = G.r0(), rn = G.r1();
        Rest /= n;
        detail::check_full_size((double)P * m * rn * Rest, sizeof(T), "matvec (intermediate)");
        // K((a*n + j), (i*rn + b)) = A(a, i, j, b)
        Mat<T> K(r * n, m * rn);
        for (Index b = 0; b < rn; ++b)
            for (Index j = 0; j < n; ++j)
                for (Index i = 0; i < m; ++i)
                    for (Index a = 0; a < r; ++a) K(a * n + j, i * rn + b) = G(a, i + m * j, b);
        Vec<T> nxt(P * m * rn * Rest);
        if (Rest == 1) {
            // T is (P x r n) row-major = (r n x P) column-major; out = K^T * T.
            linalg::gemm<T>('T', 'N', m * rn, P, r * n, T(1), K.data(), r * n, cur.data(), r * n, T(0), nxt.data(),
                            m * rn);
        } else {
            parallel_for(0, P, [&](Index p) {
                // slab (Rest x r n) column-major -> (Rest x m rn)
                linalg::gemm<T>('N', 'N', Rest, m * rn, r * n, T(1), cur.data() + p * r * n * Rest, Rest, K.data(),
                                r * n, T(0), nxt.data() + p * m * rn * Rest, Rest);
            });
        }
        cur = std::move(nxt);
        P *= m;
    }
    return cur;
}

// Transpose of a TT-matrix: cores (r0, n, m, r1).
template <class T>
TTMatrix<T> transpose(const TTMatrix<T>& A) {
    std::vector<Core<T>> cores;
    for (Index k = 0; k < A.ndim(); ++k) {
        const Core<T>& G = A.tt().core(k);
        const Index m = A.row_dims()[k], n = A.col_dims()[k];
        Core<T> H(G.r0(), m * n, G.r1());
        for (Index b = 0; b < G.r1(); ++b)
            for (Index i = 0; i < m; ++i)
                for (Index j = 0; j < n; ++j)
                    for (Index a = 0; a < G.r0(); ++a) H(a, j + n * i, b) = G(a, i + m * j, b);
        cores.push_back(std::move(H));
    }
    return TTMatrix<T>(TensorTrain<T>(std::move(cores)), A.col_dims(), A.row_dims());
}

// Kronecker-style concatenation: (x ⊗ y)(i, j) = x(i) y(j), a train with d_x + d_y cores.
template <class T>
TensorTrain<T> kron(const TensorTrain<T>& x, const TensorTrain<T>& y) {
    std::vector<Core<T>> cores = x.cores();
    for (auto& c : y.cores()) cores.push_back(c);
    return TensorTrain<T>(std::move(cores));
}

template <class T>
TTMatrix<T> kron(const TTMatrix<T>& A, const TTMatrix<T>& B) {
    std::vector<Index> rows = A.row_dims(), cols = A.col_dims();
    rows.insert(rows.end(), B.row_dims().begin(), B.row_dims().end());
    cols.insert(cols.end(), B.col_dims().begin(), B.col_dims().end());
    return TTMatrix<T>(kron(A.tt(), B.tt()), rows, cols);
}

}  // namespace tensortrain
