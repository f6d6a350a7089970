// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Two-site DMRG for the lowest eigenpair of a symmetric TT-matrix (White 1992; Schollwoeck 2011,
// sec. 6). The state is kept orthogonal around the two active cores; the operator restricted to
// them is applied through the left and right environments (never formed) inside a Lanczos
// solver; the optimized pair is split by a truncated SVD, which sets the new bond rank.
#include "arithmetic.hpp"
#include "environments.hpp"
#include "linalg.hpp"
#include "orthogonalize.hpp"
#include "random.hpp"
#include "tt_matrix.hpp"

#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace tensortrain {

struct DmrgProgress {
    Index sweep = 0;        // half-sweeps done
    double energy = 0;      // after this half-sweep
    double truncation = 0;  // largest discarded weight (relative, squared) of its SVDs
    Index max_rank = 0;
};

struct DmrgOptions {
    Index max_rank = 64;
    double rtol = 1e-10;        // SVD truncation: discarded singular values below rtol (relative)
    Index n_sweeps = 10;        // at most this many full sweeps (left-right-left)
    double tol = 1e-10;         // converged when a full sweep changes the energy by less (relative)
    Index krylov = 40;          // Lanczos vectors per local solve
    Index init_rank = 4;        // rank of the random start (without x0)
    std::uint64_t seed = 0;
    std::function<bool(const DmrgProgress&)> callback;  // true: stop
};

template <class T>
struct DmrgResult {
    T energy = T(0);
    TensorTrain<T> state;  // unit norm
    std::vector<double> energies;             // after each half-sweep
    std::vector<double> truncation_errors;    // largest discarded weight per half-sweep
    Index n_sweeps = 0;                       // half-sweeps
    bool converged = false;
    std::string stop_reason;                  // converged, n_sweeps, callback
};

namespace detail {

template <class T>
using Ten3 = env::T3<T>;
template <class T>
using Ten4 = env::T4<T>;
using IdxPair = env::P;

// Lowest eigenpair of the symmetric operator apply (n x n, given as y = A x) by Lanczos with
// full reorthogonalization and restarts from the Ritz vector; x is the start and the result.
template <class T, class Apply>
T lanczos_lowest(const Apply& apply, Vec<T>& x, Index m, double tol, Index restarts = 4) {
    const Index n = x.size();
    m = std::max<Index>(1, std::min(m, n));
    T theta = T(0);
    for (Index rs = 0; rs <= restarts; ++rs) {
        Mat<T> V(n, m);
        std::vector<T> alpha, beta;
        T nx = x.norm();
        if (!(nx > 0)) {
            x.setRandom();
            nx = x.norm();
        }
        V.col(0) = x / nx;
        Index j = 0;
        Vec<T> w(n);
        for (;; ++j) {
            apply(V.col(j), w);
            const T a = V.col(j).dot(w);
            alpha.push_back(a);
            // full reorthogonalization, twice
            for (int pass = 0; pass < 2; ++pass) w -= V.leftCols(j + 1) * (V.leftCols(j + 1).transpose() * w);
            const T b = w.norm();
            if (j + 1 == m || !(b > T(1e-12) * std::max(std::abs(a), T(1)))) break;
            // Ritz residual estimate |b * s_last| of the lowest Ritz pair: stop as soon as it is
            // small (a converged start, late in the sweeps, needs only a few steps)
            if (j >= 1) {
                Mat<T> Tj = Mat<T>::Zero(j + 1, j + 1);
                for (Index i = 0; i <= j; ++i) Tj(i, i) = alpha[(std::size_t)i];
                for (Index i = 0; i < j; ++i) Tj(i, i + 1) = Tj(i + 1, i) = beta[(std::size_t)i];
                Eigen::SelfAdjointEigenSolver<Mat<T>> es(Tj);
                const T th = es.eigenvalues()(0);
                if (std::abs(b * es.eigenvectors()(j, 0)) <= T(tol) * std::max(std::abs(th), T(1))) break;
            }
            beta.push_back(b);
            V.col(j + 1) = w / b;
        }
        const Index k = j + 1;
        Mat<T> Tm = Mat<T>::Zero(k, k);
        for (Index i = 0; i < k; ++i) Tm(i, i) = alpha[(std::size_t)i];
        for (Index i = 0; i + 1 < k; ++i) Tm(i, i + 1) = Tm(i + 1, i) = beta[(std::size_t)i];
        Eigen::SelfAdjointEigenSolver<Mat<T>> es(Tm);
        theta = es.eigenvalues()(0);
        x = V.leftCols(k) * es.eigenvectors().col(0);
        x.normalize();
        apply(x, w);
        const T res = (w - theta * x).norm();
        if (res <= T(10 * tol) * std::max(std::abs(theta), T(1))) break;
    }
    return theta;
}

template <class T>
class Dmrg {
  public:
    Dmrg(const TTMatrix<T>& A, const DmrgOptions& o) : A_(A), o_(o), d_(A.ndim()) {}

    DmrgResult<T> run(TensorTrain<T> x) {
        DmrgResult<T> res;
        res.stop_reason = "n_sweeps";
        x_ = std::move(x);
        right_orthogonalize(x_, 0);
        x_.core(0).left() /= x_.core(0).left().norm();
        EL_.assign((std::size_t)d_ + 1, Ten3<T>());
        ER_.assign((std::size_t)d_ + 1, Ten3<T>());
        EL_[0] = Ten3<T>(1, 1, 1);
        EL_[0].setConstant(T(1));
        ER_[(std::size_t)d_] = Ten3<T>(1, 1, 1);
        ER_[(std::size_t)d_].setConstant(T(1));
        for (Index k = d_ - 1; k >= 1; --k) update_right(k);
        double prev_sweep = std::numeric_limits<double>::quiet_NaN();
        T energy = T(0);
        for (Index hs = 0; hs < 2 * o_.n_sweeps; ++hs) {
            const bool forward = hs % 2 == 0;
            double trunc = 0;
            if (d_ == 1) {
                energy = solve_one_site();
            } else if (forward) {
                for (Index k = 0; k + 1 < d_; ++k) energy = step(k, true, trunc);
            } else {
                for (Index k = d_ - 2; k >= 0; --k) energy = step(k, false, trunc);
            }
            res.energies.push_back((double)energy);
            res.truncation_errors.push_back(trunc);
            ++res.n_sweeps;
            DmrgProgress pr{res.n_sweeps, (double)energy, trunc, x_.max_rank()};
            if (!forward || d_ == 1) {
                const double e = (double)energy;
                if (std::abs(e - prev_sweep) <= o_.tol * std::max(1.0, std::abs(e)) || d_ == 1) {
                    res.converged = true;
                    res.stop_reason = "converged";
                    break;
                }
                prev_sweep = e;
            }
            if (o_.callback && o_.callback(pr)) {
                res.stop_reason = "callback";
                break;
            }
        }
        res.energy = energy;
        res.state = std::move(x_);
        return res;
    }

  private:
    Eigen::TensorMap<const Ten4<T>> W(Index k) const { return env::core4(A_, k); }
    void update_left(Index k) {
        EL_[(std::size_t)k + 1] = env::left3<T>(EL_[(std::size_t)k], x_.core(k), W(k), x_.core(k));
    }
    void update_right(Index k) {
        ER_[(std::size_t)k] = env::right3<T>(ER_[(std::size_t)k + 1], x_.core(k), W(k), x_.core(k));
    }
    // y = H_eff theta for the pair (k, k+1); theta (rl, n1, n2, rr).
    void apply_pair(Index k, const T* th, T* y, Index rl, Index n1, Index n2, Index rr) const {
        Eigen::TensorMap<const Ten4<T>> t(th, rl, n1, n2, rr);
        const Eigen::Tensor<T, 5> t1 = EL_[(std::size_t)k].contract(t, Eigen::array<IdxPair, 1>{IdxPair(2, 0)});  // a' w i j b
        const Eigen::Tensor<T, 5> t2 = t1.contract(W(k), Eigen::array<IdxPair, 2>{IdxPair(1, 0), IdxPair(2, 2)});  // a' j b i' w2
        const Eigen::Tensor<T, 5> t3 =
            t2.contract(W(k + 1), Eigen::array<IdxPair, 2>{IdxPair(4, 0), IdxPair(1, 2)});  // a' b i' j' w3
        Eigen::TensorMap<Ten4<T>> out(y, rl, n1, n2, rr);
        out = t3.contract(ER_[(std::size_t)k + 2], Eigen::array<IdxPair, 2>{IdxPair(4, 1), IdxPair(1, 2)});  // a' i' j' b'
    }

    T step(Index k, bool forward, double& trunc) {
        const Core<T>& G0 = x_.core(k);
        const Core<T>& G1 = x_.core(k + 1);
        const Index rl = G0.r0(), n1 = G0.n(), n2 = G1.n(), rr = G1.r1();
        // theta = G0 G1 as (rl n1) x (n2 rr)
        Mat<T> th = G0.left() * G1.right();
        Vec<T> v = Eigen::Map<Vec<T>>(th.data(), th.size());
        const auto apply = [&](const auto& in, Vec<T>& out) {  // in: a vector or a column (contiguous)
            out.resize(in.size());
            apply_pair(k, in.data(), out.data(), rl, n1, n2, rr);
        };
        const T e = lanczos_lowest<T>(apply, v, o_.krylov, std::max(o_.tol, 1e-14));
        Mat<T> M = Eigen::Map<const Mat<T>>(v.data(), rl * n1, n2 * rr), U, VT;
        Vec<real_t<T>> s;
        linalg::svd(M, U, s, VT);
        const real_t<T> total = s.norm();
        real_t<T> err2 = 0;
        const Index r = linalg::truncation_rank(s, real_t<T>(o_.rtol) * total, std::max<Index>(1, o_.max_rank), err2);
        trunc = std::max(trunc, total > 0 ? (double)(err2 / (total * total)) : 0.0);
        const Vec<T> sr = s.head(r).template cast<T>() / s.head(r).norm();  // keep unit norm
        if (forward) {
            x_.core(k) = Core<T>::from_left(rl, n1, U.leftCols(r));
            x_.core(k + 1) = Core<T>::from_right(n2, rr, sr.asDiagonal() * VT.topRows(r));
            update_left(k);
        } else {
            x_.core(k + 1) = Core<T>::from_right(n2, rr, VT.topRows(r));
            x_.core(k) = Core<T>::from_left(rl, n1, U.leftCols(r) * sr.asDiagonal());
            update_right(k + 1);
        }
        return e;
    }

    T solve_one_site() {
        Core<T>& G = x_.core(0);
        Vec<T> v = Eigen::Map<const Vec<T>>(G.data(), G.size());
        const Mat<T> H = Eigen::Map<const Mat<T>>(A_.tt().core(0).data(), G.n(), G.n());
        Eigen::SelfAdjointEigenSolver<Mat<T>> es(H);
        v = es.eigenvectors().col(0);
        Eigen::Map<Vec<T>>(G.data(), G.size()) = v;
        return es.eigenvalues()(0);
    }

    const TTMatrix<T>& A_;
    DmrgOptions o_;
    Index d_;
    TensorTrain<T> x_;
    std::vector<Ten3<T>> EL_, ER_;
};

}  // namespace detail

// Lowest eigenvalue and eigenvector of the symmetric TT-matrix A by two-site DMRG. x0 (optional,
// nonzero, shape = A's column sizes) is the start; otherwise a random train of rank init_rank.
template <class T>
DmrgResult<T> eigsh(const TTMatrix<T>& A, const DmrgOptions& o = {}, const TensorTrain<T>* x0 = nullptr) {
    static_assert(!is_complex_v<T>, "eigsh: real symmetric operators only");
    const Index d = A.ndim();
    TT_REQUIRE(d >= 1, "eigsh: empty operator");
    TT_REQUIRE(A.row_dims() == A.col_dims(), "eigsh: the operator must be square with equal row and column mode ",
               "sizes, got rows ", detail::vec_str(A.row_dims()), " and columns ", detail::vec_str(A.col_dims()));
    TT_REQUIRE(o.max_rank >= 1, "eigsh: max_rank must be >= 1, got ", o.max_rank);
    TT_REQUIRE(o.rtol >= 0 && std::isfinite(o.rtol), "eigsh: rtol must be a finite number >= 0, got ", o.rtol);
    TT_REQUIRE(o.tol >= 0 && std::isfinite(o.tol), "eigsh: tol must be a finite number >= 0, got ", o.tol);
    TT_REQUIRE(o.n_sweeps >= 1, "eigsh: n_sweeps must be >= 1, got ", o.n_sweeps);
    TT_REQUIRE(o.krylov >= 2, "eigsh: krylov must be >= 2, got ", o.krylov);
    TT_REQUIRE(o.init_rank >= 1, "eigsh: init_rank must be >= 1, got ", o.init_rank);
    for (Index k = 0; k < d; ++k)
        TT_REQUIRE(A.tt().core(k).left().allFinite(), "eigsh: the operator has non-finite entries in core ", k);
    // Symmetry, checked in the TT format: ||A - A^T|| <= 1e-10 ||A||.
    const double na = (double)norm(A.tt());
    TT_REQUIRE(na > 0, "eigsh: the operator is zero");
    const double asym = (double)norm(add(A.tt(), transpose(A).tt(), T(1), T(-1)));
    TT_REQUIRE(asym <= 1e-10 * na, "eigsh: the operator is not symmetric (||A - A^T|| / ||A|| = ", asym / na,
               "); eigsh needs a symmetric TT-matrix");
    TensorTrain<T> x;
    if (x0) {
        TT_REQUIRE(x0->shape() == A.col_dims(), "eigsh: x0 has shape ", detail::vec_str(x0->shape()),
                   ", the operator acts on shape ", detail::vec_str(A.col_dims()));
        const double nx = (double)norm(*x0);
        TT_REQUIRE(nx > 0 && std::isfinite(nx), "eigsh: x0 must be a nonzero finite train");
        x = *x0;
    } else {
        std::vector<Index> ranks((std::size_t)d + 1, 1);
        for (Index k = 1; k < d; ++k) ranks[(std::size_t)k] = o.init_rank;
        x = random_tt<T>(A.col_dims(), ranks, o.seed);
    }
    detail::Dmrg<T> run(A, o);
    return run.run(std::move(x));
}

}  // namespace tensortrain
