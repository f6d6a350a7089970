// SPDX-License-Identifier: BSD-3-Clause
// TT rounding (Oseledets 2011, Alg. 2): left-orthogonalize by QR, then truncate each bond by an
// SVD from right to left with threshold rtol*||X||/sqrt(d-1), so ||X - round(X)|| <= rtol*||X||.
// The singular values come from the cores themselves, never from Gram matrices, so values far
// below sqrt(machine epsilon) are resolved.
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

// Truncation sweep on a train whose cores 0..d-2 are already left-orthogonal. In place.
template <class T>
RoundResult<T> truncate_left_orthogonal(TensorTrain<T> tt, const SvdOptions& opts) {
    using R = real_t<T>;
    const Index d = tt.ndim();
    RoundResult<T> res;
    const R nrm = tt.core(d - 1).vec().norm();
    res.norm = (double)nrm;
    const R delta = d > 1 ? R(opts.rtol) * nrm / std::sqrt(R(d - 1)) : R(0);
    R err2 = 0;
    for (Index k = d - 1; k > 0; --k) {
        Core<T>& G = tt.core(k);
        Mat<T> A = G.right(), U, VT;
        Vec<R> s;
        linalg::svd(A, U, s, VT);
        const Index r = linalg::truncation_rank(s, delta, std::min<Index>(opts.max_rank, s.size()), err2);
        Mat<T> US = U.leftCols(r) * s.head(r).template cast<T>().asDiagonal();
        Core<T>& P = tt.core(k - 1);
        Core<T> prev(P.r0(), P.n(), r, Uninitialized{});  // left unfolding times U_r S_r
        linalg::gemm<T>('N', 'N', P.r0() * P.n(), r, P.r1(), T(1), P.data(), P.r0() * P.n(), US.data(), US.rows(),
                        T(0), prev.data(), P.r0() * P.n());
        G = Core<T>::from_right(G.n(), G.r1(), VT.topRows(r));
        P = std::move(prev);
    }
    res.truncation_error = (double)std::sqrt(err2);
    res.tt = std::move(tt);
    return res;
}

template <class T>
RoundResult<T> round(TensorTrain<T> tt, const SvdOptions& opts = {}) {
    check_svd_options(opts);
    tt.validate();
    TT_REQUIRE(tt.all_finite(), "round: the train contains NaN or Inf");
    const int nb = linalg::sweep_blas_threads().load();
    linalg::BlasThreadGuard blas(nb > 0 ? nb : max_threads());
    left_orthogonalize(tt);
    return truncate_left_orthogonal(std::move(tt), opts);
}

}  // namespace tensortrain
