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
        Mat<T> next = linalg::matmul<T>(Rf, Mat<T>(N.right()));  // q x (n r1)
        G = Core<T>::from_left(G.r0(), G.n(), Q);
        N = Core<T>::from_right(N.n(), N.r1(), next);
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
        Mat<T> prev = linalg::matmul<T>(Mat<T>(P.left()), Rf, 'N', 'C');  // (r0 n) x q
        G = Core<T>::from_right(G.n(), G.r1(), Q.adjoint());
        P = Core<T>::from_left(P.r0(), P.n(), prev);
    }
}

}  // namespace tensortrain
