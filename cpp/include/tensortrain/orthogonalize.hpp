// SPDX-License-Identifier: BSD-3-Clause
// Left and right orthogonalization of a tensor train by sweeps of Householder QR
// (Oseledets 2011, Sec. 3): the represented tensor is unchanged; cores left of the
// stopping point become left-orthogonal (their left unfoldings have orthonormal columns),
// cores right of it right-orthogonal.
#pragma once

#include "linalg.hpp"
#include "tensor_train.hpp"

namespace tensortrain {

// Makes cores [0, stop) left-orthogonal, pushing the non-orthogonal factor into core `stop`.
template <class T>
void left_orthogonalize(TensorTrain<T>& tt, Index stop = -1) {
    const Index d = tt.ndim();
    if (stop < 0) stop = d - 1;
    TT_REQUIRE(stop < d, "left_orthogonalize: stop must be < ", d, ", got ", stop);
    for (Index k = 0; k < stop; ++k) {
        Core<T>& G = tt.core(k);
        Mat<T> Q = G.left(), Rf;
        linalg::qr(Q, Rf);  // Q: (r0 n x q), Rf: q x r1
        Core<T>& N = tt.core(k + 1);
        // New right neighbour: Rf (q x r0) times its right unfolding, written in place of a copy.
        Core<T> next(Rf.rows(), N.n(), N.r1(), Uninitialized{});
        linalg::gemm<T>('N', 'N', Rf.rows(), N.n() * N.r1(), N.r0(), T(1), Rf.data(), Rf.rows(), N.data(), N.r0(),
                        T(0), next.data(), Rf.rows());
        G = Core<T>::from_left(G.r0(), G.n(), Q);
        N = std::move(next);
    }
}

// Makes cores (stop, d) right-orthogonal, pushing the non-orthogonal factor into core `stop`.
template <class T>
void right_orthogonalize(TensorTrain<T>& tt, Index stop = 0) {
    const Index d = tt.ndim();
    TT_REQUIRE(stop >= 0 && stop < d, "right_orthogonalize: stop must be in [0, ", d, "), got ", stop);
    for (Index k = d - 1; k > stop; --k) {
        Core<T>& G = tt.core(k);
        Mat<T> Q = G.right().adjoint(), Rf;  // (n r1 x r0) = Q R, so right = R^H Q^H
        linalg::qr(Q, Rf);
        Core<T>& P = tt.core(k - 1);
        // New left neighbour: its left unfolding (r0 n x r1) times Rf^H (r1 x q).
        Core<T> prev(P.r0(), P.n(), Rf.rows(), Uninitialized{});
        linalg::gemm<T>('N', 'C', P.r0() * P.n(), Rf.rows(), P.r1(), T(1), P.data(), P.r0() * P.n(), Rf.data(),
                        Rf.rows(), T(0), prev.data(), P.r0() * P.n());
        G = Core<T>::from_right(G.n(), G.r1(), Q.adjoint());
        P = std::move(prev);
    }
}

}  // namespace tensortrain
