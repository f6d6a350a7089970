// SPDX-License-Identifier: BSD-3-Clause
// The tangent space of the manifold of tensor trains of fixed rank (Lubich, Oseledets and
// Vandereycken, "Time integration of tensor trains", SINUM 2015; Steinlechner, "Riemannian
// optimization for high-dimensional tensor completion", SISC 2016). A tangent vector at X is
// xi = sum_k U_<k delta_k V_>k with left-orthonormal U, right-orthonormal V and the gauge
// U_k^T delta_k = 0 (k < d-1); the d terms are then mutually orthogonal and each map delta_k -> term
// is an isometry, which gives the projection, inner products on the deltas, a rank-2r train form,
// retraction by rounding, and projection of sampled (sparse) tensors for completion.
#pragma once

#include "orthogonalize.hpp"
#include "parallel.hpp"
#include "round.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <memory>

namespace tensortrain {

// ---------------------------------------------------------------------------------------------
// Interface
// ---------------------------------------------------------------------------------------------

// The tangent space at a point X, held as the two orthogonal forms of X.
// U[k] (k < d-1) left-orthonormal, U[d-1] = S the last core of the left-orthogonalized X, so
// X = U[0]...U[d-1]; V[k] (k > 0) right-orthonormal with X = V[0] V[1]...V[d-1] (V[0] is the first
// core of the right-orthogonalized X; the tangent space does not use it). No rank truncation: ranks
// only shrink where they exceed what the mode sizes allow.
struct RightOrthogonal {};  // tag: the train's cores 1..d-1 are right-orthonormal already

template <class T>
struct TangentSpace {
    static_assert(!is_complex_v<T>, "TangentSpace: real scalars only (float, double)");
    std::vector<Core<T>> U, V;

    explicit TangentSpace(const TensorTrain<T>& X);  // X must be nonzero and finite
    // X in right-orthogonal form (as retract() returns it): V = X's cores, one left sweep for U
    // instead of three sweeps. The caller vouches for the orthogonality.
    TangentSpace(TensorTrain<T> X, RightOrthogonal);
    Index ndim() const { return (Index)U.size(); }
    std::vector<Index> shape() const;
    std::vector<Index> ranks() const;  // r_0..r_d of the left-orthogonalized X
    TensorTrain<T> point() const { return TensorTrain<T>(U); }
};

// xi = sum_k U[0..k-1] delta[k] V[k+1..d-1]; delta[k] has shape (r_k, n_k, r_{k+1}) and, for
// k < d-1, satisfies the gauge U[k].left()^T delta[k].left() = 0.
template <class T>
struct TangentVector {
    static_assert(!is_complex_v<T>, "TangentVector: real scalars only (float, double)");
    std::vector<Core<T>> delta;
};

// Orthogonal projection P_X Z, by left interfaces U^T Z and right interfaces Z V^T:
// O(d n r r_Z (r + r_Z)).
template <class T>
TangentVector<T> project(const TangentSpace<T>& S, const TensorTrain<T>& Z);
// P_X (sum_i coefs[i] Zs[i]) without forming the sum (its ranks would add up).
template <class T>
TangentVector<T> project(const TangentSpace<T>& S, const std::vector<const TensorTrain<T>*>& Zs,
                         const std::vector<T>& coefs);
// The tangent vector as a train of ranks 2 r_k (boundary ranks 1).
template <class T>
TensorTrain<T> to_tt(const TangentSpace<T>& S, const TangentVector<T>& v);
// <to_tt(a), to_tt(b)> = sum_k <delta_a[k], delta_b[k]> (orthogonal terms, isometric maps).
template <class T>
T inner(const TangentVector<T>& a, const TangentVector<T>& b);
template <class T>
real_t<T> norm(const TangentVector<T>& a);
// a x + b y.
template <class T>
TangentVector<T> lincomb(T a, const TangentVector<T>& x, T b, const TangentVector<T>& y);
// X + t v rounded back to the ranks of X (per bond, by a QR sweep and an SVD sweep of the rank-2r
// train whose last delta carries X): a second-order retraction, ||R(t v) - (X + t v)|| = O(t^2).
template <class T>
TensorTrain<T> retract(const TangentSpace<T>& S, const TangentVector<T>& v, T t);
// Vector transport by projection: P_to(to_tt(from, v)).
template <class T>
TangentVector<T> transport(const TangentSpace<T>& to, const TangentSpace<T>& from, const TangentVector<T>& v);

// Largest memory (bytes) SampledFrames may take before refusing with a SizeError.
inline double& max_sampled_frames_bytes() {
    static double limit = 4.0 * 1073741824.0;  // 4 GiB
    return limit;
}

// Per-sample frames of a tangent space for completion-type objectives on M multi-indices
// (row-major M x d, idx[m*d + k]): the left rows U[0](i_0)...U[k-1](i_{k-1}) and right columns
// V[k+1](i_{k+1})...V[d-1](i_{d-1}) of every sample, about 2 M d r numbers. The frames of mode k
// are stored in the order of the samples sorted by i_k (a stable counting sort): the samples that
// share a slice of core k are then adjacent columns, so building the frames, tangent_values and
// project are GEMMs per slice instead of r x r products per sample. Threads take runs of such
// samples (pieces); no thread needs a private copy of the cores, and results do not depend on
// the thread count.
template <class T>
class SampledFrames {
    static_assert(!is_complex_v<T>, "SampledFrames: real scalars only (float, double)");

  public:
    SampledFrames(const TangentSpace<T>& S, const Index* idx, Index M);
    // The frames at a new point of the same shape, for the same samples: keeps the sort and reuses
    // the memory (an iterative method calls this once per step instead of constructing anew).
    void update(const TangentSpace<T>& S);

    Index size() const { return M_; }
    Index ndim() const { return d_; }
    Vec<T> point_values() const;                             // X at the samples
    Vec<T> tangent_values(const TangentVector<T>& v) const;  // to_tt(v) at the samples, O(M d r^2)
    // P_X of the sparse tensor sum_m vals[m] e_{i_m} (repeated indices add), O(M d r^2).
    TangentVector<T> project(const T* vals) const;

  private:
    // A run of sorted positions [p0, p1) of mode k, all with index i. Groups longer than kPiece
    // are split so that the work spreads over threads when a mode has few indices; in project the
    // pieces of a split group accumulate into scratch at `slot` (else slot = -1: straight into the
    // slice) and are summed in order afterwards.
    static constexpr Index kPiece = 2048;
    struct Piece {
        Index k, i, p0, p1, slot;
    };
    struct Split {  // the pieces [q0, q1) of one split group
        Index q0, q1;
    };

    Index d_ = 0, M_ = 0;
    std::vector<Index> n_, r_;
    std::vector<Core<T>> U_;               // the left-orthogonal cores (gauge) and S (point values)
    std::vector<Index> perm_;              // perm_[k*M + p]: the sample at sorted position p of mode k
    std::vector<Index> inv_;               // inv_[k*M + m]: the sorted position of sample m in mode k
    std::vector<detail::Buffer<T>> L_, R_;  // L_[k]: r_k x M, R_[k]: r_{k+1} x M, column p = position p
    std::vector<Piece> pieces_;            // ordered by k, then i
    std::vector<Index> piece_start_;       // pieces of mode k: [piece_start_[k], piece_start_[k+1])
    std::vector<Split> splits_;
    Index scratch_size_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

namespace detail {

// The part both TangentSpace constructors share: Y left-orthogonal, W right-orthogonal forms of X.
template <class T>
void check_orthogonal_forms(const TensorTrain<T>& Y, const TensorTrain<T>& W) {
    const real_t<T> nrm = Y.core(Y.ndim() - 1).vec().norm();
    TT_REQUIRE(nrm > 0 && std::isfinite(nrm), "TangentSpace: the point X must be a nonzero finite tensor, got ||X|| = ",
               nrm);
    if (W.ranks() != Y.ranks())
        throw Error(cat("TangentSpace: left- and right-orthogonal forms have ranks ", vec_str(Y.ranks()), " and ",
                        vec_str(W.ranks())));
}

template <class T>
void check_tangent(const std::vector<Core<T>>& U, const TangentVector<T>& v, const char* what) {
    TT_REQUIRE(v.delta.size() == U.size(), what, ": the tangent vector has ", v.delta.size(),
               " cores, the tangent space has ", U.size(), " modes");
    for (std::size_t k = 0; k < U.size(); ++k) {
        const Core<T>& a = v.delta[k];
        const Core<T>& b = U[k];
        TT_REQUIRE(a.r0() == b.r0() && a.n() == b.n() && a.r1() == b.r1(), what, ": delta[", k, "] has shape (",
                   a.r0(), ", ", a.n(), ", ", a.r1(), "), the tangent space expects (", b.r0(), ", ", b.n(), ", ",
                   b.r1(), ")");
    }
}

template <class T>
void check_same_layout(const TangentVector<T>& a, const TangentVector<T>& b, const char* what) {
    TT_REQUIRE(a.delta.size() == b.delta.size(), what, ": the tangent vectors have ", a.delta.size(), " and ",
               b.delta.size(), " cores");
    for (std::size_t k = 0; k < a.delta.size(); ++k) {
        const Core<T>& x = a.delta[k];
        const Core<T>& y = b.delta[k];
        TT_REQUIRE(x.r0() == y.r0() && x.n() == y.n() && x.r1() == y.r1(), what, ": delta[", k,
                   "] has shapes (", x.r0(), ", ", x.n(), ", ", x.r1(), ") and (", y.r0(), ", ", y.n(), ", ",
                   y.r1(), ")");
    }
}

// D <- (I - U U^T) D on the left unfoldings: removes the component that belongs to the next term.
template <class T>
void gauge_project(const Core<T>& U, Core<T>& D) {
    const Index m = U.r0() * U.n(), r = U.r1();
    Mat<T> G(r, r);
    linalg::gemm<T>('T', 'N', r, r, m, T(1), U.data(), m, D.data(), m, T(0), G.data(), r);
    linalg::gemm<T>('N', 'N', m, r, r, T(-1), U.data(), m, G.data(), r, T(1), D.data(), m);
}

// The cores of X' + t v, where X' = X when with_point and 0 otherwise: block cores
// [t delta_0, U_0], [[V_k, 0], [t delta_k, U_k]], [[V_{d-1}], [t delta_{d-1} + S]].
template <class T>
TensorTrain<T> tangent_cores(const TangentSpace<T>& S, const TangentVector<T>& v, T t, bool with_point) {
    const Index d = S.ndim();
    std::vector<Core<T>> cores;
    cores.reserve((std::size_t)d);
    if (d == 1) {
        Core<T> c(1, S.U[0].n(), 1, Uninitialized{});
        c.vec() = t * v.delta[0].vec();
        if (with_point) c.vec() += S.U[0].vec();
        cores.push_back(std::move(c));
        return TensorTrain<T>(std::move(cores));
    }
    for (Index k = 0; k < d; ++k) {
        const Core<T>& Uk = S.U[(std::size_t)k];
        const Core<T>& Dk = v.delta[(std::size_t)k];
        const Index r0 = Uk.r0(), n = Uk.n(), r1 = Uk.r1();
        const bool first = k == 0, last = k == d - 1;
        Core<T> c(first ? 1 : 2 * r0, n, last ? 1 : 2 * r1);  // zeros
        for (Index i = 0; i < n; ++i) {
            auto ci = c.slice(i);
            if (first) {
                ci.leftCols(r1) = t * Dk.slice(i);
                ci.rightCols(r1) = Uk.slice(i);
            } else if (last) {
                ci.topRows(r0) = S.V[(std::size_t)k].slice(i);
                ci.bottomRows(r0) = t * Dk.slice(i);
                if (with_point) ci.bottomRows(r0) += Uk.slice(i);
            } else {
                ci.topLeftCorner(r0, r1) = S.V[(std::size_t)k].slice(i);
                ci.bottomLeftCorner(r0, r1) = t * Dk.slice(i);
                ci.bottomRightCorner(r0, r1) = Uk.slice(i);
            }
        }
        cores.push_back(std::move(c));
    }
    return TensorTrain<T>(std::move(cores));
}

// BLAS on one thread for a scope, when the engine's own threads are about to run.
class SerialBlas {
  public:
    explicit SerialBlas(bool active) {
        if (active && max_threads() > 1) guard_ = std::make_unique<linalg::BlasThreadGuard>(1);
    }

  private:
    std::unique_ptr<linalg::BlasThreadGuard> guard_;
};

// Work (flops) below which the engine's loops stay on one thread.
constexpr double kRiemannianSerialWork = 2e5;
inline Index grain_for(double work) {
    return work >= kRiemannianSerialWork ? 1 : std::numeric_limits<Index>::max();
}

}  // namespace detail

template <class T>
TangentSpace<T>::TangentSpace(const TensorTrain<T>& X) {
    X.validate();
    TT_REQUIRE(X.all_finite(), "TangentSpace: the point X contains NaN or Inf");
    const Index d = X.ndim();
    // Right then left sweep: afterwards r_k <= n_k r_{k+1} and r_{k+1} <= r_k n_k at every bond, so
    // the right-orthogonal copy keeps exactly the ranks of the left-orthogonal one.
    TensorTrain<T> Y = X;
    if (d > 1) right_orthogonalize(Y, 0);
    left_orthogonalize(Y, d - 1);
    TensorTrain<T> W = Y;
    if (d > 1) right_orthogonalize(W, 0);
    detail::check_orthogonal_forms(Y, W);
    U = std::move(Y.cores());
    V = std::move(W.cores());
}

template <class T>
TangentSpace<T>::TangentSpace(TensorTrain<T> X, RightOrthogonal) {
    X.validate();
    TT_REQUIRE(X.all_finite(), "TangentSpace: the point X contains NaN or Inf");
    const Index d = X.ndim();
    TensorTrain<T> Y = X;
    left_orthogonalize(Y, d - 1);
    detail::check_orthogonal_forms(Y, X);
    U = std::move(Y.cores());
    V = std::move(X.cores());
}

template <class T>
std::vector<Index> TangentSpace<T>::shape() const {
    std::vector<Index> s;
    for (auto& c : U) s.push_back(c.n());
    return s;
}

template <class T>
std::vector<Index> TangentSpace<T>::ranks() const {
    std::vector<Index> r;
    if (U.empty()) return r;
    r.push_back(U.front().r0());
    for (auto& c : U) r.push_back(c.r1());
    return r;
}

template <class T>
TangentVector<T> project(const TangentSpace<T>& S, const std::vector<const TensorTrain<T>*>& Zs,
                         const std::vector<T>& coefs) {
    const Index d = S.ndim();
    const Index nz = (Index)Zs.size();
    TT_REQUIRE(coefs.size() == Zs.size(), "project: ", Zs.size(), " trains but ", coefs.size(), " coefficients");
    const std::vector<Index> shape = S.shape();
    double work = 0;
    for (Index z = 0; z < nz; ++z) {
        const TensorTrain<T>* Z = Zs[(std::size_t)z];
        TT_REQUIRE(Z != nullptr, "project: train ", z, " is a null pointer");
        Z->validate();
        TT_REQUIRE(Z->shape() == shape, "project: train ", z, " has shape ", detail::vec_str(Z->shape()),
                   ", the tangent space has shape ", detail::vec_str(shape));
        for (Index k = 0; k < d; ++k) {
            const double r = (double)S.U[(std::size_t)k].r1(), s = (double)Z->core(k).r1();
            work += 4 * (double)shape[(std::size_t)k] * r * s * (r + s);
        }
    }
    // Phase 1, per train: right interfaces R_k = Z_{>=k} V_{>=k}^T (s_k x r_k, k = 1..d) and the
    // left partial contractions T_k = (U_<k^T Z_<k) Z_k as (r_k n_k x s_{k+1}) matrices.
    std::vector<std::vector<Mat<T>>> Rs((std::size_t)nz), Ts((std::size_t)nz);
    const Index gp = detail::grain_for(work);
    detail::SerialBlas serial_blas(gp == 1);
    parallel_for(
        0, 2 * nz,
        [&](Index task) {
            const TensorTrain<T>& Z = *Zs[(std::size_t)(task / 2)];
            if (task % 2 == 0) {
                auto& R = Rs[(std::size_t)(task / 2)];
                R.assign((std::size_t)d + 1, Mat<T>());
                R[(std::size_t)d] = Mat<T>::Ones(1, 1);
                for (Index k = d - 1; k >= 1; --k) {
                    const Core<T>& G = Z.core(k);
                    const Core<T>& Vk = S.V[(std::size_t)k];
                    const Index s0 = G.r0(), n = G.n(), s1 = G.r1(), r0 = Vk.r0(), r1 = Vk.r1();
                    Mat<T> W(s0 * n, r1);  // Z_k R_{k+1}, a (s0, n, r1) core
                    linalg::gemm<T>('N', 'N', s0 * n, r1, s1, T(1), G.data(), s0 * n, R[(std::size_t)k + 1].data(),
                                    s1, T(0), W.data(), s0 * n);
                    Mat<T>& Rk = R[(std::size_t)k];
                    Rk.resize(s0, r0);
                    linalg::gemm<T>('N', 'T', s0, r0, n * r1, T(1), W.data(), s0, Vk.data(), r0, T(0), Rk.data(), s0);
                }
            } else {
                auto& Tv = Ts[(std::size_t)(task / 2)];
                Tv.assign((std::size_t)d, Mat<T>());
                Mat<T> L = Mat<T>::Ones(1, 1);
                for (Index k = 0; k < d; ++k) {
                    const Core<T>& G = Z.core(k);
                    const Core<T>& Uk = S.U[(std::size_t)k];
                    const Index s0 = G.r0(), n = G.n(), s1 = G.r1(), r0 = Uk.r0(), r1 = Uk.r1();
                    Mat<T>& Tk = Tv[(std::size_t)k];
                    Tk.resize(r0 * n, s1);
                    linalg::gemm<T>('N', 'N', r0, n * s1, s0, T(1), L.data(), r0, G.data(), s0, T(0), Tk.data(), r0);
                    if (k + 1 < d) {
                        Mat<T> Ln(r1, s1);
                        linalg::gemm<T>('T', 'N', r1, s1, r0 * n, T(1), Uk.data(), r0 * n, Tk.data(), r0 * n, T(0),
                                        Ln.data(), r1);
                        L = std::move(Ln);
                    }
                }
            }
        },
        gp);
    // Phase 2, per mode: delta_k = gauge(sum_z c_z T_k R_{k+1}).
    TangentVector<T> out;
    out.delta.resize((std::size_t)d);
    parallel_for(
        0, d,
        [&](Index k) {
            const Core<T>& Uk = S.U[(std::size_t)k];
            const Index m = Uk.r0() * Uk.n(), r1 = Uk.r1();
            Core<T> D(Uk.r0(), Uk.n(), r1);  // zeros
            for (Index z = 0; z < nz; ++z) {
                const Mat<T>& Tk = Ts[(std::size_t)z][(std::size_t)k];
                const Mat<T>& R = Rs[(std::size_t)z][(std::size_t)k + 1];
                linalg::gemm<T>('N', 'N', m, r1, Tk.cols(), coefs[(std::size_t)z], Tk.data(), m, R.data(), R.rows(),
                                T(1), D.data(), m);
            }
            if (k + 1 < d) detail::gauge_project(Uk, D);
            out.delta[(std::size_t)k] = std::move(D);
        },
        gp);
    return out;
}

template <class T>
TangentVector<T> project(const TangentSpace<T>& S, const TensorTrain<T>& Z) {
    return project(S, std::vector<const TensorTrain<T>*>{&Z}, std::vector<T>{T(1)});
}

template <class T>
TensorTrain<T> to_tt(const TangentSpace<T>& S, const TangentVector<T>& v) {
    detail::check_tangent(S.U, v, "to_tt");
    return detail::tangent_cores(S, v, T(1), false);
}

template <class T>
T inner(const TangentVector<T>& a, const TangentVector<T>& b) {
    detail::check_same_layout(a, b, "inner");
    T s = T(0);
    for (std::size_t k = 0; k < a.delta.size(); ++k) s += a.delta[k].vec().dot(b.delta[k].vec());
    return s;
}

template <class T>
real_t<T> norm(const TangentVector<T>& a) {
    real_t<T> s = 0;
    for (auto& c : a.delta) s += c.vec().squaredNorm();
    return std::sqrt(s);
}

template <class T>
TangentVector<T> lincomb(T a, const TangentVector<T>& x, T b, const TangentVector<T>& y) {
    detail::check_same_layout(x, y, "lincomb");
    TangentVector<T> out;
    out.delta.reserve(x.delta.size());
    for (std::size_t k = 0; k < x.delta.size(); ++k) {
        const Core<T>& c = x.delta[k];
        Core<T> o(c.r0(), c.n(), c.r1(), Uninitialized{});
        o.vec() = a * c.vec() + b * y.delta[k].vec();
        out.delta.push_back(std::move(o));
    }
    return out;
}

template <class T>
TensorTrain<T> retract(const TangentSpace<T>& S, const TangentVector<T>& v, T t) {
    detail::check_tangent(S.U, v, "retract");
    TT_REQUIRE(std::isfinite(t), "retract: the step t must be finite, got ", t);
    const Index d = S.ndim();
    TensorTrain<T> Y = detail::tangent_cores(S, v, t, true);
    if (d == 1) return Y;
    const std::vector<Index> r = S.ranks();
    // QR sweep (Q factors kept implicit), then bond by bond from the right an SVD truncated to r_k:
    // the ranks of X differ from bond to bond, so round()'s single max_rank does not fit.
    auto qrs = detail::left_orthogonalize_implicit(Y, d - 1);
    real_t<T> err2 = 0;
    for (Index k = d - 1; k >= 1; --k)
        detail::truncate_leftward(Y, qrs, k, k - 1, real_t<T>(0), r[(std::size_t)k], err2);
    return Y;
}

template <class T>
TangentVector<T> transport(const TangentSpace<T>& to, const TangentSpace<T>& from, const TangentVector<T>& v) {
    TT_REQUIRE(to.shape() == from.shape(), "transport: the tangent spaces have shapes ", detail::vec_str(to.shape()),
               " and ", detail::vec_str(from.shape()));
    return project(to, to_tt(from, v));
}

// --- SampledFrames ----------------------------------------------------------------------------

template <class T>
SampledFrames<T>::SampledFrames(const TangentSpace<T>& S, const Index* idx, Index M)
    : d_(S.ndim()), M_(M), n_(S.shape()) {
    const Index d = d_;
    TT_REQUIRE(d >= 1, "SampledFrames: the tangent space has no modes");
    TT_REQUIRE(M >= 0, "SampledFrames: the number of samples must be >= 0, got ", M);
    TT_REQUIRE(M == 0 || idx != nullptr, "SampledFrames: ", M, " samples but a null index array");
    for (Index m = 0; m < M; ++m)
        for (Index k = 0; k < d; ++k) {
            const Index i = idx[m * d + k];
            TT_REQUIRE(i >= 0 && i < n_[(std::size_t)k], "SampledFrames: sample ", m, " has index ", i, " in mode ",
                       k, ", which has size ", n_[(std::size_t)k]);
        }
    // Refuse before the sort allocates anything (update checks again, with the frames).
    const std::vector<Index> r = S.ranks();
    double per_sample = 2.0 * (double)d * sizeof(Index);
    for (Index k = 0; k < d; ++k) per_sample += (double)(r[(std::size_t)k] + r[(std::size_t)k + 1]) * sizeof(T);
    if (per_sample * (double)M > max_sampled_frames_bytes())
        throw SizeError(detail::cat("SampledFrames: ", M, " samples in ", d, " modes with ranks ", detail::vec_str(r),
                                    " need ", per_sample * (double)M / 1073741824.0, " GiB, more than the limit of ",
                                    max_sampled_frames_bytes() / 1073741824.0,
                                    " GiB (max_sampled_frames_bytes()); use fewer samples per batch"));

    // Stable counting sort of the samples by their index in each mode.
    perm_.resize((std::size_t)(d * M));
    inv_.resize((std::size_t)(d * M));
    std::vector<std::vector<Index>> start((std::size_t)d);
    parallel_for(
        0, d,
        [&](Index k) {
            const Index n = n_[(std::size_t)k];
            std::vector<Index>& st = start[(std::size_t)k];
            st.assign((std::size_t)n + 1, 0);
            for (Index m = 0; m < M; ++m) ++st[(std::size_t)idx[m * d + k] + 1];
            for (Index i = 0; i < n; ++i) st[(std::size_t)i + 1] += st[(std::size_t)i];
            std::vector<Index> pos(st.begin(), st.end() - 1);
            Index* pk = perm_.data() + k * M;
            Index* ik = inv_.data() + k * M;
            for (Index m = 0; m < M; ++m) {
                const Index p = pos[(std::size_t)idx[m * d + k]]++;
                pk[p] = m;
                ik[m] = p;
            }
        },
        detail::grain_for(10.0 * (double)(M * d)));

    piece_start_.assign((std::size_t)d + 1, 0);
    for (Index k = 0; k < d; ++k) {
        const std::vector<Index>& st = start[(std::size_t)k];
        for (Index i = 0; i < n_[(std::size_t)k]; ++i) {
            const Index b = st[(std::size_t)i], e = st[(std::size_t)i + 1];
            if (e == b) continue;
            const Index q0 = (Index)pieces_.size();
            for (Index p = b; p < e; p += kPiece) pieces_.push_back({k, i, p, std::min(e, p + kPiece), -1});
            if (e - b > kPiece) splits_.push_back({q0, (Index)pieces_.size()});
        }
        piece_start_[(std::size_t)k + 1] = (Index)pieces_.size();
    }
    L_.resize((std::size_t)d);
    R_.resize((std::size_t)d);
    update(S);
}

template <class T>
void SampledFrames<T>::update(const TangentSpace<T>& S) {
    const Index d = d_, M = M_;
    TT_REQUIRE(S.shape() == n_, "SampledFrames::update: the tangent space has shape ", detail::vec_str(S.shape()),
               ", the samples were taken for shape ", detail::vec_str(n_));
    const std::vector<Index> r = S.ranks();
    double per_sample = 2.0 * (double)d * sizeof(Index), rr = 0;  // rr = sum_k r_k r_{k+1}
    for (Index k = 0; k < d; ++k) {
        per_sample += (double)(r[(std::size_t)k] + r[(std::size_t)k + 1]) * sizeof(T);
        rr += (double)(r[(std::size_t)k] * r[(std::size_t)k + 1]);
    }
    if (per_sample * (double)M > max_sampled_frames_bytes())
        throw SizeError(detail::cat("SampledFrames: ", M, " samples in ", d, " modes with ranks ", detail::vec_str(r),
                                    " need ", per_sample * (double)M / 1073741824.0, " GiB, more than the limit of ",
                                    max_sampled_frames_bytes() / 1073741824.0,
                                    " GiB (max_sampled_frames_bytes()); use fewer samples per batch"));
    r_ = r;
    U_ = S.U;
    scratch_size_ = 0;
    for (const Split& sp : splits_)
        for (Index q = sp.q0; q < sp.q1; ++q) {
            Piece& pc = pieces_[(std::size_t)q];
            pc.slot = scratch_size_;
            scratch_size_ += r_[(std::size_t)pc.k] * r_[(std::size_t)pc.k + 1];
        }
    for (Index k = 0; k < d; ++k) {
        if (L_[(std::size_t)k].size() != M * r_[(std::size_t)k])
            L_[(std::size_t)k] = detail::Buffer<T>(M * r_[(std::size_t)k]);
        if (R_[(std::size_t)k].size() != M * r_[(std::size_t)k + 1])
            R_[(std::size_t)k] = detail::Buffer<T>(M * r_[(std::size_t)k + 1]);
    }
    if (M == 0) return;

    // The frames, one mode at a time: the products with the slices of core k are GEMMs per piece
    // in mode-k order, whose columns are then scattered to their positions in the next mode's
    // order. The scattered writes are random and latency-bound: the target offsets are resolved
    // first and the target rows prefetched a few columns ahead.
    std::fill(L_[0].data(), L_[0].data() + M, T(1));
    std::fill(R_[(std::size_t)d - 1].data(), R_[(std::size_t)d - 1].data() + M, T(1));
    const Index gp = detail::grain_for(2 * (double)M * rr);
    detail::SerialBlas serial_blas(gp == 1);
    // step(k, next, G, trans): frames of mode `next` = op(slices of G) times the frames of mode k
    auto step = [&](Index k, Index next, const Core<T>& G, bool left) {
        const Index r0 = G.r0(), n = G.n(), r1 = G.r1();
        const Index rin = left ? r0 : r1, rout = left ? r1 : r0;
        const T* in = left ? L_[(std::size_t)k].data() : R_[(std::size_t)k].data();
        T* out = left ? L_[(std::size_t)next].data() : R_[(std::size_t)next].data();
        const Index* perm = perm_.data() + k * M;
        const Index* iv = inv_.data() + next * M;
        const std::size_t row_bytes = (std::size_t)rout * sizeof(T);
        const Index ahead = 8;
        parallel_for(
            piece_start_[(std::size_t)k], piece_start_[(std::size_t)k + 1],
            [&](Index q) {
                const Piece& pc = pieces_[(std::size_t)q];
                const Index np = pc.p1 - pc.p0;
                Mat<T> Y(rout, np);
                linalg::gemm<T>(left ? 'T' : 'N', 'N', rout, np, rin, T(1), G.data() + r0 * pc.i, r0 * n,
                                in + rin * pc.p0, rin, T(0), Y.data(), rout);
                std::vector<T*> dst((std::size_t)np);
                for (Index p = 0; p < np; ++p) dst[(std::size_t)p] = out + rout * iv[perm[pc.p0 + p]];
                for (Index p = 0; p < np; ++p) {
                    if (p + ahead < np) {
                        char* a = reinterpret_cast<char*>(dst[(std::size_t)(p + ahead)]);
                        for (std::size_t b = 0; b < row_bytes; b += 64) __builtin_prefetch(a + b, 1);
                        __builtin_prefetch(a + row_bytes - 1, 1);
                    }
                    std::memcpy(dst[(std::size_t)p], Y.data() + rout * p, row_bytes);
                }
            },
            gp);
    };
    for (Index k = 0; k + 1 < d; ++k) step(k, k + 1, S.U[(std::size_t)k], true);    // L_{k+1} = U_k(i_k)^T L_k
    for (Index k = d - 1; k >= 1; --k) step(k, k - 1, S.V[(std::size_t)k], false);  // R_{k-1} = V_k(i_k) R_k
}

template <class T>
Vec<T> SampledFrames<T>::point_values() const {
    Vec<T> out(M_);
    const Index k = d_ - 1, r0 = r_[(std::size_t)k];
    const Core<T>& G = U_[(std::size_t)k];  // r1 = 1: slice i is the contiguous column at r0*i
    const Index* perm = perm_.data() + k * M_;
    const T* Lk = L_[(std::size_t)k].data();
    parallel_for(
        piece_start_[(std::size_t)k], piece_start_[(std::size_t)k + 1],
        [&](Index q) {
            const Piece& pc = pieces_[(std::size_t)q];
            const Index np = pc.p1 - pc.p0;
            const Vec<T> vals = ConstMatMap<T>(Lk + r0 * pc.p0, r0, np).transpose() *
                                Eigen::Map<const Vec<T>>(G.data() + r0 * pc.i, r0);
            for (Index p = 0; p < np; ++p) out[perm[pc.p0 + p]] = vals[p];
        },
        detail::grain_for(2.0 * (double)M_ * (double)r0));
    return out;
}

template <class T>
Vec<T> SampledFrames<T>::tangent_values(const TangentVector<T>& v) const {
    detail::check_tangent(U_, v, "SampledFrames::tangent_values");
    Vec<T> out = Vec<T>::Zero(M_);
    double rr = 0;
    for (Index k = 0; k < d_; ++k) rr += (double)(r_[(std::size_t)k] * r_[(std::size_t)k + 1]);
    const Index gp = detail::grain_for(2.0 * (double)M_ * rr);
    detail::SerialBlas serial_blas(gp == 1);
    // Per piece: Y = delta_k(i) R (r_k x np), then the column dots with L.
    for (Index k = 0; k < d_; ++k) {
        const Core<T>& D = v.delta[(std::size_t)k];
        const Index r0 = D.r0(), n = D.n(), r1 = D.r1();
        const Index* perm = perm_.data() + k * M_;
        const T* Lk = L_[(std::size_t)k].data();
        const T* Rk = R_[(std::size_t)k].data();
        parallel_for(
            piece_start_[(std::size_t)k], piece_start_[(std::size_t)k + 1],
            [&](Index q) {
                const Piece& pc = pieces_[(std::size_t)q];
                const Index np = pc.p1 - pc.p0;
                Mat<T> Y(r0, np);
                linalg::gemm<T>('N', 'N', r0, np, r1, T(1), D.data() + r0 * pc.i, r0 * n, Rk + r1 * pc.p0, r1, T(0),
                                Y.data(), r0);
                ConstMatMap<T> Lp(Lk + r0 * pc.p0, r0, np);
                for (Index p = 0; p < np; ++p) out[perm[pc.p0 + p]] += Lp.col(p).dot(Y.col(p));
            },
            gp);
    }
    return out;
}

template <class T>
TangentVector<T> SampledFrames<T>::project(const T* vals) const {
    TT_REQUIRE(M_ == 0 || vals != nullptr, "SampledFrames::project: null values for ", M_, " samples");
    const Index d = d_;
    double rr = 0, gauge_work = 0;
    TangentVector<T> out;
    for (Index k = 0; k < d; ++k) {
        const Index r0 = r_[(std::size_t)k], r1 = r_[(std::size_t)k + 1];
        rr += (double)(r0 * r1);
        if (k + 1 < d) gauge_work += 4.0 * (double)(r0 * n_[(std::size_t)k]) * (double)(r1 * r1);
        out.delta.emplace_back(r0, n_[(std::size_t)k], r1);  // zeros
    }
    const Index gp = detail::grain_for(2.0 * (double)M_ * rr);
    detail::Buffer<T> scratch(scratch_size_);
    {
        // Per piece: slice i of delta_k += L diag(vals) R^T (r_k x r_{k+1}), a GEMM over the piece.
        detail::SerialBlas serial_blas(gp == 1);
        parallel_for(
            0, (Index)pieces_.size(),
            [&](Index q) {
                const Piece& pc = pieces_[(std::size_t)q];
                const Index k = pc.k, r0 = r_[(std::size_t)k], r1 = r_[(std::size_t)k + 1], np = pc.p1 - pc.p0;
                const Index* perm = perm_.data() + k * M_ + pc.p0;
                Mat<T> Rv(r1, np);
                ConstMatMap<T> Rp(R_[(std::size_t)k].data() + r1 * pc.p0, r1, np);
                for (Index p = 0; p < np; ++p) Rv.col(p) = vals[perm[p]] * Rp.col(p);
                Core<T>& C = out.delta[(std::size_t)k];
                T* dst = pc.slot < 0 ? C.data() + r0 * pc.i : scratch.data() + pc.slot;
                const Index ld = pc.slot < 0 ? r0 * n_[(std::size_t)k] : r0;
                linalg::gemm<T>('N', 'T', r0, r1, np, T(1), L_[(std::size_t)k].data() + r0 * pc.p0, r0, Rv.data(), r1,
                                T(0), dst, ld);
            },
            gp);
    }
    parallel_for(
        0, (Index)splits_.size(),
        [&](Index s) {
            const Split& sp = splits_[(std::size_t)s];
            const Piece& first = pieces_[(std::size_t)sp.q0];
            const Index k = first.k, r0 = r_[(std::size_t)k], r1 = r_[(std::size_t)k + 1];
            auto slice = out.delta[(std::size_t)k].slice(first.i);
            for (Index q = sp.q0; q < sp.q1; ++q)
                slice += ConstMatMap<T>(scratch.data() + pieces_[(std::size_t)q].slot, r0, r1);
        },
        detail::grain_for((double)scratch_size_));
    const Index gg = detail::grain_for(gauge_work);
    detail::SerialBlas serial_blas(gg == 1);
    parallel_for(
        0, d - 1, [&](Index k) { detail::gauge_project(U_[(std::size_t)k], out.delta[(std::size_t)k]); }, gg);
    return out;
}

}  // namespace tensortrain
