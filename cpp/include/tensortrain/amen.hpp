// SPDX-License-Identifier: BSD-3-Clause
#pragma once
// AMEn for A x = b in the TT format (Dolgov & Savostyanov, SIAM J. Sci. Comput. 36 (2014)):
// one-site sweeps solve the system projected on the current interfaces (orthonormal by QR), and
// after each core the basis is enriched by the residual projected on a low-rank train z that
// tracks it. The local system is solved directly when small and iteratively when large (the local
// operator applied through the environments, never formed): conjugate gradients when A is
// symmetric, restarted GMRES otherwise or when CG finds A indefinite.
#include "arithmetic.hpp"
#include "linalg.hpp"
#include "orthogonalize.hpp"
#include "environments.hpp"
#include "random.hpp"
#include "tt_matrix.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace tensortrain {

struct AmenProgress {
    Index sweep = 0;
    double residual = 0;  // ||A x - b|| / ||b|| after the sweep
    Index max_rank = 0;
};

struct AmenOptions {
    double rtol = 1e-8;         // stop at ||A x - b|| <= rtol ||b||
    Index max_rank = 64;
    Index n_sweeps = 20;
    Index residual_rank = 4;    // rank of the residual tracker z (the enrichment per step)
    Index dense_limit = 100;    // local systems up to this size are solved directly
    Index gmres_restart = 40;
    Index gmres_max_restarts = 20;
    std::uint64_t seed = 0;
    std::function<bool(const AmenProgress&)> callback;
};

template <class T>
struct AmenResult {
    TensorTrain<T> x;
    std::vector<double> residuals;  // relative residual after each sweep
    Index n_sweeps = 0;
    bool converged = false;
    std::string stop_reason;        // converged, n_sweeps, callback
};

namespace detail {

// Restarted GMRES for the local system; x is the start and the result. The residual is tracked
// inside each cycle by Givens rotations, so the solve stops as soon as it is below tol ||f||.
// Returns the relative residual reached (recomputed from x at the end).
template <class T, class Apply>
double gmres(const Apply& apply, const Vec<T>& f, Vec<T>& x, double tol, Index m, Index max_restarts) {
    const Index n = f.size();
    const double nf = (double)f.norm();
    if (nf == 0) {
        x.setZero();
        return 0;
    }
    m = std::max<Index>(1, std::min(m, n));
    Mat<T> V(n, m + 1), H(m + 1, m);
    Vec<T> g(m + 1), cs(m), sn(m);
    double rel = 1;
    for (Index rs = 0;; ++rs) {
        Vec<T> r = f - apply(x);
        const T beta = r.norm();
        rel = (double)beta / nf;
        if (rel <= tol || rs > max_restarts) break;
        H.setZero();
        g.setZero();
        g(0) = beta;
        V.col(0) = r / beta;
        Index j = 0;
        while (j < m) {
            Vec<T> w = apply(V.col(j));
            // classical Gram-Schmidt, repeated once when it cancels much (DGKS)
            const double w0 = (double)w.norm();
            Vec<T> h = V.leftCols(j + 1).transpose() * w;
            w.noalias() -= V.leftCols(j + 1) * h;
            if ((double)w.norm() < 0.7 * w0) {
                const Vec<T> h2 = V.leftCols(j + 1).transpose() * w;
                w.noalias() -= V.leftCols(j + 1) * h2;
                h += h2;
            }
            H.col(j).head(j + 1) = h;
            const T hn = w.norm();
            for (Index i = 0; i < j; ++i) {  // earlier rotations
                const T a = H(i, j), b = H(i + 1, j);
                H(i, j) = cs(i) * a + sn(i) * b;
                H(i + 1, j) = -sn(i) * a + cs(i) * b;
            }
            const T a = H(j, j), den = std::hypot(a, hn);
            cs(j) = den > 0 ? a / den : T(1);
            sn(j) = den > 0 ? hn / den : T(0);
            H(j, j) = den;
            g(j + 1) = -sn(j) * g(j);
            g(j) = cs(j) * g(j);
            ++j;
            const bool breakdown = !(hn > T(1e-14) * beta);
            if (breakdown || (double)std::abs(g(j)) <= tol * nf) break;
            V.col(j) = w / hn;
        }
        // back substitution in the rotated (upper triangular) H
        const Vec<T> y = H.topLeftCorner(j, j).template triangularView<Eigen::Upper>().solve(g.head(j));
        x.noalias() += V.leftCols(j) * y;
    }
    return rel;
}

// Conjugate gradients for a symmetric positive definite local system; x is the start and the
// result. Returns the relative residual reached, or a negative number when the operator showed a
// direction of non-positive curvature (not positive definite: the caller falls back to GMRES).
template <class T, class Apply>
double cg(const Apply& apply, const Vec<T>& f, Vec<T>& x, double tol, Index max_iter) {
    const double nf = (double)f.norm();
    if (nf == 0) {
        x.setZero();
        return 0;
    }
    Vec<T> r = f - apply(x);
    Vec<T> p = r;
    T rr = r.squaredNorm();
    const T goal = T(tol * tol * nf * nf);
    for (Index it = 0; it < max_iter && rr > goal; ++it) {
        const Vec<T> q = apply(p);
        const T pq = p.dot(q);
        if (!(pq > 0)) return -1;
        const T alpha = rr / pq;
        x.noalias() += alpha * p;
        r.noalias() -= alpha * q;
        const T rr_new = r.squaredNorm();
        p = r + (rr_new / rr) * p;
        rr = rr_new;
    }
    return std::sqrt((double)rr) / nf;
}

template <class T>
class Amen {
  public:
    Amen(const TTMatrix<T>& A, const TensorTrain<T>& b, const AmenOptions& o, bool symmetric)
        : A_(A), b_(b), o_(o), d_(A.ndim()), symmetric_(symmetric) {}

    AmenResult<T> run(TensorTrain<T> x) {
        AmenResult<T> res;
        res.stop_reason = "n_sweeps";
        const double nb = (double)norm(b_);
        std::vector<Index> zr((std::size_t)d_ + 1, 1);
        for (Index k = 1; k < d_; ++k) zr[(std::size_t)k] = o_.residual_rank;
        z_ = random_tt<T>(b_.shape(), zr, o_.seed + 1);
        x_ = std::move(x);
        for (Index sweep = 0; sweep < o_.n_sweeps; ++sweep) {
            this->sweep();
            const double r = (double)norm(add(matvec(A_, x_), b_, T(1), T(-1))) / nb;
            res.residuals.push_back(r);
            ++res.n_sweeps;
            if (r <= o_.rtol) {
                res.converged = true;
                res.stop_reason = "converged";
                break;
            }
            if (o_.callback && o_.callback(AmenProgress{res.n_sweeps, r, x_.max_rank()})) {
                res.stop_reason = "callback";
                break;
            }
        }
        res.x = std::move(x_);
        return res;
    }

  private:
    void sweep() {
        using namespace env;
        right_orthogonalize(x_, 0);
        right_orthogonalize(z_, 0);
        std::vector<T3<T>> Lxax((std::size_t)d_ + 1), Rxax((std::size_t)d_ + 1), Lzax((std::size_t)d_ + 1),
            Rzax((std::size_t)d_ + 1);
        std::vector<T2<T>> Lxb((std::size_t)d_ + 1), Rxb((std::size_t)d_ + 1), Lzb((std::size_t)d_ + 1),
            Rzb((std::size_t)d_ + 1);
        Lxax[0] = Lzax[0] = ones3<T>();
        Rxax[(std::size_t)d_] = Rzax[(std::size_t)d_] = ones3<T>();
        Lxb[0] = Lzb[0] = ones2<T>();
        Rxb[(std::size_t)d_] = Rzb[(std::size_t)d_] = ones2<T>();
        for (Index k = d_ - 1; k >= 1; --k) {
            const auto W = core4(A_, k);
            Rxax[(std::size_t)k] = right3<T>(Rxax[(std::size_t)k + 1], x_.core(k), W, x_.core(k));
            Rzax[(std::size_t)k] = right3<T>(Rzax[(std::size_t)k + 1], z_.core(k), W, x_.core(k));
            Rxb[(std::size_t)k] = right2<T>(Rxb[(std::size_t)k + 1], x_.core(k), b_.core(k));
            Rzb[(std::size_t)k] = right2<T>(Rzb[(std::size_t)k + 1], z_.core(k), b_.core(k));
        }
        const double nx_scale = 1.0 / std::sqrt((double)std::max<Index>(d_ - 1, 1));
        for (Index k = 0; k < d_; ++k) {
            const auto W = core4(A_, k);
            const Core<T>& X = x_.core(k);
            const Index rl = X.r0(), n = X.n(), rr = X.r1(), N = rl * n * rr;
            const std::size_t kk = (std::size_t)k;
            // local system
            const T3<T> f3 = rhs2<T>(Lxb[kk], b_.core(k), Rxb[kk + 1]);
            const Vec<T> f = Eigen::Map<const Vec<T>>(f3.data(), N);
            Vec<T> u = Eigen::Map<const Vec<T>>(X.data(), N);
            // The local operator: formed for a direct solve when small, applied through the
            // environments otherwise (GMRES). Kept for the residual-based truncation below.
            Mat<T> M;
            std::optional<LocalOp<T>> op;
            if (N <= o_.dense_limit) {
                const Eigen::Tensor<T, 5> t1 = Lxax[kk].contract(W, Eigen::array<P, 1>{P(1, 0)});  // a2 a i2 j w2
                const Eigen::Tensor<T, 6> t2 =
                    t1.contract(Rxax[kk + 1], Eigen::array<P, 1>{P(4, 1)});  // a' a i' j b' b
                const Eigen::Tensor<T, 6> t3 = t2.shuffle(Eigen::array<int, 6>{0, 2, 4, 1, 3, 5});
                M = Eigen::Map<const Mat<T>>(t3.data(), N, N);
                u = M.partialPivLu().solve(f);
            } else {
                op.emplace(Lxax[kk], W, Rxax[kk + 1]);
            }
            const auto apply = [&](const auto& v) -> Vec<T> {
                if (!op) return M * v;
                Vec<T> y(N);
                op->apply(v.data(), y.data());  // v: a vector or a (contiguous) column
                return y;
            };
            if (op) {
                // CG for a symmetric operator (its local systems are symmetric), GMRES otherwise or
                // when CG meets non-positive curvature (A indefinite)
                const double ltol = std::max(o_.rtol * 0.1, 1e-14);
                bool solved = false;
                if (symmetric_) {
                    const Vec<T> u0 = u;
                    solved = cg<T>(apply, f, u, ltol, o_.gmres_restart * (o_.gmres_max_restarts + 1)) >= 0;
                    if (!solved) u = u0;
                }
                if (!solved) gmres<T>(apply, f, u, ltol, o_.gmres_restart, o_.gmres_max_restarts);
            }
            if (!u.allFinite())
                throw LinalgError("solve: the local system produced non-finite values (is A singular?)");
            if (k == d_ - 1) {
                x_.core(k) = Core<T>::from_left(rl, n, Eigen::Map<const Mat<T>>(u.data(), rl * n, rr));
                break;
            }
            // residual tracker z: projected residual at this core
            const Core<T>& Z = z_.core(k);
            const Index zl = Z.r0(), zrr = Z.r1();
            {
                const T3<T> fz = rhs2<T>(Lzb[kk], b_.core(k), Rzb[kk + 1]);
                Mat<T> Rm = Eigen::Map<const Mat<T>>(fz.data(), zl * n, zrr), U, VT;
                Rm -= Eigen::Map<const Mat<T>>(LocalOp<T>(Lzax[kk], W, Rzax[kk + 1])(u).data(), zl * n, zrr);
                Vec<real_t<T>> s;
                linalg::svd(Rm, U, s, VT);
                const Index q = std::min<Index>({o_.residual_rank, U.cols()});
                Core<T>& Zn = z_.core(k + 1);
                // keep z a valid train: the next core is recontracted to rank q
                Mat<T> C = U.leftCols(q).transpose() * Eigen::Map<const Mat<T>>(Z.data(), zl * n, zrr);
                Core<T> next(q, Zn.n(), Zn.r1(), Uninitialized{});
                next.right() = C * Zn.right();
                z_.core(k) = Core<T>::from_left(zl, n, U.leftCols(q));
                Zn = std::move(next);
            }
            // truncate the solution core, then enrich its basis by the residual in x's left and
            // z's right interfaces
            Mat<T> Um = Eigen::Map<const Mat<T>>(u.data(), rl * n, rr), U, VT;
            Vec<real_t<T>> s;
            linalg::svd(Um, U, s, VT);
            real_t<T> err2 = 0;
            const Index rcap = std::min<Index>(std::max<Index>(1, o_.max_rank), s.size());
            Index r = linalg::truncation_rank(s, real_t<T>(o_.rtol * 0.1 * nx_scale) * s.norm(), rcap, err2);
            // A small error in x can be a large residual when A is ill-conditioned (a QTT
            // Laplacian on 2^16 points): grow the rank until the truncated core keeps the local
            // residual within rtol / sqrt(d - 1) of ||f|| (or within 2x of the untruncated one).
            // Binary search: the residual falls (nearly) monotonically with the rank.
            if (r < rcap) {
                const double fn = (double)f.norm();
                const double base = (double)(f - apply(u)).norm();
                const double goal = std::max(o_.rtol * nx_scale * fn, 2 * base);
                const auto res_at = [&](Index q) {
                    const Mat<T> Uq = U.leftCols(q) * s.head(q).template cast<T>().asDiagonal() * VT.topRows(q);
                    return (double)(f - apply(Eigen::Map<const Vec<T>>(Uq.data(), N))).norm();
                };
                if (res_at(r) > goal) {
                    Index lo = r, hi = rcap;  // res_at(lo) > goal; hi is accepted
                    while (hi - lo > 1) {
                        const Index mid = (lo + hi) / 2;
                        (res_at(mid) > goal ? lo : hi) = mid;
                    }
                    r = hi;
                }
            }
            const T3<T> fx = rhs2<T>(Lxb[kk], b_.core(k), Rzb[kk + 1]);
            const Index rzx = (Index)fx.dimension(2);
            Mat<T> rx = Eigen::Map<const Mat<T>>(fx.data(), rl * n, rzx);
            rx -= Eigen::Map<const Mat<T>>(LocalOp<T>(Lxax[kk], W, Rzax[kk + 1])(u).data(), rl * n, rzx);
            // (the right environments at bond k+1 stay valid: they only involve cores k+1.. of
            // the old trains, and the steps from k+1 on use those at k+2 and beyond)
            const Index ze = std::min<Index>(rzx,
                                             std::max<Index>(0, std::min<Index>(o_.max_rank, rl * n) - r));
            Mat<T> Aug(rl * n, r + ze);
            Aug.leftCols(r) = U.leftCols(r);
            if (ze > 0) Aug.rightCols(ze) = rx.leftCols(ze);
            Mat<T> Rq;
            linalg::qr(Aug, Rq);  // Aug <- Q (rl n x r + ze)
            const Index rn = Aug.cols();
            // coefficients of U_r S V^T in the new basis: Q^T U_r S V^T
            const Mat<T> C = (Aug.transpose() * U.leftCols(r)) * s.head(r).template cast<T>().asDiagonal() * VT.topRows(r);
            x_.core(k) = Core<T>::from_left(rl, n, Aug);
            Core<T>& Xn = x_.core(k + 1);
            Core<T> next(rn, Xn.n(), Xn.r1(), Uninitialized{});
            next.right() = C * Xn.right();
            Xn = std::move(next);
            // left environments at bond k+1
            Lxax[kk + 1] = left3<T>(Lxax[kk], x_.core(k), W, x_.core(k));
            Lzax[kk + 1] = left3<T>(Lzax[kk], z_.core(k), W, x_.core(k));
            Lxb[kk + 1] = left2<T>(Lxb[kk], x_.core(k), b_.core(k));
            Lzb[kk + 1] = left2<T>(Lzb[kk], z_.core(k), b_.core(k));
        }
    }

    const TTMatrix<T>& A_;
    const TensorTrain<T>& b_;
    AmenOptions o_;
    Index d_;
    bool symmetric_;
    TensorTrain<T> x_, z_;
};
}  // namespace detail

// Solve A x = b (A a square TT-matrix, b a train of its column shape) by AMEn sweeps, from x0
// (b when null or zero).
template <class T>
AmenResult<T> solve(const TTMatrix<T>& A, const TensorTrain<T>& b, const AmenOptions& o = {},
                    const TensorTrain<T>* x0 = nullptr) {
    static_assert(!is_complex_v<T>, "solve: real operators only");
    const Index d = A.ndim();
    TT_REQUIRE(A.row_dims() == A.col_dims(), "solve: the operator must be square with equal row and column mode ",
               "sizes, got rows ", detail::vec_str(A.row_dims()), " and columns ", detail::vec_str(A.col_dims()));
    TT_REQUIRE(b.shape() == A.col_dims(), "solve: b has shape ", detail::vec_str(b.shape()),
               ", the operator acts on shape ", detail::vec_str(A.col_dims()));
    TT_REQUIRE(o.rtol > 0 && std::isfinite(o.rtol), "solve: rtol must be a finite number > 0, got ", o.rtol);
    TT_REQUIRE(o.max_rank >= 1, "solve: max_rank must be >= 1, got ", o.max_rank);
    TT_REQUIRE(o.n_sweeps >= 1, "solve: n_sweeps must be >= 1, got ", o.n_sweeps);
    TT_REQUIRE(o.residual_rank >= 1, "solve: residual_rank must be >= 1, got ", o.residual_rank);
    for (Index k = 0; k < d; ++k) {
        TT_REQUIRE(A.tt().core(k).left().allFinite(), "solve: the operator has non-finite entries in core ", k);
        TT_REQUIRE(b.core(k).left().allFinite(), "solve: b has non-finite entries in core ", k);
    }
    const double nb = (double)norm(b);
    TT_REQUIRE(nb > 0, "solve: b is zero (the solution is x = 0)");
    TensorTrain<T> x;
    if (x0) {
        TT_REQUIRE(x0->shape() == A.col_dims(), "solve: x0 has shape ", detail::vec_str(x0->shape()),
                   ", expected ", detail::vec_str(A.col_dims()));
        for (Index k = 0; k < d; ++k)
            TT_REQUIRE(x0->core(k).left().allFinite(), "solve: x0 has non-finite entries in core ", k);
        x = *x0;
        if (!((double)norm(x) > 0)) x = b;
    } else {
        x = b;  // the right-hand side: its ranks, and a sweep closer than a random start
    }
    // A symmetric operator gives symmetric (and, for A positive definite, positive definite) local
    // systems: conjugate gradients first, GMRES when CG meets non-positive curvature.
    const double na = (double)norm(A.tt());
    const bool symmetric = (double)norm(add(A.tt(), transpose(A).tt(), T(1), T(-1))) <= 1e-13 * na;
    detail::Amen<T> run(A, b, o, symmetric);
    return run.run(std::move(x));
}

}  // namespace tensortrain
