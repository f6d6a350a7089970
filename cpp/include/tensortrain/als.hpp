// SPDX-License-Identifier: BSD-3-Clause
// ALS fitting of a TT to samples: values f_m at multi-indices i^m (completion, regression on a
// grid). One core at a time is the solution of a regularized least-squares problem with the
// other cores fixed: the value at i^m is L_k(m) G_k(:, i_k^m, :) R_k(m), linear in G_k, and the
// problem splits into one small system per slice of G_k (the samples with i_k = i).
//
// Regularization: a ridge lambda ||G_k||^2 on every local problem, with the cores left in the
// gauge the solves give them (no orthogonalization, no rebalancing: both were tried and fit
// worse). That is a penalty on the sum of the core norms, which keeps ALS out of the long
// plateaus it otherwise crawls along on sampled data (on 2*10^4 samples of 1/(1 + sum x^2),
// d = 10, n = 32, rank 3: training error stuck at 2.4e-2 without it, 1.6e-3 with it). lambda is
// `reg` times the slice's sample count times rms(f)^(2 - 2/d), so it follows the data's scale and
// amount, and it shrinks by reg_decay after every pass at the target rank, so exact low-rank data
// are still recovered to round-off.
//
// Rank adaption: the run starts from the constant train at the samples' mean (the first local
// solves then fit marginal means, not data times the random signs of a random start) and, while
// the ranks are below the target, every bond grows by one after each pass. A new direction enters
// as a random column of the left core times a zero row of the right one (the tensor is unchanged)
// and is filled by the next local solves. At low rank the local problems are heavily oversampled,
// so the first passes cannot overfit. init = random starts instead from a Gaussian train at the
// target rank (better for data that have no dominant low-rank part, e.g. a random train).
//
// Stopping: with validation samples the run keeps the train with the smallest validation error
// and stops once that error has not improved by a factor (1 - tol) for `patience` sweeps at the
// target rank after the ridge has faded; without them the training error plays that part.
#pragma once

#include "evaluate.hpp"
#include "linalg.hpp"
#include "parallel.hpp"
#include "random.hpp"

#include <algorithm>
#include <functional>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace tensortrain {

struct AlsProgress {
    Index sweep = 0;          // passes over the cores done (two per sweep)
    Index max_rank = 0;       // of the current train
    double train_error = 0;   // relative 2-norm error on the training samples
    double val_error = -1;    // on the validation samples (-1 without them)
};

struct AlsOptions {
    Index n_sweeps = 10;     // at most this many sweeps (a pass left to right and one back)
    double reg = 1e-4;       // ridge (see above); 0 switches it off
    double reg_decay = 0.5;  // factor on the ridge after each pass at the target rank
    double tol = 1e-4;       // an improvement of the monitored error by less than this (relative)...
    Index patience = 3;      // ...for this many sweeps at the target rank stops the run
    Index init_rank = 1;     // rank of the start (grown by one per pass up to the target)
    bool random_init = false;  // start from a Gaussian train at the target rank instead
    std::uint64_t seed = 0;
    std::function<bool(const AlsProgress&)> callback;  // true: stop
};

template <class T>
struct AlsResult {
    TensorTrain<T> tt;                       // the best train seen (by the monitored error)
    std::vector<double> train_error, val_error;  // after each pass (half-sweep)
    std::vector<Index> ranks;                // max rank after each pass
    Index n_sweeps = 0;                      // passes (half-sweeps) done
    Index best_sweep = 0;                    // pass whose train is returned (1-based)
    bool converged = false;
    std::string stop_reason;                 // converged, n_sweeps, callback
};

namespace detail {

// The samples grouped by their index in one mode (a counting sort): the samples with i_k = i
// are order[start[i] .. start[i+1]).
struct ModeGroups {
    std::vector<Index> order, start;
};

template <class T>
class Als {
  public:
    Als(const std::int64_t* idx, const T* vals, Index M, const std::vector<Index>& shape)
        : idx_(idx), f_(vals, M), M_(M), d_((Index)shape.size()) {
        groups_.resize((std::size_t)d_);
        for (Index k = 0; k < d_; ++k) {
            ModeGroups& g = groups_[(std::size_t)k];
            g.start.assign((std::size_t)shape[(std::size_t)k] + 1, 0);
            for (Index m = 0; m < M_; ++m) ++g.start[(std::size_t)idx_[m * d_ + k] + 1];
            for (std::size_t i = 1; i < g.start.size(); ++i) g.start[i] += g.start[i - 1];
            g.order.resize((std::size_t)M_);
            std::vector<Index> pos(g.start.begin(), g.start.end() - 1);
            for (Index m = 0; m < M_; ++m) g.order[(std::size_t)pos[(std::size_t)idx_[m * d_ + k]]++] = m;
        }
    }

    // One pass over the cores, left to right (forward) or right to left; the train must be
    // prepared for that direction (prepare()).
    void pass(TensorTrain<T>& x, bool forward) {
        if (d_ == 1) {
            solve_core(x, 0);
            return;
        }
        if (forward) {
            for (Index k = 0; k + 1 < d_; ++k) {
                solve_core(x, k);
                L_[(std::size_t)k + 1] = push_left(x.core(k), k, L_[(std::size_t)k]);
                R_[(std::size_t)k] = Mat<T>();  // consumed; the next pass rebuilds it
            }
            solve_core(x, d_ - 1);
        } else {
            for (Index k = d_ - 1; k >= 1; --k) {
                solve_core(x, k);
                R_[(std::size_t)k - 1] = push_right(x.core(k), k, R_[(std::size_t)k]);
                L_[(std::size_t)k] = Mat<T>();
            }
            solve_core(x, 0);
        }
    }

    // Builds the interfaces a pass in the given direction needs.
    void prepare(const TensorTrain<T>& x, bool forward) {
        L_.assign((std::size_t)d_, Mat<T>());
        R_.assign((std::size_t)d_, Mat<T>());
        L_[0] = Mat<T>::Ones(1, M_);
        R_[(std::size_t)d_ - 1] = Mat<T>::Ones(1, M_);
        if (forward) {
            for (Index k = d_ - 1; k >= 1; --k) R_[(std::size_t)k - 1] = push_right(x.core(k), k, R_[(std::size_t)k]);
        } else {
            for (Index k = 0; k + 1 < d_; ++k) L_[(std::size_t)k + 1] = push_left(x.core(k), k, L_[(std::size_t)k]);
        }
    }

    double lambda_scale = 1;  // ridge per sample of a slice (reg, data scale and decay folded in)

  private:
    // Interfaces are stored one column per sample: L_k is r_k x M, R_k is r_{k+1} x M.
    // Column m of the left interface at bond k+1: G(:, i_k^m, :)^T L(:, m).
    Mat<T> push_left(const Core<T>& G, Index k, const Mat<T>& L) const {
        Mat<T> out(G.r1(), M_);
        parallel_for(
            0, M_, [&](Index m) { out.col(m).noalias() = G.slice(idx_[m * d_ + k]).transpose() * L.col(m); }, 4096);
        return out;
    }
    // Column m of the right interface at bond k: G(:, i_k^m, :) R(:, m).
    Mat<T> push_right(const Core<T>& G, Index k, const Mat<T>& R) const {
        Mat<T> out(G.r0(), M_);
        parallel_for(0, M_, [&](Index m) { out.col(m).noalias() = G.slice(idx_[m * d_ + k]) * R.col(m); }, 4096);
        return out;
    }

    // Least squares for core k, slice by slice: f_m ~ sum_ab L(a, m) G(a, i, b) R(b, m). A slice
    // without samples is kept as it is.
    void solve_core(TensorTrain<T>& x, Index k) {
        Core<T>& G = x.core(k);
        const Index r0 = G.r0(), n = G.n(), r1 = G.r1(), p = r0 * r1;
        const Mat<T>& L = L_[(std::size_t)k];
        const Mat<T>& R = R_[(std::size_t)k];
        const ModeGroups& g = groups_[(std::size_t)k];
        parallel_for(0, n, [&](Index i) {
            const Index b0 = g.start[(std::size_t)i], cnt = g.start[(std::size_t)i + 1] - b0;
            if (cnt == 0) return;
            Mat<T> Phi(p, cnt);  // one column per sample: kron(R(:, m), L(:, m))
            Vec<T> y(cnt);
            for (Index q = 0; q < cnt; ++q) {
                const Index m = g.order[(std::size_t)(b0 + q)];
                for (Index b = 0; b < r1; ++b) Phi.col(q).segment(r0 * b, r0) = R(b, m) * L.col(m);
                y(q) = f_(m);
            }
            Mat<T> A(p, p);
            A.setZero();
            A.template selfadjointView<Eigen::Lower>().rankUpdate(Phi);
            // The ridge, with a floor that keeps a slice whose samples do not determine it solvable.
            const double floor = 1e-14 * (double)A.diagonal().cwiseAbs().maxCoeff() + std::numeric_limits<double>::min();
            A.diagonal().array() += T(std::max(lambda_scale * (double)cnt, floor));
            const Vec<T> sol = A.template selfadjointView<Eigen::Lower>().ldlt().solve(Phi * y);
            for (Index b = 0; b < r1; ++b)
                for (Index a = 0; a < r0; ++a) G(a, i, b) = sol(a + r0 * b);
        });
    }

    const std::int64_t* idx_;
    Eigen::Map<const Vec<T>> f_;
    Index M_, d_;
    std::vector<ModeGroups> groups_;
    std::vector<Mat<T>> L_, R_;
};

// The train with bond ranks grown to `ranks`: new columns of core k are
// random (scaled like the core), the matching rows of core k+1 zero, so the tensor is unchanged.
template <class T>
TensorTrain<T> grow_ranks(const TensorTrain<T>& x, const std::vector<Index>& ranks, std::mt19937_64& gen) {
    const Index d = x.ndim();
    std::vector<Core<T>> cores;
    for (Index k = 0; k < d; ++k) {
        const Core<T>& G = x.core(k);
        const Index r0 = ranks[(std::size_t)k], r1 = ranks[(std::size_t)k + 1];
        Core<T> c(r0, G.n(), r1);  // zeros
        const double rms = std::sqrt((double)G.vec().squaredNorm() / (double)std::max<Index>(1, G.size()));
        for (Index b = 0; b < r1; ++b)
            for (Index i = 0; i < G.n(); ++i)
                for (Index a = 0; a < std::min(r0, G.r0()); ++a)
                    c(a, i, b) = b < G.r1() ? G(a, i, b) : T(gaussian<double>(gen) * (rms > 0 ? rms : 1.0));
        cores.push_back(std::move(c));
    }
    return TensorTrain<T>(std::move(cores));
}

}  // namespace detail

// Fits a TT of the given target ranks (d + 1 values, boundary ones) to M samples: idx row-major
// M x d, vals M values. Validation samples (optional) choose the returned train and stop the run;
// x0 (optional) is the start and switches rank adaption off (its ranks must equal the target).
template <class T>
AlsResult<T> als_fit(const std::int64_t* idx, const T* vals, Index M, const std::vector<Index>& shape,
                     const std::vector<Index>& ranks, const AlsOptions& o = {}, const TensorTrain<T>* x0 = nullptr,
                     const std::int64_t* vidx = nullptr, const T* vvals = nullptr, Index Mv = 0) {
    static_assert(!is_complex_v<T>, "als_fit: real values only");
    const Index d = (Index)shape.size();
    TT_REQUIRE(d >= 1, "als_fit: the shape needs at least one mode");
    for (Index n : shape) TT_REQUIRE(n >= 1, "als_fit: mode sizes must be >= 1, got ", detail::vec_str(shape));
    TT_REQUIRE(M >= 1, "als_fit: no samples");
    TT_REQUIRE((Index)ranks.size() == d + 1 && ranks.front() == 1 && ranks.back() == 1, "als_fit: need d + 1 = ",
               d + 1, " ranks with boundary ranks 1, got ", detail::vec_str(ranks));
    for (Index r : ranks) TT_REQUIRE(r >= 1, "als_fit: ranks must be >= 1, got ", detail::vec_str(ranks));
    TT_REQUIRE(o.n_sweeps >= 1, "als_fit: n_sweeps must be >= 1, got ", o.n_sweeps);
    TT_REQUIRE(o.patience >= 1, "als_fit: patience must be >= 1, got ", o.patience);
    TT_REQUIRE(o.init_rank >= 1, "als_fit: init_rank must be >= 1, got ", o.init_rank);
    TT_REQUIRE(o.reg >= 0 && std::isfinite(o.reg), "als_fit: reg must be a finite number >= 0, got ", o.reg);
    TT_REQUIRE(o.reg_decay > 0 && o.reg_decay <= 1, "als_fit: reg_decay must be in (0, 1], got ", o.reg_decay);
    TT_REQUIRE(o.tol >= 0 && std::isfinite(o.tol), "als_fit: tol must be a finite number >= 0, got ", o.tol);
    auto check = [&](const std::int64_t* ix, const T* v, Index cnt, const char* what) {
        for (Index m = 0; m < cnt; ++m) {
            TT_REQUIRE(std::isfinite((double)v[m]), "als_fit: ", what, " value ", m, " is not finite (", v[m], ")");
            for (Index k = 0; k < d; ++k)
                TT_REQUIRE(ix[m * d + k] >= 0 && ix[m * d + k] < shape[(std::size_t)k], "als_fit: ", what, " ", m,
                           " has index ", ix[m * d + k], " in mode ", k, " of size ", shape[(std::size_t)k]);
        }
    };
    check(idx, vals, M, "sample");
    if (Mv > 0) check(vidx, vvals, Mv, "validation sample");
    // Ranks no larger than the shape allows (a larger request could only add null directions).
    std::vector<Index> target = ranks;
    {
        const std::vector<Index> cap = capped_ranks(shape, std::numeric_limits<Index>::max());
        for (Index k = 0; k <= d; ++k) target[(std::size_t)k] = std::min(target[(std::size_t)k], cap[(std::size_t)k]);
    }
    std::mt19937_64 gen(o.seed ^ 0x5eedf17ULL);
    const Eigen::Map<const Vec<T>> f(vals, M);
    const double nf = (double)f.norm();
    TensorTrain<T> x;
    std::vector<Index> cur = target;
    if (x0) {
        TT_REQUIRE(x0->shape() == shape, "als_fit: x0 has shape ", detail::vec_str(x0->shape()), ", expected ",
                   detail::vec_str(shape));
        TT_REQUIRE(x0->ranks() == target, "als_fit: x0 has ranks ", detail::vec_str(x0->ranks()),
                   ", expected the target ranks ", detail::vec_str(target));
        for (Index k = 0; k < d; ++k)
            TT_REQUIRE(x0->core(k).vec().allFinite(), "als_fit: x0 core ", k, " contains NaN or Inf");
        x = *x0;
    } else if (o.random_init) {
        x = random_tt<T>(shape, cur, o.seed);
        const double ny = (double)evaluate(x, idx, M).norm();
        if (ny > 0 && nf > 0) x.core(0).vec() *= T(nf / ny);
    } else {
        // The constant train at the samples' mean: the first local solves then fit marginal
        // means instead of data times the random signs of a random start (which ALS averages
        // out only slowly). Directions up to init_rank are added as in rank adaption.
        std::vector<Index> ones((std::size_t)d + 1, 1);
        std::vector<Core<T>> cs;
        for (Index k = 0; k < d; ++k) {
            cs.emplace_back(1, shape[(std::size_t)k], 1);
            cs.back().vec().setConstant(k == 0 ? T(f.mean()) : T(1));
        }
        x = TensorTrain<T>(std::move(cs));
        for (Index k = 1; k < d; ++k) cur[(std::size_t)k] = std::min(target[(std::size_t)k], o.init_rank);
        if (cur != ones) x = detail::grow_ranks(x, cur, gen);
    }
    const Eigen::Map<const Vec<T>> fv(vvals, Mv);
    const double nv = Mv > 0 ? (double)fv.norm() : 0.0;
    AlsResult<T> res;
    res.stop_reason = "n_sweeps";
    detail::Als<T> als(idx, vals, M, shape);
    // The local Gram matrices scale like rms(f)^(2 - 2/d) when the cores share the scale.
    als.lambda_scale = o.reg * std::pow((double)f.squaredNorm() / (double)M, 1.0 - 1.0 / (double)d);
    const double lambda0 = als.lambda_scale;
    bool forward = true, fresh = true;
    double best = std::numeric_limits<double>::infinity();
    Index stall = 0;
    for (Index s = 0; s < 2 * o.n_sweeps; ++s) {
        if (fresh) als.prepare(x, forward);
        als.pass(x, forward);
        if (cur == target) als.lambda_scale *= o.reg_decay;
        forward = !forward;
        fresh = false;
        const double te = (double)(evaluate(x, idx, M) - f).norm() / (nf > 0 ? nf : 1.0);
        const double ve = Mv > 0 ? (double)(evaluate(x, vidx, Mv) - fv).norm() / (nv > 0 ? nv : 1.0) : -1.0;
        res.train_error.push_back(te);
        if (Mv > 0) res.val_error.push_back(ve);
        res.ranks.push_back(x.max_rank());
        ++res.n_sweeps;
        const double mon = Mv > 0 ? ve : te;
        const bool at_target = cur == target;
        // Stalls count once the ranks are final and the ridge has faded: while it is strong the
        // monitored error can sit on a plateau (or rise) before the fit breaks through.
        const bool settled = at_target && als.lambda_scale <= 1e-3 * lambda0;
        if (mon < best) {
            stall = settled && mon > best * (1 - o.tol) ? stall + 1 : 0;
            best = mon;
            res.tt = x;
            res.best_sweep = res.n_sweeps;
        } else if (settled) {
            ++stall;
        }
        if (mon == 0 || stall >= 2 * o.patience) {
            res.converged = true;
            res.stop_reason = "converged";
            break;
        }
        if (o.callback && o.callback(AlsProgress{res.n_sweeps, x.max_rank(), te, ve})) {
            res.stop_reason = "callback";
            break;
        }
        if (!at_target) {  // rank adaption: one more direction on every bond below its target
            for (Index k = 1; k < d; ++k) cur[(std::size_t)k] = std::min(target[(std::size_t)k], cur[(std::size_t)k] + 1);
            x = detail::grow_ranks(x, cur, gen);
            fresh = true;
        }
    }
    return res;
}

}  // namespace tensortrain
