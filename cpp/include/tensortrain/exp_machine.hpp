// SPDX-License-Identifier: BSD-3-Clause
// Exponential machines (Novikov, Trofimov and Oseledets, "Exponential machines", 2016): the model
// y(x) = sum_{i in {0,1}^d} W[i] prod_k x_k^{i_k} with the weight tensor W a tensor train. The data
// tensor of one sample is rank one (core k = [1, x_k]), so a prediction costs O(d r^2) and the
// gradient of a mini-batch is a sum of rank-one tensors, projected onto the tangent space of the
// fixed-rank manifold in O(b d r^2) (riemannian.hpp). Training: Riemannian SGD (project, Armijo
// backtracking on the mini-batch, retraction) or plain SGD on the cores with the same line search.
#pragma once

#include "riemannian.hpp"

#include <cstdint>
#include <random>

namespace tensortrain {

// ---------------------------------------------------------------------------------------------
// Interface
// ---------------------------------------------------------------------------------------------

// M samples for a train of shape (n_0..n_{d-1}): the local feature vector of sample m at mode k is
// e_0 + val[m d + k] e_{slot[m d + k]}, 1 <= slot < n_k (row-major M x d arrays). Real features:
// n_k = 2 and slot = nullptr (slot 1 everywhere), val = x. A categorical feature with K levels:
// n_k = K + 1, slot = 1 + level, val = 1 (0 for an unknown level).
template <class T>
struct ExpMachineSamples {
    const T* val = nullptr;
    const std::int32_t* slot = nullptr;
    Index M = 0;
};

enum class ExpMachineLoss { logistic, squared };  // log(1 + exp(-y f)) with y = +-1;  (f - y)^2 / 2

// Objective: mean_m loss(f(x_m), y_m) + reg / 2 sum_i exp_reg^{|i|} W[i]^2, |i| the number of
// nonzero slots of i (the order of the interaction): exp_reg > 1 penalizes high orders more.
struct ExpMachineOptions {
    ExpMachineLoss loss = ExpMachineLoss::logistic;
    bool riemannian = true;      // Riemannian SGD; false: SGD on the cores
    double reg = 0;
    double exp_reg = 1;
    Index batch_size = 256;
    double keep_prob = 1;        // dropout: each feature of each sample kept with this probability, scaled by 1/p
    double armijo = 0.97;        // sufficient decrease: f(t) <= f(0) - armijo t |g|^2 (near 1: short, safe stochastic steps)
    Index max_backtracks = 30;   // halvings of the step before a batch is skipped
    double step_growth = 1.05;   // the next batch's first trial step: the accepted one times this
    std::uint64_t seed = 0;      // shuffling and dropout
};

struct ExpMachineEpochs {
    std::vector<double> loss_curve;  // mean mini-batch objective (before each step) per epoch
    double step = 1;                 // the first trial step for the next call
    Index n_steps = 0;               // accepted steps
    Index n_skipped = 0;             // batches where the line search found no decrease
};

// The model at the samples, threaded over samples.
template <class T>
Vec<T> expm_predict(const TensorTrain<T>& W, const ExpMachineSamples<T>& X);
// The objective on all samples.
template <class T>
double expm_objective(const TensorTrain<T>& W, const ExpMachineSamples<T>& X, const T* y, const ExpMachineOptions& o);
// The Riemannian gradient of the objective at S.point() (its projection onto the tangent space).
template <class T>
TangentVector<T> expm_riemannian_gradient(const TangentSpace<T>& S, const ExpMachineSamples<T>& X, const T* y,
                                          const ExpMachineOptions& o);
// The gradient with respect to each core of W.
template <class T>
std::vector<Core<T>> expm_core_gradient(const TensorTrain<T>& W, const ExpMachineSamples<T>& X, const T* y,
                                        const ExpMachineOptions& o);
// n_epochs passes of mini-batch SGD (o.riemannian selects the solver) starting from W, which is
// overwritten; `step` is the first trial step of the line search.
template <class T>
ExpMachineEpochs expm_train(TensorTrain<T>& W, const ExpMachineSamples<T>& X, const T* y, const ExpMachineOptions& o,
                            Index n_epochs, double step);

// ---------------------------------------------------------------------------------------------
// Implementation
// ---------------------------------------------------------------------------------------------

namespace detail {

// A block of b samples in mode-major layout: x[k*b + m], slot[k*b + m] (empty: slot 1).
template <class T>
struct ExpBlock {
    Index b = 0, d = 0;
    std::vector<T> x;
    std::vector<std::int32_t> slot;
    const T* xk(Index k) const { return x.data() + k * b; }
    const std::int32_t* sk(Index k) const { return slot.empty() ? nullptr : slot.data() + k * b; }
};

// Rows ids[0..b) of X, with dropout when keep < 1 (kept features scaled by 1/keep: every monomial
// then keeps its expected value).
template <class T>
ExpBlock<T> gather_block(const ExpMachineSamples<T>& X, Index d, const Index* ids, Index b, double keep,
                         std::mt19937_64* gen) {
    ExpBlock<T> B;
    B.b = b;
    B.d = d;
    B.x.resize((std::size_t)(b * d));
    if (X.slot) B.slot.resize((std::size_t)(b * d));
    std::uniform_real_distribution<double> u(0.0, 1.0);
    const T scale = T(1.0 / keep);
    for (Index m = 0; m < b; ++m) {
        const Index row = ids ? ids[m] : m;
        for (Index k = 0; k < d; ++k) {
            T v = X.val[row * d + k];
            if (keep < 1) v = u(*gen) < keep ? v * scale : T(0);
            B.x[(std::size_t)(k * b + m)] = v;
            if (X.slot) B.slot[(std::size_t)(k * b + m)] = X.slot[row * d + k];
        }
    }
    return B;
}

// Real features (no slots, n = 2): the local matrices of sample m are G[0] + x_m G[1], so with
// LX = [L, diag(x) L] (b x 2 r0) and G.left() = [G[0]; G[1]] (2 r0 x r1) a step of the left frames is
// the single GEMM LX G.left(), and the data gradient of the core is LX^T diag(c) R.
template <class T>
bool expm_fast(const Core<T>& G, const std::int32_t* s) {
    return !s && G.n() == 2;
}

// F = LX (fast case) or L (b x r0): what the gradient of core k needs from the left.
template <class T>
void expm_left_factor(const Mat<T>& L, const Core<T>& G, const T* x, const std::int32_t* s, Mat<T>& F) {
    if (!expm_fast(G, s)) {
        F = L;
        return;
    }
    const Index b = L.rows(), r = L.cols();
    F.resize(b, 2 * r);
    F.leftCols(r) = L;
    F.rightCols(r).noalias() = Eigen::Map<const Vec<T>>(x, b).asDiagonal() * L;
}

// out (b x r1) = rows of L (b x r0) times the local matrices G[0] + x_m G[s_m], from F of L.
template <class T>
void expm_apply_left(const Mat<T>& F, const Core<T>& G, const T* x, const std::int32_t* s, Mat<T>& out) {
    if (expm_fast(G, s)) {
        out.noalias() = F * G.left();
        return;
    }
    const Index b = F.rows();
    out.noalias() = F * G.slice(0);
    for (Index m = 0; m < b; ++m)
        if (x[m] != T(0)) out.row(m) += x[m] * (F.row(m) * G.slice(s ? s[m] : 1));
}

// out (b x r0) = rows of R (b x r1) times the transposed local matrices.
template <class T>
void expm_apply_right(const Mat<T>& R, const Core<T>& G, const T* x, const std::int32_t* s, Mat<T>& out) {
    const Index b = R.rows(), r0 = G.r0();
    if (expm_fast(G, s)) {
        Mat<T> t = R * G.left().transpose();  // [R G[0]^T, R G[1]^T]
        out = t.leftCols(r0);
        out.noalias() += Eigen::Map<const Vec<T>>(x, b).asDiagonal() * t.rightCols(r0);
        return;
    }
    out.noalias() = R * G.slice(0).transpose();
    for (Index m = 0; m < b; ++m)
        if (x[m] != T(0)) out.row(m) += x[m] * (R.row(m) * G.slice(s ? s[m] : 1).transpose());
}

// D[:, 0, :] += L^T diag(c) R and D[:, s_m, :] += c_m x_m L_m^T R_m, from F of L.
template <class T>
void expm_accumulate(const Mat<T>& F, const Mat<T>& R, const Vec<T>& c, const T* x, const std::int32_t* s, Core<T>& D) {
    const Mat<T> CR = c.asDiagonal() * R;
    if (expm_fast(D, s)) {
        D.left().noalias() += F.transpose() * CR;
        return;
    }
    const Index b = F.rows();
    D.slice(0).noalias() += F.transpose() * CR;
    for (Index m = 0; m < b; ++m)
        if (x[m] != T(0)) D.slice(s ? s[m] : 1).noalias() += (x[m] * F.row(m).transpose()) * CR.row(m);
}

// The model at rows [m0, m1) of a block, with the cores G; with Fs, the left factors of every core.
template <class T>
void expm_forward(const std::vector<Core<T>>& G, const ExpBlock<T>& B, Index m0, Index m1, T* f,
                  std::vector<Mat<T>>* Fs) {
    const Index d = (Index)G.size(), b = m1 - m0;
    Mat<T> L = Mat<T>::Ones(b, 1), F;
    for (Index k = 0; k < d; ++k) {
        const std::int32_t* s = B.sk(k);
        const Core<T>& g = G[(std::size_t)k];
        Mat<T>& Fk = Fs ? (*Fs)[(std::size_t)k] : F;
        expm_left_factor(L, g, B.xk(k) + m0, s ? s + m0 : nullptr, Fk);
        expm_apply_left(Fk, g, B.xk(k) + m0, s ? s + m0 : nullptr, L);
    }
    for (Index m = 0; m < b; ++m) f[m] = L(m, 0);
}

inline double expm_loss(ExpMachineLoss loss, double f, double y, double* deriv) {
    if (loss == ExpMachineLoss::squared) {
        *deriv = f - y;
        return 0.5 * (f - y) * (f - y);
    }
    const double z = -y * f;  // log(1 + e^z), derivative -y sigma(z), both without overflow
    const double sig = z >= 0 ? 1.0 / (1.0 + std::exp(-z)) : std::exp(z) / (1.0 + std::exp(z));
    *deriv = -y * sig;
    return z >= 0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z));
}

// Rows per thread piece: big enough that a piece's GEMMs amortize the per-piece setup.
constexpr Index kExpRows = 512;  // small batches stay on one thread: a fork per batch costs more than it saves

// Mean loss over a block and, when grad is given, the data part of the gradient: frames from Gl
// (left) and Gr (right), the accumulated cores in *grad (zeroed here). For the Riemannian
// gradient Gl = U and Gr = V of the tangent space; for the core gradient both are W's cores.
template <class T>
double expm_block_loss(const std::vector<Core<T>>& Gl, const std::vector<Core<T>>& Gr, const ExpBlock<T>& B,
                       const T* y, ExpMachineLoss loss, std::vector<Core<T>>* grad) {
    const Index d = B.d, b = B.b;
    const Index pieces = std::max<Index>(1, std::min<Index>(max_threads(), b / kExpRows));
    std::vector<double> part(pieces, 0.0);
    std::vector<std::vector<Core<T>>> partial(grad ? (std::size_t)pieces : 0);
    SerialBlas serial(pieces > 1);
    parallel_for(0, pieces, [&](Index p) {
        const Index m0 = b * p / pieces, m1 = b * (p + 1) / pieces, bb = m1 - m0;
        std::vector<Mat<T>> Ls(grad ? (std::size_t)d : 0);
        Vec<T> f(bb), c(bb);
        expm_forward(Gl, B, m0, m1, f.data(), grad ? &Ls : nullptr);
        double sum = 0;
        for (Index m = 0; m < bb; ++m) {
            double dl;
            sum += expm_loss(loss, (double)f[m], (double)y[m0 + m], &dl);
            c[m] = T(dl / (double)b);
        }
        part[(std::size_t)p] = sum;
        if (!grad) return;
        auto& D = partial[(std::size_t)p];
        for (Index k = 0; k < d; ++k) {
            const Core<T>& g = Gl[(std::size_t)k];
            D.emplace_back(g.r0(), g.n(), g.r1());
        }
        Mat<T> R = Mat<T>::Ones(bb, 1), next;
        for (Index k = d - 1; k >= 0; --k) {
            const std::int32_t* s = B.sk(k);
            expm_accumulate(Ls[(std::size_t)k], R, c, B.xk(k) + m0, s ? s + m0 : nullptr, D[(std::size_t)k]);
            if (k > 0) {
                expm_apply_right(R, Gr[(std::size_t)k], B.xk(k) + m0, s ? s + m0 : nullptr, next);
                R.swap(next);
            }
        }
    }, 2);
    if (grad) {
        *grad = std::move(partial[0]);
        for (Index p = 1; p < pieces; ++p)
            for (Index k = 0; k < d; ++k) (*grad)[(std::size_t)k].vec() += partial[(std::size_t)p][(std::size_t)k].vec();
    }
    double sum = 0;
    for (double v : part) sum += v;
    return sum / (double)b;
}

// The penalty weights of slot i: 1 for the "no feature" slice, exp_reg for the others.
template <class T>
Core<T> expm_weighted(const Core<T>& G, double exp_reg) {
    Core<T> D = G;
    for (Index i = 1; i < G.n(); ++i) D.slice(i) *= T(exp_reg);
    return D;
}

// sum_i exp_reg^{|i|} W[i]^2 by a left Gram sweep, O(d n r^3).
template <class T>
double expm_weighted_norm2(const std::vector<Core<T>>& G, double exp_reg) {
    Mat<T> P = Mat<T>::Ones(1, 1);
    for (const auto& g : G) {
        Mat<T> Q = Mat<T>::Zero(g.r1(), g.r1());
        for (Index i = 0; i < g.n(); ++i) {
            const T w = i == 0 ? T(1) : T(exp_reg);
            Mat<T> PG = P * g.slice(i);
            Q.noalias() += w * g.slice(i).transpose() * PG;
        }
        P.swap(Q);
    }
    return (double)P(0, 0);
}

// Adds reg * d/dG_k [1/2 sum_i exp_reg^{|i|} W[i]^2] = reg * w_i P_k G_k[i] Q_{k+1} to grad and returns
// sum_i exp_reg^{|i|} W[i]^2 (= P_d, from the same left sweep).
template <class T>
double expm_add_core_reg(const std::vector<Core<T>>& G, double reg, double exp_reg, std::vector<Core<T>>& grad) {
    const Index d = (Index)G.size();
    std::vector<Mat<T>> P((std::size_t)d + 1), Q((std::size_t)d + 1);
    P[0] = Mat<T>::Ones(1, 1);
    for (Index k = 0; k < d; ++k) {
        const Core<T>& g = G[(std::size_t)k];
        Mat<T> A = Mat<T>::Zero(g.r1(), g.r1());
        for (Index i = 0; i < g.n(); ++i)
            A.noalias() += (i == 0 ? T(1) : T(exp_reg)) * g.slice(i).transpose() * (P[(std::size_t)k] * g.slice(i));
        P[(std::size_t)k + 1] = std::move(A);
    }
    Q[(std::size_t)d] = Mat<T>::Ones(1, 1);
    for (Index k = d - 1; k >= 0; --k) {
        const Core<T>& g = G[(std::size_t)k];
        Mat<T> A = Mat<T>::Zero(g.r0(), g.r0());
        for (Index i = 0; i < g.n(); ++i)
            A.noalias() += (i == 0 ? T(1) : T(exp_reg)) * g.slice(i) * (Q[(std::size_t)k + 1] * g.slice(i).transpose());
        Q[(std::size_t)k] = std::move(A);
    }
    for (Index k = 0; k < d; ++k) {
        const Core<T>& g = G[(std::size_t)k];
        for (Index i = 0; i < g.n(); ++i)
            grad[(std::size_t)k].slice(i).noalias() +=
                T(reg * (i == 0 ? 1.0 : exp_reg)) * P[(std::size_t)k] * g.slice(i) * Q[(std::size_t)k + 1];
    }
    return (double)P[(std::size_t)d](0, 0);
}

// The Riemannian gradient on a block: projected data gradient plus the projected penalty gradient.
template <class T>
TangentVector<T> expm_block_rgrad(const TangentSpace<T>& S, const ExpBlock<T>& B, const T* y,
                                  const ExpMachineOptions& o, double* value) {
    TangentVector<T> g;
    double v = expm_block_loss(S.U, S.V, B, y, o.loss, &g.delta);
    const Index d = S.ndim();
    for (Index k = 0; k + 1 < d; ++k) gauge_project(S.U[(std::size_t)k], g.delta[(std::size_t)k]);
    if (o.reg > 0) {
        if (o.exp_reg == 1) {  // P_X X = X: all of it in the last delta
            g.delta[(std::size_t)d - 1].vec() += T(o.reg) * S.U[(std::size_t)d - 1].vec();
            v += 0.5 * o.reg * (double)S.U[(std::size_t)d - 1].vec().squaredNorm();
        } else {
            std::vector<Core<T>> DW;
            for (const auto& u : S.U) DW.push_back(expm_weighted(u, o.exp_reg));
            TangentVector<T> r = project(S, TensorTrain<T>(std::move(DW)));
            for (Index k = 0; k < d; ++k) g.delta[(std::size_t)k].vec() += T(o.reg) * r.delta[(std::size_t)k].vec();
            v += 0.5 * o.reg * expm_weighted_norm2(S.U, o.exp_reg);
        }
    }
    *value = v;
    return g;
}

template <class T>
std::vector<Core<T>> expm_block_cgrad(const std::vector<Core<T>>& G, const ExpBlock<T>& B, const T* y,
                                      const ExpMachineOptions& o, double* value) {
    std::vector<Core<T>> g;
    double v = expm_block_loss(G, G, B, y, o.loss, &g);
    if (o.reg > 0) v += 0.5 * o.reg * expm_add_core_reg(G, o.reg, o.exp_reg, g);
    *value = v;
    return g;
}

template <class T>
double expm_block_objective(const std::vector<Core<T>>& G, const ExpBlock<T>& B, const T* y,
                            const ExpMachineOptions& o) {
    double v = expm_block_loss(G, G, B, y, o.loss, (std::vector<Core<T>>*)nullptr);
    if (o.reg > 0) v += 0.5 * o.reg * expm_weighted_norm2(G, o.exp_reg);
    return v;
}

template <class T>
void expm_check(const TensorTrain<T>& W, const ExpMachineSamples<T>& X, const T* y, const ExpMachineOptions* o) {
    W.validate();
    TT_REQUIRE(W.all_finite(), "exponential machine: W contains NaN or Inf");
    const Index d = W.ndim();
    TT_REQUIRE(X.M >= 0 && (X.M == 0 || X.val), "exponential machine: no sample values given");
    for (Index k = 0; k < d; ++k)
        TT_REQUIRE(W.core(k).n() >= 2, "exponential machine: mode ", k, " of W has size ", W.core(k).n(),
                   ", expected >= 2 (slot 0 is the constant term)");
    if (!X.slot)
        for (Index k = 0; k < d; ++k)
            TT_REQUIRE(W.core(k).n() == 2, "exponential machine: without slots every mode must have size 2, mode ", k,
                       " has ", W.core(k).n());
    for (Index m = 0; m < X.M; ++m)
        for (Index k = 0; k < d; ++k) {
            TT_REQUIRE(std::isfinite((double)X.val[m * d + k]), "exponential machine: sample ", m, " feature ", k,
                       " is not finite");
            if (X.slot) {
                const std::int32_t s = X.slot[m * d + k];
                TT_REQUIRE(s >= 1 && s < W.core(k).n(), "exponential machine: sample ", m, " mode ", k, " has slot ", s,
                           ", expected 1..", W.core(k).n() - 1);
            }
        }
    if (y)
        for (Index m = 0; m < X.M; ++m) {
            TT_REQUIRE(std::isfinite((double)y[m]), "exponential machine: target ", m, " is not finite");
            if (o && o->loss == ExpMachineLoss::logistic)
                TT_REQUIRE(y[m] == T(1) || y[m] == T(-1), "exponential machine: the logistic loss needs labels +-1, "
                           "target ", m, " is ", y[m]);
        }
    if (o) {
        TT_REQUIRE(o->reg >= 0 && std::isfinite(o->reg), "exponential machine: reg must be >= 0, got ", o->reg);
        TT_REQUIRE(o->exp_reg >= 1 && std::isfinite(o->exp_reg), "exponential machine: exp_reg must be >= 1, got ",
                   o->exp_reg);
        TT_REQUIRE(o->batch_size >= 1, "exponential machine: batch_size must be >= 1, got ", o->batch_size);
        TT_REQUIRE(o->keep_prob > 0 && o->keep_prob <= 1, "exponential machine: keep_prob must lie in (0, 1], got ",
                   o->keep_prob);
        TT_REQUIRE(o->armijo > 0 && o->armijo < 1, "exponential machine: armijo must lie in (0, 1), got ", o->armijo);
        TT_REQUIRE(o->step_growth >= 1, "exponential machine: step_growth must be >= 1, got ", o->step_growth);
    }
}

}  // namespace detail

template <class T>
Vec<T> expm_predict(const TensorTrain<T>& W, const ExpMachineSamples<T>& X) {
    detail::expm_check(W, X, (const T*)nullptr, nullptr);
    const Index d = W.ndim(), M = X.M;
    Vec<T> f(M);
    constexpr Index kBlock = 4096;
    const Index nb = (M + kBlock - 1) / kBlock;
    detail::SerialBlas serial(nb > 1);
    parallel_for(0, nb, [&](Index p) {
        const Index m0 = p * kBlock, m1 = std::min(M, m0 + kBlock);
        std::vector<Index> ids((std::size_t)(m1 - m0));
        for (Index m = m0; m < m1; ++m) ids[(std::size_t)(m - m0)] = m;
        auto B = detail::gather_block(X, d, ids.data(), m1 - m0, 1.0, nullptr);
        detail::expm_forward(W.cores(), B, Index(0), m1 - m0, f.data() + m0, (std::vector<Mat<T>>*)nullptr);
    }, 2);
    return f;
}

template <class T>
double expm_objective(const TensorTrain<T>& W, const ExpMachineSamples<T>& X, const T* y, const ExpMachineOptions& o) {
    detail::expm_check(W, X, y, &o);
    TT_REQUIRE(X.M >= 1, "expm_objective: needs at least one sample");
    auto B = detail::gather_block(X, W.ndim(), (const Index*)nullptr, X.M, 1.0, nullptr);
    return detail::expm_block_objective(W.cores(), B, y, o);
}

template <class T>
TangentVector<T> expm_riemannian_gradient(const TangentSpace<T>& S, const ExpMachineSamples<T>& X, const T* y,
                                          const ExpMachineOptions& o) {
    const TensorTrain<T> W = S.point();
    detail::expm_check(W, X, y, &o);
    TT_REQUIRE(X.M >= 1, "expm_riemannian_gradient: needs at least one sample");
    auto B = detail::gather_block(X, W.ndim(), (const Index*)nullptr, X.M, 1.0, nullptr);
    double v;
    return detail::expm_block_rgrad(S, B, y, o, &v);
}

template <class T>
std::vector<Core<T>> expm_core_gradient(const TensorTrain<T>& W, const ExpMachineSamples<T>& X, const T* y,
                                        const ExpMachineOptions& o) {
    detail::expm_check(W, X, y, &o);
    TT_REQUIRE(X.M >= 1, "expm_core_gradient: needs at least one sample");
    auto B = detail::gather_block(X, W.ndim(), (const Index*)nullptr, X.M, 1.0, nullptr);
    double v;
    return detail::expm_block_cgrad(W.cores(), B, y, o, &v);
}

template <class T>
ExpMachineEpochs expm_train(TensorTrain<T>& W, const ExpMachineSamples<T>& X, const T* y, const ExpMachineOptions& o,
                            Index n_epochs, double step) {
    detail::expm_check(W, X, y, &o);
    TT_REQUIRE(X.M >= 1, "expm_train: needs at least one sample");
    TT_REQUIRE(n_epochs >= 0, "expm_train: n_epochs must be >= 0, got ", n_epochs);
    TT_REQUIRE(step > 0 && std::isfinite(step), "expm_train: step must be > 0, got ", step);
    const Index d = W.ndim(), M = X.M, bs = std::min(o.batch_size, M);
    std::mt19937_64 gen(o.seed);
    std::vector<Index> perm((std::size_t)M);
    ExpMachineEpochs out;
    std::vector<T> yb((std::size_t)bs);
    bool right_orthogonal = false;  // W came out of retract(): its tangent space needs one sweep, not three
    for (Index e = 0; e < n_epochs; ++e) {
        for (Index m = 0; m < M; ++m) perm[(std::size_t)m] = m;
        std::shuffle(perm.begin(), perm.end(), gen);
        double total = 0;
        Index nbatch = 0;
        for (Index p0 = 0; p0 < M; p0 += bs) {
            const Index b = std::min(bs, M - p0);
            auto B = detail::gather_block(X, d, perm.data() + p0, b, o.keep_prob, &gen);
            for (Index m = 0; m < b; ++m) yb[(std::size_t)m] = y[perm[(std::size_t)(p0 + m)]];
            double f0, g2;
            std::unique_ptr<TangentSpace<T>> S;
            TangentVector<T> rg;
            std::vector<Core<T>> cg;
            if (o.riemannian) {
                S = right_orthogonal ? std::make_unique<TangentSpace<T>>(W, RightOrthogonal{})
                                     : std::make_unique<TangentSpace<T>>(W);
                rg = detail::expm_block_rgrad(*S, B, yb.data(), o, &f0);
                g2 = (double)inner(rg, rg);
            } else {
                cg = detail::expm_block_cgrad(W.cores(), B, yb.data(), o, &f0);
                g2 = 0;
                for (const auto& c : cg) g2 += (double)c.vec().squaredNorm();
            }
            total += f0;
            ++nbatch;
            if (!(g2 > 0) || !std::isfinite(g2)) continue;
            double t = step;
            bool accepted = false;
            for (Index bt = 0; bt <= o.max_backtracks; ++bt, t *= 0.5) {
                TensorTrain<T> Y;
                if (o.riemannian) {
                    Y = retract(*S, rg, T(-t));
                } else {
                    std::vector<Core<T>> c = W.cores();
                    for (Index k = 0; k < d; ++k) c[(std::size_t)k].vec() -= T(t) * cg[(std::size_t)k].vec();
                    Y = TensorTrain<T>(std::move(c));
                }
                if (!Y.all_finite()) continue;
                const double f1 = detail::expm_block_objective(Y.cores(), B, yb.data(), o);
                if (std::isfinite(f1) && f1 <= f0 - o.armijo * t * g2) {
                    W = std::move(Y);
                    accepted = true;
                    right_orthogonal = o.riemannian;
                    break;
                }
            }
            if (accepted) {
                ++out.n_steps;
                step = t * o.step_growth;
            } else {
                ++out.n_skipped;
                step = std::max(t, 1e-12);
            }
        }
        out.loss_curve.push_back(total / (double)nbatch);
    }
    out.step = step;
    return out;
}

}  // namespace tensortrain
