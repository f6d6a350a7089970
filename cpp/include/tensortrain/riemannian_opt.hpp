// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// Riemannian optimization on the manifold of TT tensors of fixed rank (geometry: riemannian.hpp):
// gradient descent and nonlinear conjugate gradients (Polak-Ribiere+, restarted when the direction
// is not a descent direction) with Armijo backtracking along the retraction, for any objective
// that supplies its value and its Riemannian gradient; and tensor completion, the objective
// 1/2 sum_m (X(i_m) - v_m)^2, with the exact step of its quadratic model as the first trial step
// (Steinlechner, SIAM J. Sci. Comput. 38 (2016)) and an optional rank-adaptive schedule.
#include "arithmetic.hpp"
#include "evaluate.hpp"
#include "random.hpp"
#include "riemannian.hpp"

#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

namespace tensortrain {

struct RiemannianProgress {
    Index iter = 0;
    double value = 0;      // objective after the step
    double grad_norm = 0;  // of the Riemannian gradient there
    double step = 0;       // accepted step length t (X+ = R(X, t eta))
    double test_error = std::numeric_limits<double>::quiet_NaN();
};

struct RiemannianOptions {
    bool cg = true;             // conjugate gradients; false: gradient descent
    Index max_iter = 200;
    double gtol = 1e-12;        // stop at ||grad|| <= gtol * ||grad at the start||
    double ftol = 0;            // stop at value <= ftol
    double armijo = 1e-4;       // sufficient decrease: f(t) <= f + armijo * t * <grad, eta>
    Index max_backtracks = 30;  // halvings of the trial step
    std::function<bool(const RiemannianProgress&)> callback;  // true stops
};

template <class T>
struct RiemannianResult {
    TensorTrain<T> x;
    std::vector<double> values, grad_norms, steps, test_errors;  // per iteration (index 0: the start)
    Index n_iter = 0;
    bool converged = false;
    std::string stop_reason;  // gtol, ftol, max_iter, line_search, callback, stalled
};

// An objective on the manifold: its value at a point, and at the point of a tangent space its
// value together with its Riemannian gradient (the projection of the Euclidean one).
template <class T>
struct RiemannianProblem {
    std::function<double(const TensorTrain<T>&)> value;
    std::function<double(const TangentSpace<T>&, TangentVector<T>&)> gradient;  // returns the value
    // optional: a first trial step along the descent direction eta (default: the last accepted
    // step grown by 2, or 1 / ||grad|| on the first iteration)
    std::function<double(const TangentSpace<T>&, const TangentVector<T>&)> initial_step;
    // optional: an error on held-out data after each iteration (reported, and the best kept)
    std::function<double(const TensorTrain<T>&)> test_error;
};

template <class T>
RiemannianResult<T> riemannian_minimize(const RiemannianProblem<T>& P, const TensorTrain<T>& x0,
                                        const RiemannianOptions& o = {}) {
    static_assert(!is_complex_v<T>, "riemannian_minimize: real scalars only");
    TT_REQUIRE(P.value && P.gradient, "riemannian_minimize: the problem needs value and gradient");
    TT_REQUIRE(o.max_iter >= 0, "riemannian_minimize: max_iter must be >= 0, got ", o.max_iter);
    TT_REQUIRE(o.gtol >= 0 && std::isfinite(o.gtol), "riemannian_minimize: gtol must be finite and >= 0, got ", o.gtol);
    TT_REQUIRE(o.armijo > 0 && o.armijo < 1, "riemannian_minimize: armijo must be in (0, 1), got ", o.armijo);
    RiemannianResult<T> res;
    res.stop_reason = "max_iter";
    auto S = std::make_unique<TangentSpace<T>>(x0);
    TensorTrain<T> x = S->point();
    TangentVector<T> g;
    double f = P.gradient(*S, g);
    double gn = (double)norm(g);
    const double gn0 = gn;
    const auto test = [&](const TensorTrain<T>& y) {
        return P.test_error ? P.test_error(y) : std::numeric_limits<double>::quiet_NaN();
    };
    res.values.push_back(f);
    res.grad_norms.push_back(gn);
    res.steps.push_back(0);
    res.test_errors.push_back(test(x));
    TangentVector<T> eta = lincomb(T(-1), g, T(0), g);
    double last_step = 0;
    for (Index it = 1; it <= o.max_iter; ++it) {
        if (!(gn > o.gtol * gn0)) {
            res.converged = true;
            res.stop_reason = "gtol";
            break;
        }
        if (f <= o.ftol) {
            res.converged = true;
            res.stop_reason = "ftol";
            break;
        }
        double slope = (double)inner(g, eta);
        if (!(slope < 0)) {  // not a descent direction: restart along -grad
            eta = lincomb(T(-1), g, T(0), g);
            slope = -gn * gn;
        }
        double t = P.initial_step ? P.initial_step(*S, eta) : (last_step > 0 ? 2 * last_step : 1.0 / gn);
        if (!(t > 0) || !std::isfinite(t)) t = last_step > 0 ? last_step : 1.0 / gn;
        TensorTrain<T> xn;
        double fn = f;
        bool ok = false;
        for (Index b = 0; b <= o.max_backtracks; ++b, t *= 0.5) {
            xn = retract(*S, eta, T(t));
            fn = P.value(xn);
            if (std::isfinite(fn) && fn <= f + o.armijo * t * slope) {
                ok = true;
                break;
            }
        }
        if (!ok) {
            res.stop_reason = "line_search";
            break;
        }
        last_step = t;
        auto Sn = std::make_unique<TangentSpace<T>>(xn);
        TangentVector<T> gnew;
        fn = P.gradient(*Sn, gnew);
        const double gnn = (double)norm(gnew);
        if (o.cg) {
            // Polak-Ribiere+ with the previous gradient and direction moved by projection
            const TangentVector<T> gt = transport(*Sn, *S, g), et = transport(*Sn, *S, eta);
            const double beta = std::max(0.0, (double)(inner(gnew, gnew) - inner(gnew, gt)) / (gn * gn));
            eta = lincomb(T(-1), gnew, T(beta), et);
        } else {
            eta = lincomb(T(-1), gnew, T(0), gnew);
        }
        const bool stalled = !(fn < f) || (f - fn) <= 1e-15 * std::abs(f);
        S = std::move(Sn);
        x = S->point();
        g = std::move(gnew);
        f = fn;
        gn = gnn;
        ++res.n_iter;
        res.values.push_back(f);
        res.grad_norms.push_back(gn);
        res.steps.push_back(t);
        res.test_errors.push_back(test(x));
        if (o.callback && o.callback(RiemannianProgress{it, f, gn, t, res.test_errors.back()})) {
            res.stop_reason = "callback";
            break;
        }
        if (stalled) {
            res.stop_reason = "stalled";
            break;
        }
    }
    if (res.stop_reason == "max_iter" && o.max_iter > 0) {
        // the loop ran out: report convergence if the last iterate meets a tolerance
        if (!(gn > o.gtol * gn0) || f <= o.ftol) {
            res.converged = true;
            res.stop_reason = f <= o.ftol ? "ftol" : "gtol";
        }
    }
    res.x = std::move(x);
    return res;
}

// ---------------------------------------------------------------------------------------------
// Tensor completion

struct CompletionOptions {
    bool cg = true;
    Index max_iter = 200;       // per rank
    double tol = 1e-12;         // stop at a relative training error ||X(i) - v|| / ||v|| <= tol
    double armijo = 1e-4;
    Index max_backtracks = 30;
    // Rank adaption: from rank 1 up to the target, one unit per stage (max_iter_stage iterations
    // each); a stage that does not lower the validation error ends the schedule.
    bool rank_adaptive = false;
    Index max_iter_stage = 50;
    std::uint64_t seed = 0;
    std::function<bool(const RiemannianProgress&)> callback;
};

template <class T>
struct CompletionResult {
    TensorTrain<T> x;
    std::vector<double> train_errors, test_errors, grad_norms, steps;  // relative errors per iteration
    std::vector<Index> ranks;                                         // max rank per iteration
    Index n_iter = 0;
    bool converged = false;
    std::string stop_reason;
};

namespace detail {
template <class T>
class CompletionObjective {
  public:
    CompletionObjective(const Index* idx, const T* vals, Index M) : idx_(idx), vals_(vals, M), M_(M) {}
    double value(const TensorTrain<T>& X) const {
        const Vec<T> y = evaluate(X, idx_, M_);
        return 0.5 * (double)(y - vals_).squaredNorm();
    }
    // value and Riemannian gradient P_X(sum_m (X(i_m) - v_m) e_{i_m}); keeps the frames of S for
    // the step
    double gradient(const TangentSpace<T>& S, TangentVector<T>& g) {
        if (frames_) frames_->update(S);  // same samples: keeps their order and the memory
        else frames_ = std::make_unique<SampledFrames<T>>(S, idx_, M_);
        space_ = &S;
        resid_ = frames_->point_values() - vals_;
        g = frames_->project(resid_.data());
        return 0.5 * (double)resid_.squaredNorm();
    }
    // the minimizer of 1/2 ||r + t eta(i)||^2 over t
    double step(const TangentSpace<T>& S, const TangentVector<T>& eta) const {
        if (&S != space_ || !frames_) return -1;
        const Vec<T> ev = frames_->tangent_values(eta);
        const double den = (double)ev.squaredNorm();
        return den > 0 ? -(double)resid_.dot(ev) / den : -1;
    }
    double norm_values() const { return (double)vals_.norm(); }

  private:
    const Index* idx_;
    Eigen::Map<const Vec<T>> vals_;
    Index M_;
    std::unique_ptr<SampledFrames<T>> frames_;
    const TangentSpace<T>* space_ = nullptr;
    Vec<T> resid_;
};
}  // namespace detail

// Complete a tensor of the given shape from M samples (idx: M x d row-major, vals: M values) by
// Riemannian optimization at the ranks of x0. Optional held-out samples give the test error.
template <class T>
CompletionResult<T> complete_riemannian(const Index* idx, const T* vals, Index M, const TensorTrain<T>& x0,
                                        const CompletionOptions& o = {}, const Index* test_idx = nullptr,
                                        const T* test_vals = nullptr, Index M_test = 0) {
    static_assert(!is_complex_v<T>, "complete: real scalars only");
    const Index d = x0.ndim();
    TT_REQUIRE(M >= 1, "complete: the sample set is empty");
    TT_REQUIRE(o.max_iter >= 0 && o.max_iter_stage >= 1, "complete: max_iter must be >= 0 and max_iter_stage >= 1");
    TT_REQUIRE(o.tol >= 0 && std::isfinite(o.tol), "complete: tol must be finite and >= 0, got ", o.tol);
    detail::check_indices(x0, idx, M);
    for (Index m = 0; m < M; ++m)
        TT_REQUIRE(std::isfinite((double)vals[m]), "complete: sample value ", m, " is not finite (", vals[m], ")");
    if (M_test > 0) {
        detail::check_indices(x0, test_idx, M_test);
        for (Index m = 0; m < M_test; ++m)
            TT_REQUIRE(std::isfinite((double)test_vals[m]), "complete: test value ", m, " is not finite");
    }
    detail::CompletionObjective<T> obj(idx, vals, M);
    const double nv = obj.norm_values();
    TT_REQUIRE(nv > 0, "complete: all sample values are zero (the completion is the zero tensor)");
    const Eigen::Map<const Vec<T>> tv(test_vals, M_test);
    const double ntv = M_test > 0 ? (double)tv.norm() : 0;
    RiemannianProblem<T> P;
    P.value = [&](const TensorTrain<T>& X) { return obj.value(X); };
    P.gradient = [&](const TangentSpace<T>& S, TangentVector<T>& g) { return obj.gradient(S, g); };
    P.initial_step = [&](const TangentSpace<T>& S, const TangentVector<T>& eta) { return obj.step(S, eta); };
    if (M_test > 0)
        P.test_error = [&](const TensorTrain<T>& X) {
            const Vec<T> y = evaluate(X, test_idx, M_test);
            return (double)(y - tv).norm() / std::max(ntv, 1e-300);
        };
    RiemannianOptions ro;
    ro.cg = o.cg;
    ro.armijo = o.armijo;
    ro.max_backtracks = o.max_backtracks;
    ro.gtol = 0;
    ro.ftol = 0.5 * (o.tol * nv) * (o.tol * nv);
    CompletionResult<T> out;
    Index iter_base = 0;
    ro.callback = [&](const RiemannianProgress& p) {
        if (!o.callback) return false;
        RiemannianProgress q = p;
        q.iter += iter_base;
        q.value = std::sqrt(2 * p.value) / nv;  // the relative training error
        return o.callback(q);
    };
    const auto absorb = [&](const RiemannianResult<T>& r, bool first) {
        for (std::size_t i = first ? 0 : 1; i < r.values.size(); ++i) {
            out.train_errors.push_back(std::sqrt(2 * r.values[i]) / nv);
            out.test_errors.push_back(r.test_errors[i]);
            out.grad_norms.push_back(r.grad_norms[i]);
            out.steps.push_back(r.steps[i]);
            out.ranks.push_back(r.x.max_rank());
        }
        out.n_iter += r.n_iter;
        iter_base += r.n_iter;
        out.converged = r.converged;
        out.stop_reason = r.stop_reason;
    };
    if (!o.rank_adaptive) {
        ro.max_iter = o.max_iter;
        auto r = riemannian_minimize(P, x0, ro);
        absorb(r, true);
        out.x = std::move(r.x);
        if (out.stop_reason == "ftol") out.stop_reason = "converged";
        return out;
    }
    // rank-adaptive: rank 1 up to the largest rank of x0, one unit per stage
    const Index target = x0.max_rank();
    std::vector<Index> ones((std::size_t)d + 1, 1);
    // the constant train at the mean of the samples (a random rank-1 start has sign patterns the
    // data need not have); a zero mean falls back to a random rank-1 train
    std::vector<Core<T>> cs;
    for (Index k = 0; k < d; ++k) {
        Core<T> G(1, x0.shape()[(std::size_t)k], 1);
        G.left().setOnes();
        cs.push_back(std::move(G));
    }
    TensorTrain<T> x(std::move(cs));
    const double mean = (double)Eigen::Map<const Vec<T>>(vals, M).mean();
    if (mean != 0) {
        x.core(0).left() *= T(mean);
    } else {
        x = random_tt<T>(x0.shape(), ones, o.seed);
        const double s = nv / std::max((double)evaluate(x, idx, M).norm(), 1e-300);
        x.core(0).left() *= T(s);
    }
    double best = std::numeric_limits<double>::infinity();
    TensorTrain<T> best_x = x;
    ro.max_iter = o.max_iter_stage;
    for (Index stage = 0;; ++stage) {
        auto r = riemannian_minimize(P, x, ro);
        absorb(r, stage == 0);
        const double err = M_test > 0 ? r.test_errors.back() : std::sqrt(2 * r.values.back()) / nv;
        const bool improved = err < best;
        if (improved) {
            best = err;
            best_x = r.x;
        }
        if (r.stop_reason == "ftol" || r.stop_reason == "callback") {
            if (r.stop_reason == "ftol") out.stop_reason = "converged";
            break;
        }
        if (!improved && stage > 0) {
            out.stop_reason = "validation";
            out.converged = true;
            break;
        }
        const Index rho = r.x.max_rank();
        if (rho >= target) break;
        // grow every bond by one (as far as the shape allows): X + eps * (a random rank-1 train)
        TensorTrain<T> kick = random_tt<T>(x0.shape(), ones, o.seed + 1 + (std::uint64_t)stage);
        const double scale = 1e-8 * (double)norm(r.x) / std::max((double)norm(kick), 1e-300);
        SvdOptions so;
        so.rtol = 0;
        so.max_rank = rho + 1;
        x = tensortrain::round(add(r.x, kick, T(1), T(scale)), so).tt;
    }
    out.x = std::move(best_x);
    return out;
}

}  // namespace tensortrain
