// SPDX-License-Identifier: BSD-3-Clause
// TT-matrix (TT operator, MPO): A(i1..id; j1..jd) = A1(i1,j1) ... Ad(id,jd), cores (r_{k-1}, m_k, n_k, r_k).
// Stored as a tensor train over the combined mode index i + m*j, so every TT algorithm
// (rounding, addition, norms) applies to it unchanged.
#pragma once

#include "tensor_train.hpp"

namespace tensortrain {

template <class T>
class TTMatrix {
  public:
    using Scalar = T;
    TTMatrix() = default;
    // cores hold combined modes of size row_dims[k] * col_dims[k] (row index fastest).
    TTMatrix(TensorTrain<T> tt, std::vector<Index> row_dims, std::vector<Index> col_dims)
        : tt_(std::move(tt)), rows_(std::move(row_dims)), cols_(std::move(col_dims)) {
        TT_REQUIRE((Index)rows_.size() == tt_.ndim() && (Index)cols_.size() == tt_.ndim(),
                   "TT-matrix with ", tt_.ndim(), " cores needs ", tt_.ndim(), " row and column sizes, got ",
                   rows_.size(), " and ", cols_.size());
        for (Index k = 0; k < tt_.ndim(); ++k)
            TT_REQUIRE(rows_[k] >= 1 && cols_[k] >= 1 && rows_[k] * cols_[k] == tt_.core(k).n(), "TT-matrix core ",
                       k, " has mode size ", tt_.core(k).n(), ", expected ", rows_[k], " x ", cols_[k]);
    }
    Index ndim() const { return tt_.ndim(); }
    const TensorTrain<T>& tt() const { return tt_; }
    TensorTrain<T>& tt() { return tt_; }
    const std::vector<Index>& row_dims() const { return rows_; }
    const std::vector<Index>& col_dims() const { return cols_; }
    std::vector<Index> ranks() const { return tt_.ranks(); }
    double rows_total() const {
        double s = 1;
        for (auto r : rows_) s *= (double)r;
        return s;
    }
    double cols_total() const {
        double s = 1;
        for (auto c : cols_) s *= (double)c;
        return s;
    }
    // Element A(a, i, j, b) of core k.
    T& operator()(Index k, Index a, Index i, Index j, Index b) { return tt_.core(k)(a, i + rows_[k] * j, b); }

  private:
    TensorTrain<T> tt_;
    std::vector<Index> rows_, cols_;
};

// Row-major multi-index helpers: the dense matrix has rows ordered by (i1..id) in C order
// and columns by (j1..jd) in C order.
template <class T>
Mat<T> to_dense(const TTMatrix<T>& A) {
    const double rows = A.rows_total(), cols = A.cols_total();
    detail::check_full_size(rows * cols, sizeof(T), "TTMatrix.full");
    const Vec<T> full = to_full(A.tt());  // C order over combined modes c_k = i_k + m_k j_k
    const Index d = A.ndim();
    const Index R = (Index)rows, C = (Index)cols;
    Mat<T> M(R, C);
    // Walk all combined multi-indices in C order, splitting each into (i, j).
    std::vector<Index> idx((std::size_t)d, 0);
    for (Index flat = 0; flat < full.size(); ++flat) {
        Index r = 0, c = 0;
        for (Index k = 0; k < d; ++k) {
            const Index m = A.row_dims()[k], n = A.col_dims()[k];
            r = r * m + idx[k] % m;
            c = c * n + idx[k] / m;
        }
        M(r, c) = full[flat];
        for (Index k = d - 1; k >= 0; --k) {
            if (++idx[k] < A.row_dims()[k] * A.col_dims()[k]) break;
            idx[k] = 0;
        }
    }
    return M;
}

}  // namespace tensortrain
