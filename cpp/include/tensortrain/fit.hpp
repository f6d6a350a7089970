// SPDX-License-Identifier: BSD-3-Clause
// Products and sums fitted by sweeps: y ~ sum_t c_t A_t x_t (A_t a TT-matrix or the identity) at
// a target rank, without forming the exact result, whose rank is the sum of the terms' rank
// products. Two-site sweeps: y is kept orthogonal around two neighbouring cores, and the best
// two-site block for the fixed rest is the projection of the sum onto that local basis, i.e.
// the contraction of each term with the left and right environments (environments.hpp). The
// block is split by a truncated SVD, which sets the bond rank (rtol, max_rank). A sweep costs
// O(d r^3 n^2 (r_A r_x)) per term instead of the O(d (r_A r_x)^3 n) of rounding the exact result.
#pragma once

#include "arithmetic.hpp"
#include "environments.hpp"
#include "linalg.hpp"
#include "orthogonalize.hpp"
#include "random.hpp"

#include <string>
#include <vector>

namespace tensortrain {

struct FitOptions {
    double rtol = 1e-10;   // SVD truncation of each two-site block (relative, spread over d-1 splits)
    Index max_rank = 64;   // largest bond rank of the result
    Index n_sweeps = 4;    // at most this many sweeps (left to right and back)
    double tol = -1;       // stop when a sweep changes y by less (relative); < 0: rtol
    Index init_rank = 2;   // rank of the random start (without y0)
    std::uint64_t seed = 0;
};

template <class T>
struct FitResult {
    TensorTrain<T> y;
    std::vector<double> changes;  // ||y - y_prev|| / ||y|| after each sweep
    Index n_sweeps = 0;
    bool converged = false;
    std::string stop_reason;  // converged, n_sweeps
};

// One term c * A x of the sum (A null: the identity).
template <class T>
struct FitTerm {
    T coef = T(1);
    const TTMatrix<T>* A = nullptr;
    const TensorTrain<T>* x = nullptr;
};

namespace detail {

template <class T>
class SumFit {
  public:
    SumFit(const std::vector<FitTerm<T>>& terms, const FitOptions& o) : terms_(terms), o_(o) {
        d_ = terms.front().x->ndim();
        shape_ = terms.front().A ? terms.front().A->row_dims() : terms.front().x->shape();
    }

    FitResult<T> run(TensorTrain<T> y) {
        using namespace env;
        FitResult<T> res;
        res.stop_reason = "n_sweeps";
        const double tol = o_.tol < 0 ? o_.rtol : o_.tol;
        const std::size_t nt = terms_.size();
        L3_.assign(nt, std::vector<T3<T>>((std::size_t)d_ + 1));
        R3_ = L3_;
        L2_.assign(nt, std::vector<T2<T>>((std::size_t)d_ + 1));
        R2_ = L2_;
        for (std::size_t t = 0; t < nt; ++t) {
            L3_[t][0] = R3_[t][(std::size_t)d_] = ones3<T>();
            L2_[t][0] = R2_[t][(std::size_t)d_] = ones2<T>();
        }
        if (d_ == 1) {  // the sum itself, one core
            y.core(0) = block(0, true);
            res.y = std::move(y);
            res.converged = true;
            res.stop_reason = "converged";
            return res;
        }
        right_orthogonalize(y, 0);
        for (Index k = d_ - 1; k >= 2; --k) push_right(y, k);
        for (Index s = 0; s < o_.n_sweeps; ++s) {
            const TensorTrain<T> prev = y;
            for (Index k = 0; k + 1 < d_; ++k) {  // left to right: core k left-orthogonal
                split(y, k, true);
                push_left(y, k);
            }
            for (Index k = d_ - 2; k >= 0; --k) {  // and back: core k+1 right-orthogonal
                split(y, k, false);
                if (k > 0) push_right(y, k + 1);
            }
            const double ny = (double)norm(y);
            const double change = ny > 0 ? (double)norm(add(y, prev, T(1), T(-1))) / ny : 0.0;
            res.changes.push_back(change);
            ++res.n_sweeps;
            if (change <= tol) {
                res.converged = true;
                res.stop_reason = "converged";
                break;
            }
        }
        res.y = std::move(y);
        return res;
    }

  private:
    // The two-site block (one-site when single) at cores k, k+1: sum_t c_t (projection of term t).
    // Layout (a', i + n_k j, b'), the layout of the merged core.
    Core<T> block(Index k, bool single) {
        using namespace env;
        const std::size_t kk = (std::size_t)k, k2 = kk + (single ? 1 : 2);
        Core<T> out;
        for (std::size_t t = 0; t < terms_.size(); ++t) {
            const FitTerm<T>& term = terms_[t];
            const Core<T> X = single ? term.x->core(k) : merge(term.x->core(k), term.x->core(k + 1));
            T3<T> f;
            if (term.A) {
                const T4<T> W = single ? T4<T>(core4(*term.A, k)) : merge4(*term.A, k);
                const LocalOp<T> op(L3_[t][kk], W, R3_[t][k2]);
                f = T3<T>(op.la, op.n, op.ra);
                op.apply(X.data(), f.data());
            } else {
                f = rhs2<T>(L2_[t][kk], X, R2_[t][k2]);
            }
            if (t == 0) out = Core<T>(f.dimension(0), f.dimension(1), f.dimension(2));  // zeros
            out.vec() += term.coef * Eigen::Map<const Vec<T>>(f.data(), f.size());
        }
        return out;
    }

    static Core<T> merge(const Core<T>& a, const Core<T>& b) {
        Core<T> m(a.r0(), a.n() * b.n(), b.r1(), Uninitialized{});
        Eigen::Map<Mat<T>>(m.data(), a.r0() * a.n(), b.n() * b.r1()).noalias() = a.left() * b.right();
        return m;
    }
    // TT-matrix cores k and k+1 as one (wl, m_k m_{k+1}, n_k n_{k+1}, wr), first index fastest.
    static env::T4<T> merge4(const TTMatrix<T>& A, Index k) {
        using namespace env;
        const auto Wa = core4(A, k);
        const auto Wb = core4(A, k + 1);
        const T6 t = Wa.contract(Wb, Eigen::array<P, 1>{P(3, 0)});  // wl i1 j1 i2 j2 wr
        const T6 s = t.shuffle(Eigen::array<int, 6>{0, 1, 3, 2, 4, 5});
        return s.reshape(Eigen::array<Eigen::Index, 4>{Wa.dimension(0), Wa.dimension(1) * Wb.dimension(1),
                                                       Wa.dimension(2) * Wb.dimension(2), Wb.dimension(3)});
    }
    using T6 = Eigen::Tensor<T, 6>;

    // Optimal block at (k, k+1), split by a truncated SVD; the orthogonal factor stays on the
    // side the sweep leaves behind.
    void split(TensorTrain<T>& y, Index k, bool forward) {
        const Core<T> B = block(k, false);
        const Index n1 = shape_[(std::size_t)k], n2 = shape_[(std::size_t)k + 1];
        const Index ly = B.r0(), ry = B.r1();
        Mat<T> M = Eigen::Map<const Mat<T>>(B.data(), ly * n1, n2 * ry), U, VT;
        Vec<real_t<T>> s;
        linalg::svd(M, U, s, VT);
        real_t<T> err2 = 0;
        const double share = 1.0 / std::sqrt((double)std::max<Index>(1, d_ - 1));
        const Index r = std::max<Index>(
            1, linalg::truncation_rank(s, real_t<T>(o_.rtol * share) * s.norm(), std::max<Index>(1, o_.max_rank), err2));
        if (forward) {
            y.core(k) = Core<T>::from_left(ly, n1, U.leftCols(r));
            y.core(k + 1) = Core<T>::from_right(n2, ry, s.head(r).template cast<T>().asDiagonal() * VT.topRows(r));
        } else {
            y.core(k) = Core<T>::from_left(ly, n1, U.leftCols(r) * s.head(r).template cast<T>().asDiagonal());
            y.core(k + 1) = Core<T>::from_right(n2, ry, VT.topRows(r));
        }
    }

    // The bra side of the environments: y's core, conjugated for complex trains (the projection
    // onto an orthonormal basis Y is Y^H); real cores are used as they are, without a copy.
    static const Core<T>& bra(const Core<T>& c, Core<T>& tmp) {
        if constexpr (!is_complex_v<T>) {
            return c;
        } else {
            tmp = c;
            tmp.vec() = tmp.vec().conjugate();
            return tmp;
        }
    }

    void push_left(const TensorTrain<T>& y, Index k) {
        using namespace env;
        Core<T> tmp;
        const Core<T>& Y = bra(y.core(k), tmp);
        for (std::size_t t = 0; t < terms_.size(); ++t) {
            const FitTerm<T>& term = terms_[t];
            if (term.A)
                L3_[t][(std::size_t)k + 1] = left3<T>(L3_[t][(std::size_t)k], Y, core4(*term.A, k), term.x->core(k));
            else
                L2_[t][(std::size_t)k + 1] = left2<T>(L2_[t][(std::size_t)k], Y, term.x->core(k));
        }
    }
    void push_right(const TensorTrain<T>& y, Index k) {
        using namespace env;
        Core<T> tmp;
        const Core<T>& Y = bra(y.core(k), tmp);
        for (std::size_t t = 0; t < terms_.size(); ++t) {
            const FitTerm<T>& term = terms_[t];
            if (term.A)
                R3_[t][(std::size_t)k] = right3<T>(R3_[t][(std::size_t)k + 1], Y, core4(*term.A, k), term.x->core(k));
            else
                R2_[t][(std::size_t)k] = right2<T>(R2_[t][(std::size_t)k + 1], Y, term.x->core(k));
        }
    }

    const std::vector<FitTerm<T>>& terms_;
    FitOptions o_;
    Index d_ = 0;
    std::vector<Index> shape_;
    std::vector<std::vector<env::T3<T>>> L3_, R3_;
    std::vector<std::vector<env::T2<T>>> L2_, R2_;
};

}  // namespace detail

// y ~ sum_t c_t A_t x_t fitted by two-site sweeps (see above); y0 (optional) is the start,
// otherwise a random train of rank init_rank.
template <class T>
FitResult<T> fit_sum(const std::vector<FitTerm<T>>& terms, const FitOptions& o = {}, const TensorTrain<T>* y0 = nullptr) {
    TT_REQUIRE(!terms.empty(), "fit: no terms");
    TT_REQUIRE(o.rtol >= 0 && std::isfinite(o.rtol), "fit: rtol must be a finite number >= 0, got ", o.rtol);
    TT_REQUIRE(o.max_rank >= 1, "fit: max_rank must be >= 1, got ", o.max_rank);
    TT_REQUIRE(o.n_sweeps >= 1, "fit: n_sweeps must be >= 1, got ", o.n_sweeps);
    TT_REQUIRE(o.init_rank >= 1, "fit: init_rank must be >= 1, got ", o.init_rank);
    std::vector<Index> shape;
    for (std::size_t t = 0; t < terms.size(); ++t) {
        const FitTerm<T>& term = terms[t];
        TT_REQUIRE(term.x != nullptr, "fit: term ", t, " has no train");
        std::vector<Index> out = term.x->shape();
        if (term.A) {
            TT_REQUIRE(term.A->col_dims() == term.x->shape(), "fit: term ", t, ": the operator has column sizes ",
                       detail::vec_str(term.A->col_dims()), ", the train has shape ", detail::vec_str(term.x->shape()));
            out = term.A->row_dims();
        }
        if (t == 0) shape = out;
        TT_REQUIRE(out == shape, "fit: term ", t, " has shape ", detail::vec_str(out), ", term 0 has ",
                   detail::vec_str(shape));
    }
    TensorTrain<T> y;
    if (y0) {
        TT_REQUIRE(y0->shape() == shape, "fit: y0 has shape ", detail::vec_str(y0->shape()), ", expected ",
                   detail::vec_str(shape));
        y = *y0;
    } else {
        y = random_tt<T>(shape, capped_ranks(shape, o.init_rank), o.seed);
    }
    detail::SumFit<T> run(terms, o);
    return run.run(std::move(y));
}

}  // namespace tensortrain
