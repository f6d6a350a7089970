// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Two-site DMRG for the lowest eigenpairs of a symmetric TT-matrix (White 1992; Schollwoeck 2011,
// sec. 6). The state is kept orthogonal around the two active cores; the operator restricted to
// them is applied through the left and right environments (never formed) inside a Lanczos
// solver; the optimized pair is split by a truncated SVD, which sets the new bond rank. Excited
// states come one after another from A + w sum_i |psi_i><psi_i| over the states found before
// (the penalty method, e.g. Stoudenmire & White 2012), then a Rayleigh-Ritz step in their span.
#include "arithmetic.hpp"
#include "environments.hpp"
#include "linalg.hpp"
#include "orthogonalize.hpp"
#include "random.hpp"
#include "round.hpp"
#include "tt_matrix.hpp"

#include <algorithm>
#include <functional>
#include <initializer_list>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

namespace tensortrain {

// A value per full sweep: one number for all sweeps, or a list whose last value repeats, e.g.
// max_rank {16, 32, 64}: cheap early sweeps while the state is still far from converged.
template <class V>
struct SweepSchedule {
    std::vector<V> values;
    SweepSchedule(V v) : values{v} {}  // NOLINT: implicit, so `o.max_rank = 32` keeps working
    SweepSchedule(std::initializer_list<V> l) : values(l) {}
    SweepSchedule(std::vector<V> v) : values(std::move(v)) {}  // NOLINT
    V at(Index sweep) const {
        return values[(std::size_t)std::min<Index>(std::max<Index>(sweep, 0), (Index)values.size() - 1)];
    }
    V last() const { return values.back(); }
};

struct DmrgProgress {
    Index sweep = 0;        // half-sweeps done on this state
    double energy = 0;      // <x|A|x> after this half-sweep
    double truncation = 0;  // largest discarded weight (relative, squared) of its SVDs
    Index max_rank = 0;
    Index state = 0;        // which eigenpair (0: the lowest)
};

struct DmrgOptions {
    SweepSchedule<Index> max_rank = 64;  // per full sweep, the last value repeats
    SweepSchedule<double> rtol = 1e-10;  // SVD truncation (relative), per full sweep likewise
    Index n_sweeps = 10;        // at most this many full sweeps (left-right-left) per state
    double tol = 1e-10;         // converged when a full sweep changes the energy by less (relative)
    Index krylov = 40;          // Lanczos vectors per local solve
    Index init_rank = 4;        // rank of the random start (without x0)
    Index k = 1;                // number of eigenpairs, the lowest
    double penalty = 0;         // weight w of the earlier states' projector (k > 1); 0: automatic
    std::uint64_t seed = 0;     // state j starts from random_tt(seed + j)
    std::function<bool(const DmrgProgress&)> callback;  // true: stop
};

template <class T>
struct DmrgResult {
    T energy = T(0);                      // energies[0]
    TensorTrain<T> state;                 // states[0]
    std::vector<T> energies;              // ascending: <states[i]|A|states[i]>
    std::vector<TensorTrain<T>> states;   // unit norm, orthogonal (k > 1: Ritz vectors, rounded)
    std::vector<std::vector<double>> sweep_energies;     // per state: energy after each half-sweep
    std::vector<std::vector<double>> truncation_errors;  // per state: largest discarded weight per half-sweep
    Index n_sweeps = 0;                   // half-sweeps, all states together
    bool converged = false;               // every state converged
    std::string stop_reason;              // converged, n_sweeps, callback, dependent (k > 1: the
                                          // states came out nearly parallel; penalty too small)
};

namespace detail {

template <class T>
using Ten3 = env::T3<T>;
template <class T>
using Ten4 = env::T4<T>;
using IdxPair = env::P;

// Lowest eigenpair of the symmetric operator apply (n x n, given as y = A x) by Lanczos with
// full reorthogonalization and restarts from the Ritz vector; x is the start and the result.
// Stops on a small Ritz residual, or when the lowest Ritz value has not moved (relative tol)
// over the last three steps.
template <class T, class Apply>
T lanczos_lowest(const Apply& apply, Vec<T>& x, Index m, double tol, Index restarts = 4) {
    const Index n = x.size();
    m = std::max<Index>(1, std::min(m, n));
    T theta = T(0);
    for (Index rs = 0; rs <= restarts; ++rs) {
        Mat<T> V(n, m);
        std::vector<T> alpha, beta, ths;
        bool stalled = false;
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
                // The Ritz value can stall while the residual stays above tol when the lowest
                // level is a cluster split by little (a degenerate excited level for k > 1, the
                // triplet of a spin chain): the value, what the sweep needs, has converged then,
                // and the direction inside the cluster does not matter.
                ths.push_back(th);
                if (ths.size() >= 4 && ths[ths.size() - 4] - th <= T(tol) * std::max(std::abs(th), T(1))) {
                    stalled = true;
                    break;
                }
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
        if (stalled) break;
        apply(x, w);
        const T res = (w - theta * x).norm();
        if (res <= T(10 * tol) * std::max(std::abs(theta), T(1))) break;
    }
    return theta;
}

// One state's sweeps.
template <class T>
struct DmrgRun {
    T energy = T(0);
    TensorTrain<T> state;
    std::vector<double> energies, truncation_errors;
    Index n_sweeps = 0;
    bool converged = false;
    std::string stop_reason;
};

template <class T>
class Dmrg {
  public:
    // prev: the states found before (unit norm), penalized with weight w; index: this state's number.
    Dmrg(const TTMatrix<T>& A, const DmrgOptions& o, const std::vector<TensorTrain<T>>& prev, double w, Index index)
        : A_(A), o_(o), d_(A.ndim()), prev_(&prev), w_(T(w)), index_(index) {}

    DmrgRun<T> run(TensorTrain<T> x) {
        DmrgRun<T> res;
        res.stop_reason = "n_sweeps";
        x_ = std::move(x);
        right_orthogonalize(x_, 0);
        x_.core(0).left() /= x_.core(0).left().norm();
        EL_.assign((std::size_t)d_ + 1, Ten3<T>());
        ER_.assign((std::size_t)d_ + 1, Ten3<T>());
        EL_[0] = env::ones3<T>();
        ER_[(std::size_t)d_] = env::ones3<T>();
        OL_.assign(prev_->size(), std::vector<env::T2<T>>((std::size_t)d_ + 1));
        OR_.assign(prev_->size(), std::vector<env::T2<T>>((std::size_t)d_ + 1));
        for (std::size_t i = 0; i < prev_->size(); ++i) {
            OL_[i][0] = env::ones2<T>();
            OR_[i][(std::size_t)d_] = env::ones2<T>();
        }
        for (Index k = d_ - 1; k >= 1; --k) update_right(k);
        double prev_sweep = std::numeric_limits<double>::quiet_NaN();
        T energy = T(0), objective = T(0);
        for (Index hs = 0; hs < 2 * o_.n_sweeps; ++hs) {
            const bool forward = hs % 2 == 0;
            max_rank_ = std::max<Index>(1, o_.max_rank.at(hs / 2));
            rtol_ = o_.rtol.at(hs / 2);
            double trunc = 0;
            if (d_ == 1) {
                objective = solve_one_site(energy);
            } else if (forward) {
                for (Index k = 0; k + 1 < d_; ++k) objective = step(k, true, trunc, energy);
            } else {
                for (Index k = d_ - 2; k >= 0; --k) objective = step(k, false, trunc, energy);
            }
            res.energies.push_back((double)energy);
            res.truncation_errors.push_back(trunc);
            ++res.n_sweeps;
            DmrgProgress pr{res.n_sweeps, (double)energy, trunc, x_.max_rank(), index_};
            if (!forward || d_ == 1) {
                // the penalized energy is the variational quantity of this run (the energy itself
                // for the lowest state)
                const double e = (double)objective;
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
        for (std::size_t i = 0; i < prev_->size(); ++i)
            OL_[i][(std::size_t)k + 1] = env::left2<T>(OL_[i][(std::size_t)k], x_.core(k), (*prev_)[i].core(k));
    }
    void update_right(Index k) {
        ER_[(std::size_t)k] = env::right3<T>(ER_[(std::size_t)k + 1], x_.core(k), W(k), x_.core(k));
        for (std::size_t i = 0; i < prev_->size(); ++i)
            OR_[i][(std::size_t)k] = env::right2<T>(OR_[i][(std::size_t)k + 1], x_.core(k), (*prev_)[i].core(k));
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
    // The earlier states restricted to the current two-site basis (the columns): the basis is
    // orthonormal, so the penalty term of the local problem is w P P^T, applied without forming
    // it. Column i: p(a', s1, s2, b') = sum OL_i(a', a) psi_i[k](a, s1, c) psi_i[k+1](c, s2, b) OR_i(b', b).
    Mat<T> projected_prev(Index k, Index rl, Index n1, Index n2, Index rr) const {
        Mat<T> P(rl * n1 * n2 * rr, (Index)prev_->size());
        for (std::size_t i = 0; i < prev_->size(); ++i) {
            const Core<T>& Y0 = (*prev_)[i].core(k);
            const Core<T>& Y1 = (*prev_)[i].core(k + 1);
            const Mat<T> pair = Y0.left() * Y1.right();  // (ra n1) x (n2 rb)
            const Index ra = Y0.r0(), rb = Y1.r1();
            const env::T2<T>& L = OL_[i][(std::size_t)k];
            const env::T2<T>& R = OR_[i][(std::size_t)k + 2];
            const Mat<T> t = Eigen::Map<const Mat<T>>(L.data(), rl, ra) *
                             Eigen::Map<const Mat<T>>(pair.data(), ra, n1 * n2 * rb);  // a' x (s1 s2 b)
            Eigen::Map<Mat<T>>(P.col((Index)i).data(), rl * n1 * n2, rr).noalias() =
                Eigen::Map<const Mat<T>>(t.data(), rl * n1 * n2, rb) * Eigen::Map<const Mat<T>>(R.data(), rr, rb).transpose();
        }
        return P;
    }

    // Returns the lowest eigenvalue of the local (penalized) problem; energy: <x|A|x> of the new pair.
    T step(Index k, bool forward, double& trunc, T& energy) {
        const Core<T>& G0 = x_.core(k);
        const Core<T>& G1 = x_.core(k + 1);
        const Index rl = G0.r0(), n1 = G0.n(), n2 = G1.n(), rr = G1.r1();
        // theta = G0 G1 as (rl n1) x (n2 rr)
        Mat<T> th = G0.left() * G1.right();
        Vec<T> v = Eigen::Map<Vec<T>>(th.data(), th.size());
        const Mat<T> P = projected_prev(k, rl, n1, n2, rr);
        const auto apply = [&](const auto& in, Vec<T>& out) {  // in: a vector or a column (contiguous)
            out.resize(in.size());
            apply_pair(k, in.data(), out.data(), rl, n1, n2, rr);
            if (P.cols() > 0) out.noalias() += P * (w_ * (P.transpose() * in));
        };
        const T e = lanczos_lowest<T>(apply, v, o_.krylov, std::max(o_.tol, 1e-14));
        energy = P.cols() > 0 ? e - w_ * (P.transpose() * v).squaredNorm() : e;
        Mat<T> M = Eigen::Map<const Mat<T>>(v.data(), rl * n1, n2 * rr), U, VT;
        Vec<real_t<T>> s;
        linalg::svd(M, U, s, VT);
        const real_t<T> total = s.norm();
        real_t<T> err2 = 0;
        const Index r = linalg::truncation_rank(s, real_t<T>(rtol_) * total, max_rank_, err2);
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

    // d = 1: the dense eigenproblem, the earlier states being plain vectors.
    T solve_one_site(T& energy) {
        Core<T>& G = x_.core(0);
        const Mat<T> H = Eigen::Map<const Mat<T>>(A_.tt().core(0).data(), G.n(), G.n());
        Mat<T> Hp = H;
        for (const auto& y : *prev_) Hp += w_ * y.core(0).vec() * y.core(0).vec().transpose();
        Eigen::SelfAdjointEigenSolver<Mat<T>> es(Hp);
        const Vec<T> v = es.eigenvectors().col(0);
        Eigen::Map<Vec<T>>(G.data(), G.size()) = v;
        energy = v.dot(H * v);
        return es.eigenvalues()(0);
    }

    const TTMatrix<T>& A_;
    DmrgOptions o_;
    Index d_;
    const std::vector<TensorTrain<T>>* prev_;
    T w_;
    Index index_;
    Index max_rank_ = 1;
    double rtol_ = 0;
    TensorTrain<T> x_;
    std::vector<Ten3<T>> EL_, ER_;
    std::vector<std::vector<env::T2<T>>> OL_, OR_;  // overlaps with each earlier state
};

// <y|A|x> through the left environments (no product train formed).
template <class T>
T bilinear(const TTMatrix<T>& A, const TensorTrain<T>& y, const TensorTrain<T>& x) {
    env::T3<T> L = env::ones3<T>();
    for (Index k = 0; k < A.ndim(); ++k) L = env::left3<T>(L, y.core(k), env::core4(A, k), x.core(k));
    return L(0, 0, 0);
}

// The projector weight w must exceed E_j - E_i for every pair of wanted levels, i.e. the width of
// the spectrum's low end. Twice the width estimated from a short low-rank run on -A is safely
// above it, yet not so large that the Lanczos solves slow down or lose digits (the cheap bound
// ||A||_F grows like 2^(d/2) on a spin chain).
template <class T>
double auto_penalty(const TTMatrix<T>& A, const DmrgOptions& o, double e0) {
    TTMatrix<T> neg = A;
    neg.tt().core(0).vec() *= T(-1);
    DmrgOptions q;
    q.max_rank = 8;
    q.n_sweeps = 2;
    q.tol = 1e-6;
    q.krylov = std::min<Index>(o.krylov, 20);
    q.init_rank = 2;
    std::vector<Index> ranks((std::size_t)A.ndim() + 1, 1);
    for (Index k = 1; k < A.ndim(); ++k) ranks[(std::size_t)k] = 2;
    const std::vector<TensorTrain<T>> none;
    Dmrg<T> top(neg, q, none, 0.0, 0);
    const double emax = -(double)top.run(random_tt<T>(A.col_dims(), ranks, o.seed + 0x9e3779b9u)).energy;
    const double width = std::max(0.0, emax - e0);
    return 2 * width + 1e-3 * std::max(std::abs(e0), std::abs(emax));
}

// In a cluster of equal Ritz values (columns a..a+g-1 of C) any rotation is a Ritz basis; take the
// one closest to the states themselves (orthogonal Procrustes on the rows of the g states with the
// largest weight), so that a combined train has about the rank of one state, not the sum.
template <class T>
void align_cluster(Mat<T>& C, Index a, Index g) {
    const Mat<T> M = C.middleCols(a, g);
    std::vector<Index> rows((std::size_t)M.rows());
    std::iota(rows.begin(), rows.end(), Index(0));
    std::stable_sort(rows.begin(), rows.end(),
                     [&](Index i, Index j) { return M.row(i).squaredNorm() > M.row(j).squaredNorm(); });
    rows.resize((std::size_t)g);
    std::sort(rows.begin(), rows.end());
    Mat<T> MI(g, g);
    for (Index r = 0; r < g; ++r) MI.row(r) = M.row(rows[(std::size_t)r]);
    Eigen::JacobiSVD<Mat<T>> svd(MI, Eigen::ComputeFullU | Eigen::ComputeFullV);
    C.middleCols(a, g) = M * (svd.matrixV() * svd.matrixU().transpose());
}

// Largest |<x_i|x_j>| / (||x_i|| ||x_j||), i != j.
template <class T>
double max_overlap(const std::vector<TensorTrain<T>>& xs) {
    double m = 0;
    for (std::size_t i = 0; i < xs.size(); ++i)
        for (std::size_t j = 0; j < i; ++j)
            m = std::max(m, (double)(std::abs(dot(xs[i], xs[j])) / (norm(xs[i]) * norm(xs[j]))));
    return m;
}

// Rayleigh-Ritz in the span of the states xs: A and the Gram matrix projected there (TT dot
// products), the Ritz vectors as combined trains rounded by so, unit norm, sorted by their
// Rayleigh quotients es; the states themselves when that rounding spoilt the orthogonality.
// False (states only normalized and sorted) when the states are nearly linearly dependent,
// which means the penalty failed to keep them apart.
template <class T>
bool rayleigh_ritz(const TTMatrix<T>& A, std::vector<TensorTrain<T>>& xs, std::vector<T>& es, const SvdOptions& so) {
    const Index m = (Index)xs.size();
    Mat<T> H(m, m), S(m, m);
    for (Index i = 0; i < m; ++i)
        for (Index j = 0; j <= i; ++j) {
            S(i, j) = S(j, i) = dot(xs[(std::size_t)i], xs[(std::size_t)j]);
            H(i, j) = H(j, i) = bilinear(A, xs[(std::size_t)i], xs[(std::size_t)j]);
        }
    Eigen::SelfAdjointEigenSolver<Mat<T>> ss(S);
    const bool independent = ss.eigenvalues()(0) > T(1e-8) * ss.eigenvalues()(m - 1);
    std::vector<TensorTrain<T>> out;
    if (independent) {
        // Loewdin: S^{-1/2} is the orthonormal basis of the span closest to the states
        const Mat<T> X = ss.eigenvectors() * ss.eigenvalues().cwiseSqrt().cwiseInverse().asDiagonal() *
                         ss.eigenvectors().transpose();
        const Mat<T> Hx = X * H * X;
        Eigen::SelfAdjointEigenSolver<Mat<T>> hs(Mat<T>((Hx + Hx.transpose()) / T(2)));
        Mat<T> C = X * hs.eigenvectors();
        const Vec<T>& lam = hs.eigenvalues();
        const T ctol = T(1e-9) * lam.cwiseAbs().maxCoeff();
        for (Index a = 0; a < m;) {
            Index b = a + 1;
            while (b < m && lam(b) - lam(b - 1) <= ctol) ++b;
            if (b - a > 1) align_cluster(C, a, b - a);
            a = b;
        }
        for (Index c = 0; c < m; ++c) {
            TensorTrain<T> y = scale(xs[0], C(0, c));
            for (Index j = 1; j < m; ++j) y = add(y, xs[(std::size_t)j], T(1), C(j, c));
            out.push_back(tensortrain::round(std::move(y), so).tt);
        }
        for (auto& y : out) y = scale(std::move(y), T(1) / T(norm(y)));
        // A max_rank that binds on the combinations can leave them less orthogonal than the
        // states themselves (max_rank 1: nearly parallel); keep the states then.
        if (max_overlap(out) > max_overlap(xs)) out = xs;
    } else {
        out = xs;
    }
    for (auto& y : out) y = scale(std::move(y), T(1) / T(norm(y)));
    std::vector<T> q;
    for (const auto& y : out) q.push_back(bilinear(A, y, y));
    std::vector<Index> order((std::size_t)m);
    std::iota(order.begin(), order.end(), Index(0));
    std::stable_sort(order.begin(), order.end(), [&](Index i, Index j) { return q[(std::size_t)i] < q[(std::size_t)j]; });
    xs.clear();
    es.clear();
    for (Index i : order) {
        xs.push_back(std::move(out[(std::size_t)i]));
        es.push_back(q[(std::size_t)i]);
    }
    return independent;
}

}  // namespace detail

// The k lowest eigenvalues and eigenvectors of the symmetric TT-matrix A by two-site DMRG
// (o.k; 1 by default). x0 (optional, nonzero, shape = A's column sizes) starts the lowest state;
// otherwise, and for the others, state j starts from a random train of rank init_rank (seed + j).
// For k > 1 state j is the lowest of A + w sum_{i<j} |psi_i><psi_i| (w = o.penalty, or twice an
// estimate of the spectral width), and the k states are then replaced by the Ritz vectors of
// their span, combined in TT and rounded to the last max_rank and rtol of the schedule. A
// callback that stops the run leaves fewer than k states (those begun so far).
template <class T>
DmrgResult<T> eigsh(const TTMatrix<T>& A, const DmrgOptions& o = {}, const TensorTrain<T>* x0 = nullptr) {
    static_assert(!is_complex_v<T>, "eigsh: real symmetric operators only");
    const Index d = A.ndim();
    TT_REQUIRE(d >= 1, "eigsh: empty operator");
    TT_REQUIRE(A.row_dims() == A.col_dims(), "eigsh: the operator must be square with equal row and column mode ",
               "sizes, got rows ", detail::vec_str(A.row_dims()), " and columns ", detail::vec_str(A.col_dims()));
    TT_REQUIRE(!o.max_rank.values.empty(), "eigsh: the max_rank schedule is empty");
    for (Index r : o.max_rank.values)
        TT_REQUIRE(r >= 1, "eigsh: max_rank must be >= 1, got ", detail::vec_str(o.max_rank.values));
    TT_REQUIRE(!o.rtol.values.empty(), "eigsh: the rtol schedule is empty");
    for (double r : o.rtol.values)
        TT_REQUIRE(r >= 0 && std::isfinite(r), "eigsh: rtol must be a finite number >= 0, got ",
                   detail::vec_str(o.rtol.values));
    TT_REQUIRE(o.tol >= 0 && std::isfinite(o.tol), "eigsh: tol must be a finite number >= 0, got ", o.tol);
    TT_REQUIRE(o.n_sweeps >= 1, "eigsh: n_sweeps must be >= 1, got ", o.n_sweeps);
    TT_REQUIRE(o.krylov >= 2, "eigsh: krylov must be >= 2, got ", o.krylov);
    TT_REQUIRE(o.init_rank >= 1, "eigsh: init_rank must be >= 1, got ", o.init_rank);
    TT_REQUIRE(o.k >= 1, "eigsh: k must be >= 1, got ", o.k);
    TT_REQUIRE((double)o.k <= A.cols_total(), "eigsh: k = ", o.k, " exceeds the dimension of the space, ",
               A.cols_total(), " (the product of the mode sizes ", detail::vec_str(A.col_dims()), ")");
    TT_REQUIRE(o.penalty >= 0 && std::isfinite(o.penalty), "eigsh: penalty must be a finite number >= 0 (0: automatic), got ",
               o.penalty);
    for (Index k = 0; k < d; ++k)
        TT_REQUIRE(A.tt().core(k).left().allFinite(), "eigsh: the operator has non-finite entries in core ", k);
    // Symmetry, checked in the TT format: ||A - A^T|| <= 1e-10 ||A||.
    const double na = (double)norm(A.tt());
    TT_REQUIRE(na > 0, "eigsh: the operator is zero");
    const double asym = (double)norm(add(A.tt(), transpose(A).tt(), T(1), T(-1)));
    TT_REQUIRE(asym <= 1e-10 * na, "eigsh: the operator is not symmetric (||A - A^T|| / ||A|| = ", asym / na,
               "); eigsh needs a symmetric TT-matrix");
    if (x0) {
        TT_REQUIRE(x0->shape() == A.col_dims(), "eigsh: x0 has shape ", detail::vec_str(x0->shape()),
                   ", the operator acts on shape ", detail::vec_str(A.col_dims()));
        const double nx = (double)norm(*x0);
        TT_REQUIRE(nx > 0 && std::isfinite(nx), "eigsh: x0 must be a nonzero finite train");
    }
    std::vector<Index> ranks((std::size_t)d + 1, 1);
    for (Index k = 1; k < d; ++k) ranks[(std::size_t)k] = o.init_rank;

    DmrgResult<T> res;
    res.converged = true;
    res.stop_reason = "converged";
    std::vector<TensorTrain<T>> found;
    double w = o.penalty;
    for (Index j = 0; j < o.k; ++j) {
        if (j == 1 && w == 0) w = detail::auto_penalty(A, o, (double)res.energies[0]);
        TensorTrain<T> x = (j == 0 && x0) ? *x0 : random_tt<T>(A.col_dims(), ranks, o.seed + (std::uint64_t)j);
        detail::Dmrg<T> run(A, o, found, w, j);
        detail::DmrgRun<T> r = run.run(std::move(x));
        res.energies.push_back(r.energy);
        res.sweep_energies.push_back(std::move(r.energies));
        res.truncation_errors.push_back(std::move(r.truncation_errors));
        res.n_sweeps += r.n_sweeps;
        found.push_back(std::move(r.state));
        if (!r.converged) {
            res.converged = false;
            res.stop_reason = r.stop_reason;
        }
        if (r.stop_reason == "callback") break;
    }
    if (found.size() > 1) {
        SvdOptions so;
        so.max_rank = o.max_rank.last();
        so.rtol = o.rtol.last();
        if (!detail::rayleigh_ritz(A, found, res.energies, so)) {
            res.converged = false;
            res.stop_reason = "dependent";
        }
    }
    res.states = std::move(found);
    res.energy = res.energies[0];
    res.state = res.states[0];
    return res;
}

}  // namespace tensortrain
