// SPDX-License-Identifier: BSD-3-Clause
// TT rounding (Oseledets 2011, Alg. 2): left-orthogonalize by QR, then truncate each bond by an
// SVD from right to left with threshold rtol*||X||/sqrt(d-1), so ||X - round(X)|| <= rtol*||X||.
// The singular values come from the cores themselves, never from Gram matrices, so values far
// below sqrt(machine epsilon) are resolved.
//
// Two threads: the train is orthogonalized from both ends at once, in two copies (one left-, one
// right-orthogonal). One copy truncates the bonds of the left half by a left-to-right sweep, the
// other those of the right half by a right-to-left sweep. The left sweep amounts to an orthogonal
// projector P_L acting on modes 0..m-1 only, the right one to P_R on modes m+1..d-1 only; they
// commute, and ||X - P_L P_R X||^2 = ||(I - P_L) X||^2 + ||P_L (I - P_R) X||^2 <= e_L^2 + e_R^2,
// the same bound as the sequential sweep. The middle core of P_L P_R X joins the two halves
// through the contraction of the new left cores with the old left-orthogonal ones.
#pragma once

#include "orthogonalize.hpp"
#include "parallel.hpp"
#include "tt_svd.hpp"

namespace tensortrain {

template <class T>
struct RoundResult {
    TensorTrain<T> tt;
    double truncation_error = 0;  // absolute: sqrt(sum of discarded sigma^2)
    double norm = 0;              // ||X||_F of the input
    double rel_error() const { return norm > 0 ? truncation_error / norm : 0.0; }
};

namespace detail {

// Left-orthogonalizes cores [0, stop) keeping each Q factor implicit (Householder form in qrs[k]);
// core `stop` absorbs the R factors. Cores [0, stop) are stale afterwards: use qrs.
template <class T>
std::vector<linalg::HouseholderQR<T>> left_orthogonalize_implicit(TensorTrain<T>& tt, Index stop) {
    std::vector<linalg::HouseholderQR<T>> qrs;
    qrs.reserve((std::size_t)stop);
    for (Index k = 0; k < stop; ++k) {
        Core<T>& G = tt.core(k);
        qrs.emplace_back(Mat<T>(G.left()));
        const Mat<T> Rf = qrs.back().R();  // q x r1
        Core<T>& N = tt.core(k + 1);
        Core<T> next(Rf.rows(), N.n(), N.r1(), Uninitialized{});
        linalg::gemm<T>('N', 'N', Rf.rows(), N.n() * N.r1(), N.r0(), T(1), Rf.data(), Rf.rows(), N.data(), N.r0(),
                        T(0), next.data(), Rf.rows());
        N = std::move(next);
    }
    return qrs;
}

// Right-to-left truncation of the bonds [stop, last) of a train whose cores [0, last) are left-
// orthogonal and held implicitly in qrs, core `last` explicit. Cores (stop, last] come out
// right-orthogonal and truncated, core `stop` explicit (the new center).
template <class T>
void truncate_leftward(TensorTrain<T>& tt, const std::vector<linalg::HouseholderQR<T>>& qrs, Index last,
                       Index stop, real_t<T> delta, Index max_rank, real_t<T>& err2) {
    using R = real_t<T>;
    for (Index k = last; k > stop; --k) {
        Core<T>& G = tt.core(k);
        Mat<T> A = G.right(), U, VT;
        Vec<R> s;
        linalg::svd(A, U, s, VT);
        const Index r = linalg::truncation_rank(s, delta, std::min<Index>(max_rank, s.size()), err2);
        const Mat<T> US = U.leftCols(r) * s.head(r).template cast<T>().asDiagonal();
        Core<T>& P = tt.core(k - 1);
        P = Core<T>::from_left(P.r0(), P.n(), qrs[(std::size_t)(k - 1)].apply_q_top(US));
        G = Core<T>::from_right(G.n(), G.r1(), VT.topRows(r));
    }
}

// Mirror of left_orthogonalize_implicit: right-orthogonalizes cores (stop, d) with each Q factor
// implicit (qrs[k] factors the adjoint of core k's right unfolding); core `stop` absorbs the
// triangular factors. qrs[k] is empty for k <= stop.
template <class T>
std::vector<linalg::HouseholderQR<T>> right_orthogonalize_implicit(TensorTrain<T>& tt, Index stop) {
    const Index d = tt.ndim();
    std::vector<linalg::HouseholderQR<T>> qrs((std::size_t)d);
    for (Index k = d - 1; k > stop; --k) {
        Core<T>& G = tt.core(k);
        auto& qr = qrs[(std::size_t)k] = linalg::HouseholderQR<T>(Mat<T>(G.right().adjoint()));
        const Mat<T> Rf = qr.R();  // q x r0: right unfolding = Rf^H Q^H
        Core<T>& P = tt.core(k - 1);
        Core<T> prev(P.r0(), P.n(), Rf.rows(), Uninitialized{});
        linalg::gemm<T>('N', 'C', P.r0() * P.n(), Rf.rows(), P.r1(), T(1), P.data(), P.r0() * P.n(), Rf.data(),
                        Rf.rows(), T(0), prev.data(), P.r0() * P.n());
        P = std::move(prev);
    }
    return qrs;
}

// Mirror of truncate_leftward: left-to-right truncation of the bonds [first, stop) of a train
// whose cores (first, d) are right-orthogonal and implicit in qrs, core `first` explicit. Cores
// [first, stop) come out left-orthogonal and truncated, core `stop` explicit.
template <class T>
void truncate_rightward(TensorTrain<T>& tt, const std::vector<linalg::HouseholderQR<T>>& qrs, Index first,
                        Index stop, real_t<T> delta, Index max_rank, real_t<T>& err2) {
    using R = real_t<T>;
    for (Index k = first; k < stop; ++k) {
        Core<T>& G = tt.core(k);
        Mat<T> A = G.left(), U, VT;
        Vec<R> s;
        linalg::svd(A, U, s, VT);
        const Index r = linalg::truncation_rank(s, delta, std::min<Index>(max_rank, s.size()), err2);
        // Next core's right unfolding = (S VT_r) Q^H = (Q (S VT_r)^H)^H.
        const Mat<T> SVh = (s.head(r).template cast<T>().asDiagonal() * VT.topRows(r)).adjoint();
        Core<T>& N = tt.core(k + 1);
        N = Core<T>::from_right(N.n(), N.r1(), qrs[(std::size_t)(k + 1)].apply_q_top(SVh).adjoint());
        G = Core<T>::from_left(G.r0(), G.n(), U.leftCols(r));
    }
}

template <class T>
RoundResult<T> round_sequential(TensorTrain<T> tt, const SvdOptions& opts) {
    using R = real_t<T>;
    const Index d = tt.ndim();
    RoundResult<T> res;
    auto qrs = left_orthogonalize_implicit(tt, d - 1);
    const R nrm = tt.core(d - 1).vec().norm();
    res.norm = (double)nrm;
    const R delta = d > 1 ? R(opts.rtol) * nrm / std::sqrt(R(d - 1)) : R(0);
    R err2 = 0;
    truncate_leftward(tt, qrs, d - 1, 0, delta, opts.max_rank, err2);
    res.truncation_error = (double)std::sqrt(err2);
    res.tt = std::move(tt);
    return res;
}

// See the header comment. Needs d >= 3. Thread A right-orthogonalizes a copy and truncates bonds
// 0..m-1 left to right, then contracts the new left cores Z with thread B's left-orthogonal cores
// P (E = Z^H P over modes 0..m-1); meanwhile thread B truncates bonds m..d-2 right to left. m is
// below d/2 because thread A also does the contraction.
template <class T>
RoundResult<T> round_two_sided(TensorTrain<T> tt, const SvdOptions& opts) {
    using R = real_t<T>;
    const Index d = tt.ndim();
    const Index m = std::max<Index>(1, (d * 3) / 7);
    TensorTrain<T> ta = tt;  // thread A's copy
    std::vector<linalg::HouseholderQR<T>> qa, qb;
    R norm_b = 0;
    parallel_for(0, 2, [&](Index t) {
        if (t == 0) {
            qa = right_orthogonalize_implicit(ta, 0);
        } else {
            qb = left_orthogonalize_implicit(tt, d - 1);
            norm_b = tt.core(d - 1).vec().norm();
        }
    });
    const R delta = R(opts.rtol) * norm_b / std::sqrt(R(d - 1));
    R err_a = 0, err_b = 0;
    Mat<T> E = Mat<T>::Ones(1, 1);  // (r_Z x r_P)
    parallel_for(0, 2, [&](Index t) {
        if (t == 1) {
            truncate_leftward(tt, qb, d - 1, m, delta, opts.max_rank, err_b);
            return;
        }
        truncate_rightward(ta, qa, 0, m, delta, opts.max_rank, err_a);
        for (Index k = 0; k < m; ++k) {
            const Core<T>& Z = ta.core(k);
            const auto& qr = qb[(std::size_t)k];
            const Index rp0 = E.cols();
            // H = (E^H applied to Z's left index), laid out as P_k's left unfolding rows (a' + rp0 i).
            Mat<T> H(rp0 * Z.n(), Z.r1());
            for (Index i = 0; i < Z.n(); ++i) {
                Eigen::Map<const Mat<T>, 0, Eigen::OuterStride<>> Zi(Z.data() + i * Z.r0(), Z.r0(), Z.r1(),
                                                                      Eigen::OuterStride<>(Z.r0() * Z.n()));
                Eigen::Map<Mat<T>, 0, Eigen::OuterStride<>> Hi(H.data() + i * rp0, rp0, Z.r1(),
                                                                Eigen::OuterStride<>(rp0 * Z.n()));
                Hi.noalias() = E.adjoint() * Zi;
            }
            // E_new = H^H P_k = ((Q^H H) restricted to its first q rows)^H.
            qr.apply_qh(H);
            E = H.topRows(qr.size()).adjoint();
        }
    });
    Core<T>& C = tt.core(m);
    Core<T> mid(E.rows(), C.n(), C.r1(), Uninitialized{});
    linalg::gemm<T>('N', 'N', E.rows(), C.n() * C.r1(), C.r0(), T(1), E.data(), E.rows(), C.data(), C.r0(), T(0),
                    mid.data(), E.rows());
    std::vector<Core<T>> cores;
    cores.reserve((std::size_t)d);
    for (Index k = 0; k < m; ++k) cores.push_back(std::move(ta.core(k)));
    cores.push_back(std::move(mid));
    for (Index k = m + 1; k < d; ++k) cores.push_back(std::move(tt.core(k)));
    RoundResult<T> res;
    res.norm = (double)norm_b;
    res.truncation_error = (double)std::sqrt(err_a + err_b);
    res.tt = TensorTrain<T>(std::move(cores));
    return res;
}

}  // namespace detail

template <class T>
RoundResult<T> round(TensorTrain<T> tt, const SvdOptions& opts = {}) {
    check_svd_options(opts);
    tt.validate();
    TT_REQUIRE(tt.all_finite(), "round: the train contains NaN or Inf");
    const int nb = linalg::sweep_blas_threads().load();
    linalg::BlasThreadGuard blas(nb > 0 ? nb : max_threads());
    if (tt.ndim() >= 6 && max_threads() >= 2 && tt.max_rank() >= 8) {
        linalg::BlasThreadGuard single(1);
        return detail::round_two_sided(std::move(tt), opts);
    }
    return detail::round_sequential(std::move(tt), opts);
}

}  // namespace tensortrain
