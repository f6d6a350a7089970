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
// An operator core W(w, i, j, w') as the map of the middle stage of every contraction below:
// columns (j, w) of a block of vectors to columns (i, w'). Operator cores are mostly sparse
// (identities, tridiagonal or Pauli blocks): below a fifth of the entries nonzero the map runs
// over the nonzeros, otherwise over dense (m x n) blocks. `swap` exchanges the roles of w and w'
// (the right-to-left contractions).
template <class T>
class MidOp {
  public:
    Index wl = 0, wr = 0, n = 0, m = 0;  // in-rank (w), out-rank (w'), out size (i), in size (j)
    template <class WT>
    MidOp(const WT& W, bool swap = false)
        : wl(swap ? W.dimension(3) : W.dimension(0)), wr(swap ? W.dimension(0) : W.dimension(3)), n(W.dimension(1)),
          m(W.dimension(2)) {
        const auto at = [&](Index w, Index i, Index j, Index w2) -> T { return swap ? W(w2, i, j, w) : W(w, i, j, w2); };
        Index nnz = 0;
        for (Index w2 = 0; w2 < wr; ++w2)
            for (Index j = 0; j < m; ++j)
                for (Index i = 0; i < n; ++i)
                    for (Index w = 0; w < wl; ++w) nnz += at(w, i, j, w2) != T(0);
        sparse_ = nnz * 5 < wl * wr * n * m;
        if (sparse_) {
            for (Index w2 = 0; w2 < wr; ++w2)
                for (Index i = 0; i < n; ++i)
                    for (Index w = 0; w < wl; ++w)
                        for (Index j = 0; j < m; ++j)
                            if (at(w, i, j, w2) != T(0)) sp_.push_back({w, j, i, w2, at(w, i, j, w2)});
        } else {
            blocks_.resize((std::size_t)(wl * wr));
            for (Index w2 = 0; w2 < wr; ++w2)
                for (Index w = 0; w < wl; ++w) {
                    Mat<T> B(m, n);
                    for (Index i = 0; i < n; ++i)
                        for (Index j = 0; j < m; ++j) B(j, i) = at(w, i, j, w2);
                    if (B.cwiseAbs().maxCoeff() > 0) blocks_[(std::size_t)(w + wl * w2)] = std::move(B);
                }
        }
    }
    // in: (la x m*rk*wl), column j + m (b + rk w); returns (la x n*rk*wr), column i + n (b + rk w').
    Mat<T> operator()(const Mat<T>& in, Index rk) const {
        const Index la = in.rows();
        Mat<T> out = Mat<T>::Zero(la, n * rk * wr);
        if (sparse_) {
            for (const auto& e : sp_)
                for (Index b = 0; b < rk; ++b)
                    out.col(e.i + n * (b + rk * e.w2)) += e.v * in.col(e.j + m * (b + rk * e.w));
        } else {
            for (Index w2 = 0; w2 < wr; ++w2)
                for (Index w = 0; w < wl; ++w) {
                    const Mat<T>& B = blocks_[(std::size_t)(w + wl * w2)];
                    if (B.size() == 0) continue;
                    for (Index b = 0; b < rk; ++b)
                        out.middleCols(n * (b + rk * w2), n).noalias() += in.middleCols(m * (b + rk * w), m) * B;
                }
        }
        return out;
    }

  private:
    struct Entry {
        Index w, j, i, w2;
        T v;
    };
    std::vector<Entry> sp_;       // the nonzeros, when sparse_
    std::vector<Mat<T>> blocks_;  // W(w, :, :, w')^T (m x n), empty when zero, when dense
    bool sparse_ = false;
};

// Square and equal to the identity to rounding: the environment slice of the not-yet-started
// terms of a sum-of-terms operator between orthonormal frames.
template <class T>
bool is_identity(const Mat<T>& M) {
    if (M.rows() != M.cols()) return false;
    return (M - Mat<T>::Identity(M.rows(), M.cols())).cwiseAbs().maxCoeff() <= real_t<T>(1e-13);
}

// The slices E(:, w, :) of an environment E(a', w, a), each (a' x a); empty where the identity.
template <class T>
std::vector<Mat<T>> env_slices(const T3<T>& E) {
    const Index la = E.dimension(0), wl = E.dimension(1), lk = E.dimension(2);
    std::vector<Mat<T>> out((std::size_t)wl);
    for (Index w = 0; w < wl; ++w) {
        Mat<T> S(la, lk);
        for (Index a = 0; a < lk; ++a)
            for (Index c = 0; c < la; ++c) S(c, a) = E(c, w, a);
        if (!is_identity(S)) out[(std::size_t)w] = std::move(S);
    }
    return out;
}

// First stage: [E_w X] for all w, (la x m*rk*wl), column j + m (b + rk w); X is (lk x m*rk).
template <class T, class XM>
Mat<T> env_stage(const std::vector<Mat<T>>& Es, const XM& X, Index la) {
    const Index wl = (Index)Es.size(), cols = X.cols();
    Mat<T> t1(la, cols * wl);
    for (Index w = 0; w < wl; ++w) {
        const Mat<T>& E = Es[(std::size_t)w];
        if (E.size() == 0) t1.middleCols(cols * w, cols) = X;
        else t1.middleCols(cols * w, cols).noalias() = E * X;
    }
    return t1;
}

// A core (a, j, b) with its bond indices exchanged: (b, j, a).
template <class T>
Core<T> reversed(const Core<T>& X) {
    Core<T> R(X.r1(), X.n(), X.r0(), Uninitialized{});
    for (Index a = 0; a < X.r0(); ++a)
        for (Index j = 0; j < X.n(); ++j)
            for (Index b = 0; b < X.r1(); ++b) R(b, j, a) = X(a, j, b);
    return R;
}

namespace staged {
// L'(b', w', b) = sum Y(a', i, b') L(a', w, a) W(w, i, j, w') X(a, j, b) with W given as a MidOp.
template <class T>
T3<T> left3(const T3<T>& L, const Core<T>& Y, const MidOp<T>& W, const Core<T>& X) {
    const Index la = L.dimension(0), rk = X.r1(), ry = Y.r1(), wr = W.wr;
    const Mat<T> t1 = env_stage(env_slices(L), Eigen::Map<const Mat<T>>(X.data(), X.r0(), X.n() * rk), la);
    const Mat<T> t2 = W(t1, rk);  // (a' x i (b w')) = (a' i) x (b w')
    const Mat<T> t3 = Eigen::Map<const Mat<T>>(Y.data(), la * W.n, ry).transpose() *
                      Eigen::Map<const Mat<T>>(t2.data(), la * W.n, rk * wr);  // b' x (b w')
    T3<T> out(ry, wr, rk);
    for (Index w = 0; w < wr; ++w)
        for (Index b = 0; b < rk; ++b)
            for (Index c = 0; c < ry; ++c) out(c, w, b) = t3(c, b + rk * w);
    return out;
}
}  // namespace staged

// L'(b', w', b) = sum Y(a', i, b') L(a', w, a) W(w, i, j, w') X(a, j, b)
template <class T, class WT>
T3<T> left3(const T3<T>& L, const Core<T>& Y, const WT& W, const Core<T>& X) {
    return staged::left3<T>(L, Y, MidOp<T>(W), X);
}
// R(a', w, a) = sum Y(a', i, b') W(w, i, j, w') X(a, j, b) R'(b', w', b): the left contraction
// of the cores with their bonds exchanged.
template <class T, class WT>
T3<T> right3(const T3<T>& R, const Core<T>& Y, const WT& W, const Core<T>& X) {
    const Core<T> Xr = reversed(X);
    if (&Y == &X) return staged::left3<T>(R, Xr, MidOp<T>(W, true), Xr);
    return staged::left3<T>(R, reversed(Y), MidOp<T>(W, true), Xr);
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
// The one-site operator y(a', i, b') = sum L(a', w, a) W(w, i, j, w') R(b', w', b) x(a, j, b),
// applied in three stages with everything rearranged once, outside the solver's loop:
//   t1_w = L_w x  (skipped where L_w is the identity),  t2_w' = sum_w t1_w W(w, :, :, w')
//   (MidOp: over the nonzeros of a sparse W),  y = sum_w' t2_w' R_w'^T  (skipped where identity).
// Orthonormal frames make one slice of each environment of a sum-of-terms operator the
// identity, so the outer stages cost about half of a dense contraction.
template <class T>
struct LocalOp {
    Index la, ra, n, m, wl, wr, lk, rk;  // bra ranks la, ra; sizes n (out), m (in); MPO ranks; ket ranks
    template <class WT>
    LocalOp(const T3<T>& L, const WT& W, const T3<T>& R)
        : la(L.dimension(0)), ra(R.dimension(0)), n(W.dimension(1)), m(W.dimension(2)), wl(W.dimension(0)),
          wr(W.dimension(3)), lk(L.dimension(2)), rk(R.dimension(2)), Ls_(env_slices(L)), Rs_(env_slices(R)),
          mid_(W) {}
    // x: lk * m * rk entries (a, j, b); y: la * n * ra entries (a', i, b')
    void apply(const T* x, T* y) const {
        const Mat<T> t2 = mid_(env_stage(Ls_, Eigen::Map<const Mat<T>>(x, lk, m * rk), la), rk);
        Eigen::Map<Mat<T>> Y(y, la * n, ra);
        for (Index w2 = 0; w2 < wr; ++w2) {
            const Eigen::Map<const Mat<T>> T2(t2.data() + la * n * rk * w2, la * n, rk);
            const Mat<T>& Rw = Rs_[(std::size_t)w2];
            if (w2 == 0) {
                if (Rw.size() == 0) Y = T2;
                else Y.noalias() = T2 * Rw.transpose();
            } else {
                if (Rw.size() == 0) Y += T2;
                else Y.noalias() += T2 * Rw.transpose();
            }
        }
    }
    Vec<T> operator()(const Vec<T>& x) const {
        Vec<T> y(la * n * ra);
        apply(x.data(), y.data());
        return y;
    }

  private:
    std::vector<Mat<T>> Ls_, Rs_;  // L_w (la x lk) and R_w' (ra x rk); empty: the identity
    MidOp<T> mid_;
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
