// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Environments of sweep algorithms (DMRG, AMEn): contractions of a bra train, an operator
// (TT-matrix) and a ket train from the left or the right up to a bond, and the one-site operator
// they define. Index names: a, b bonds of the ket, a', b' of the bra, w, w' of the operator.
#include "tensor_train.hpp"
#include "tt_matrix.hpp"

#include <unsupported/Eigen/CXX11/Tensor>

namespace tensortrain {
namespace detail {
namespace env {
template <class T>
using T2 = Eigen::Tensor<T, 2>;
template <class T>
using T3 = Eigen::Tensor<T, 3>;
template <class T>
using T4 = Eigen::Tensor<T, 4>;
using P = Eigen::IndexPair<Eigen::Index>;

template <class T>
Eigen::TensorMap<const T3<T>> core3(const Core<T>& G) {
    return Eigen::TensorMap<const T3<T>>(G.data(), G.r0(), G.n(), G.r1());
}
template <class T>
Eigen::TensorMap<const T4<T>> core4(const TTMatrix<T>& A, Index k) {
    const Core<T>& G = A.tt().core(k);
    return Eigen::TensorMap<const T4<T>>(G.data(), G.r0(), A.row_dims()[(std::size_t)k], A.col_dims()[(std::size_t)k],
                                         G.r1());
}
// L'(b', w', b) = sum Y(a', i, b') L(a', w, a) W(w, i, j, w') X(a, j, b)
template <class T, class WT>
T3<T> left3(const T3<T>& L, const Core<T>& Y, const WT& W, const Core<T>& X) {
    const T4<T> t1 = L.contract(core3(X), Eigen::array<P, 1>{P(2, 0)});
    const T4<T> t2 = t1.contract(W, Eigen::array<P, 2>{P(1, 0), P(2, 2)});
    const T3<T> t3 = t2.contract(core3(Y), Eigen::array<P, 2>{P(0, 0), P(2, 1)});
    return t3.shuffle(Eigen::array<int, 3>{2, 1, 0});
}
// R(a', w, a) = sum Y(a', i, b') W(w, i, j, w') X(a, j, b) R'(b', w', b)
template <class T, class WT>
T3<T> right3(const T3<T>& R, const Core<T>& Y, const WT& W, const Core<T>& X) {
    const T4<T> t1 = core3(X).contract(R, Eigen::array<P, 1>{P(2, 2)});
    const T4<T> t2 = t1.contract(W, Eigen::array<P, 2>{P(1, 2), P(3, 3)});
    const T3<T> t3 = t2.contract(core3(Y), Eigen::array<P, 2>{P(1, 2), P(3, 1)});
    return t3.shuffle(Eigen::array<int, 3>{2, 1, 0});
}
// L'(b', b) = sum Y(a', i, b') L(a', a) X(a, i, b)
template <class T>
T2<T> left2(const T2<T>& L, const Core<T>& Y, const Core<T>& X) {
    const T3<T> t1 = L.contract(core3(X), Eigen::array<P, 1>{P(1, 0)});               // a' i b
    return core3(Y).contract(t1, Eigen::array<P, 2>{P(0, 0), P(1, 1)});                // b' b
}
// R(a', a) = sum Y(a', i, b') X(a, i, b) R'(b', b)
template <class T>
T2<T> right2(const T2<T>& R, const Core<T>& Y, const Core<T>& X) {
    const T3<T> t1 = core3(X).contract(R, Eigen::array<P, 1>{P(2, 1)});               // a i b'
    return core3(Y).contract(t1, Eigen::array<P, 2>{P(1, 1), P(2, 2)});                // a' a
}
// The one-site operator y(a', i, b') = sum L(a', w, a) W(w, i, j, w') R(b', w', b) x(a, j, b) as
// three matrix products (the environments and the core rearranged once, outside the solver's
// loop): L as (a' w) x a, W as (w j) x (i w'), R as (w' b) x b'.
template <class T>
struct LocalOp {
    Index la, ra, n, m, wl, wr, lk, rk;  // bra ranks la, ra; sizes n (out), m (in); MPO ranks; ket ranks
    Mat<T> Lm, Wp, Rp;
    template <class WT>
    LocalOp(const T3<T>& L, const WT& W, const T3<T>& R)
        : la(L.dimension(0)), ra(R.dimension(0)), n(W.dimension(1)), m(W.dimension(2)), wl(W.dimension(0)),
          wr(W.dimension(3)), lk(L.dimension(2)), rk(R.dimension(2)) {
        Lm = Eigen::Map<const Mat<T>>(L.data(), la * wl, lk);
        Wp.resize(wl * m, n * wr);
        for (Index b = 0; b < wr; ++b)
            for (Index i = 0; i < n; ++i)
                for (Index j = 0; j < m; ++j)
                    for (Index a = 0; a < wl; ++a) Wp(a + wl * j, i + n * b) = W(a, i, j, b);
        Rp.resize(wr * rk, ra);
        for (Index b = 0; b < rk; ++b)
            for (Index w = 0; w < wr; ++w)
                for (Index c = 0; c < ra; ++c) Rp(w + wr * b, c) = R(c, w, b);
    }
    // x: lk * m * rk entries (a, j, b); y: la * n * ra entries (a', i, b')
    void apply(const T* x, T* y) const {
        const Mat<T> t1 = Lm * Eigen::Map<const Mat<T>>(x, lk, m * rk);  // (a' w) x (j b)
        Mat<T> t2(la * n * wr, rk);                                       // (a' i w') x b
        for (Index b = 0; b < rk; ++b) {
            Eigen::Map<Mat<T>>(t2.col(b).data(), la, n * wr).noalias() =
                Eigen::Map<const Mat<T>>(t1.data() + b * la * wl * m, la, wl * m) * Wp;
        }
        Eigen::Map<Mat<T>>(y, la * n, ra).noalias() = Eigen::Map<const Mat<T>>(t2.data(), la * n, wr * rk) * Rp;
    }
    Vec<T> operator()(const Vec<T>& x) const {
        Vec<T> y(la * n * ra);
        apply(x.data(), y.data());
        return y;
    }
};

// f(a', i, b') = sum L(a', a) B(a, i, b) R(b', b)
template <class T>
T3<T> rhs2(const T2<T>& L, const Core<T>& B, const T2<T>& R) {
    const T3<T> t1 = L.contract(core3(B), Eigen::array<P, 1>{P(1, 0)});               // a' i b
    return t1.contract(R, Eigen::array<P, 1>{P(2, 1)});                                // a' i b'
}
template <class T>
T2<T> ones2() {
    T2<T> t(1, 1);
    t.setConstant(T(1));
    return t;
}
template <class T>
T3<T> ones3() {
    T3<T> t(1, 1, 1);
    t.setConstant(T(1));
    return t;
}
}  // namespace env
}  // namespace detail
}  // namespace tensortrain
