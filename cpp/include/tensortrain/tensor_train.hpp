// SPDX-License-Identifier: BSD-3-Clause
// The tensor train (Oseledets, "Tensor-train decomposition", SISC 2011):
// A(i1..id) = G1(i1) G2(i2) ... Gd(id), with cores G_k of shape (r_{k-1}, n_k, r_k), r_0 = r_d = 1.
// Cores are stored column-major (Fortran order), so a core is its own left unfolding
// (r_{k-1} n_k x r_k) and its own right unfolding (r_{k-1} x n_k r_k) without copies.
#pragma once

#include "common.hpp"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <new>

namespace tensortrain {

namespace detail {
// Storage for core entries: 64-byte aligned, and left uninitialized where the caller writes
// every entry (exact products of trains reach hundreds of MB; a zero fill would double the
// memory traffic). Huge pages (MADV_HUGEPAGE) were tried: on this machine's "madvise" THP
// setting direct compaction made the exact matvec range from 17 to 182 ms, so they are not used.
inline void* allocate_bytes(std::size_t bytes) {
    void* p = std::aligned_alloc(64, std::max<std::size_t>(64, (bytes + 63) / 64 * 64));
    if (!p) throw std::bad_alloc();
    return p;
}

template <class T>
class Buffer {
  public:
    Buffer() = default;
    explicit Buffer(Index n) : n_(n), p_(n > 0 ? static_cast<T*>(allocate_bytes(sizeof(T) * (std::size_t)n)) : nullptr) {}
    Buffer(const Buffer& o) : Buffer(o.n_) {
        if (n_) std::memcpy(p_.get(), o.p_.get(), sizeof(T) * (std::size_t)n_);
    }
    Buffer(Buffer&&) noexcept = default;
    Buffer& operator=(const Buffer& o) {
        if (this != &o) *this = Buffer(o);
        return *this;
    }
    Buffer& operator=(Buffer&&) noexcept = default;
    T* data() { return p_.get(); }
    const T* data() const { return p_.get(); }
    Index size() const { return n_; }

  private:
    struct Free {
        void operator()(T* p) const { std::free(p); }
    };
    Index n_ = 0;
    std::unique_ptr<T, Free> p_;
};
}  // namespace detail

// Tag for constructors that leave storage uninitialized (the caller overwrites all of it).
struct Uninitialized {};

// A three-way array (r0, n, r1) in column-major order: element (a, i, b) at a + r0*(i + n*b).
template <class T>
class Core {
  public:
    Core(Index r0, Index n, Index r1, Uninitialized) : r0_(r0), n_(n), r1_(r1), data_(checked_size(r0, n, r1)) {}
    Core() : Core(1, 1, 1) {}
    Core(Index r0, Index n, Index r1) : Core(r0, n, r1, Uninitialized{}) {
        std::memset(static_cast<void*>(data_.data()), 0, sizeof(T) * (std::size_t)data_.size());
    }
    Core(Index r0, Index n, Index r1, const Vec<T>& data) : Core(r0, n, r1, Uninitialized{}) {
        TT_REQUIRE(data.size() == r0 * n * r1, "core data has ", data.size(), " entries, expected ", r0 * n * r1);
        vec() = data;
    }
    // Copies r0*n*r1 entries from src (column-major).
    Core(Index r0, Index n, Index r1, const T* src) : Core(r0, n, r1, Uninitialized{}) {
        std::memcpy(static_cast<void*>(data_.data()), src, sizeof(T) * (std::size_t)data_.size());
    }
    // From a left unfolding (r0*n x r1).
    static Core from_left(Index r0, Index n, const Mat<T>& L) {
        TT_REQUIRE(L.rows() == r0 * n, "left unfolding has ", L.rows(), " rows, expected ", r0 * n);
        Core c(r0, n, L.cols(), Uninitialized{});
        c.left() = L;
        return c;
    }
    // From a right unfolding (r0 x n*r1).
    static Core from_right(Index n, Index r1, const Mat<T>& Rm) {
        TT_REQUIRE(Rm.cols() == n * r1, "right unfolding has ", Rm.cols(), " columns, expected ", n * r1);
        Core c(Rm.rows(), n, r1, Uninitialized{});
        c.right() = Rm;
        return c;
    }

    Index r0() const { return r0_; }
    Index n() const { return n_; }
    Index r1() const { return r1_; }
    Index size() const { return data_.size(); }
    T* data() { return data_.data(); }
    const T* data() const { return data_.data(); }
    Eigen::Map<Vec<T>> vec() { return {data_.data(), data_.size()}; }
    Eigen::Map<const Vec<T>> vec() const { return {data_.data(), data_.size()}; }

    T& operator()(Index a, Index i, Index b) { return data_.data()[a + r0_ * (i + n_ * b)]; }
    const T& operator()(Index a, Index i, Index b) const { return data_.data()[a + r0_ * (i + n_ * b)]; }

    MatMap<T> left() { return MatMap<T>(data_.data(), r0_ * n_, r1_); }
    ConstMatMap<T> left() const { return ConstMatMap<T>(data_.data(), r0_ * n_, r1_); }
    MatMap<T> right() { return MatMap<T>(data_.data(), r0_, n_ * r1_); }
    ConstMatMap<T> right() const { return ConstMatMap<T>(data_.data(), r0_, n_ * r1_); }
    // The r0 x r1 matrix G(:, i, :) (a strided view).
    Eigen::Map<const Mat<T>, 0, Eigen::OuterStride<>> slice(Index i) const {
        return {data_.data() + r0_ * i, r0_, r1_, Eigen::OuterStride<>(r0_ * n_)};
    }
    Eigen::Map<Mat<T>, 0, Eigen::OuterStride<>> slice(Index i) {
        return {data_.data() + r0_ * i, r0_, r1_, Eigen::OuterStride<>(r0_ * n_)};
    }

    template <class U>
    Core<U> cast() const {
        return Core<U>(r0_, n_, r1_, Vec<U>(vec().template cast<U>()));
    }

  private:
    static Index checked_size(Index r0, Index n, Index r1) {
        TT_REQUIRE(r0 >= 1 && n >= 1 && r1 >= 1, "core dimensions must be positive, got (", r0, ", ", n, ", ", r1,
                   ")");
        return r0 * n * r1;
    }
    Index r0_, n_, r1_;
    detail::Buffer<T> data_;
};

template <class T>
class TensorTrain {
  public:
    using Scalar = T;
    TensorTrain() = default;
    explicit TensorTrain(std::vector<Core<T>> cores) : cores_(std::move(cores)) { validate(); }

    // Checks the chain: at least one core, boundary ranks 1, neighbouring ranks equal.
    void validate() const {
        TT_REQUIRE(!cores_.empty(), "a tensor train needs at least one core, got 0");
        TT_REQUIRE(cores_.front().r0() == 1, "the first core must have left rank 1, got ", cores_.front().r0());
        TT_REQUIRE(cores_.back().r1() == 1, "the last core must have right rank 1, got ", cores_.back().r1());
        for (std::size_t k = 0; k + 1 < cores_.size(); ++k)
            TT_REQUIRE(cores_[k].r1() == cores_[k + 1].r0(), "rank mismatch between cores ", k, " and ", k + 1,
                       ": core ", k, " has right rank ", cores_[k].r1(), ", core ", k + 1, " has left rank ",
                       cores_[k + 1].r0());
    }

    Index ndim() const { return (Index)cores_.size(); }
    const std::vector<Core<T>>& cores() const { return cores_; }
    std::vector<Core<T>>& cores() { return cores_; }
    const Core<T>& core(Index k) const { return cores_[(std::size_t)k]; }
    Core<T>& core(Index k) { return cores_[(std::size_t)k]; }

    std::vector<Index> shape() const {
        std::vector<Index> s;
        for (auto& c : cores_) s.push_back(c.n());
        return s;
    }
    // d+1 ranks including the boundary ones.
    std::vector<Index> ranks() const {
        std::vector<Index> r;
        if (cores_.empty()) return r;
        r.push_back(cores_.front().r0());
        for (auto& c : cores_) r.push_back(c.r1());
        return r;
    }
    Index max_rank() const {
        Index m = 1;
        for (auto& c : cores_) m = std::max(m, c.r1());
        return m;
    }
    Index num_params() const {
        Index p = 0;
        for (auto& c : cores_) p += c.size();
        return p;
    }
    // Number of entries of the full tensor as a double (it may exceed any integer type).
    double full_size() const {
        double s = 1;
        for (auto& c : cores_) s *= (double)c.n();
        return s;
    }
    bool all_finite() const {
        for (auto& c : cores_)
            if (!c.vec().allFinite()) return false;
        return true;
    }

    template <class U>
    TensorTrain<U> cast() const {
        std::vector<Core<U>> cs;
        for (auto& c : cores_) cs.push_back(c.template cast<U>());
        return TensorTrain<U>(std::move(cs));
    }

  private:
    std::vector<Core<T>> cores_;
};

// Largest dense result (in entries) that to_full and friends build before refusing.
inline double& max_full_entries() {
    static double limit = double(1) * (1LL << 31);  // 2^31 entries: 16 GiB of doubles
    return limit;
}

namespace detail {
inline void check_full_size(double entries, std::size_t scalar_bytes, const char* what) {
    if (entries > max_full_entries())
        throw SizeError(cat(what, ": the dense result would have ", entries, " entries (",
                            entries * (double)scalar_bytes / 1073741824.0, " GiB), more than the limit of ",
                            max_full_entries(), " entries; evaluate entries in batches instead"));
}
}  // namespace detail

// The dense tensor in row-major (C) order of the multi-index (i1, ..., id): i_d varies fastest.
template <class T>
Vec<T> to_full(const TensorTrain<T>& tt) {
    detail::check_full_size(tt.full_size(), sizeof(T), "to_full");
    // Sweep from the last core: W holds, for every left rank index a and every suffix (i_k..i_d)
    // in C order, the partial product; stored as a matrix (suffix x r_{k-1}) column-major.
    const Index d = tt.ndim();
    const auto& last = tt.core(d - 1);
    // W(suffix, a) = G_d(a, i_d, 0)  -> transpose of the right unfolding
    Mat<T> W = last.right().transpose();  // (n_d x r_{d-1})
    for (Index k = d - 2; k >= 0; --k) {
        const auto& G = tt.core(k);
        const Index S = W.rows();  // suffix count
        // new W(i_k * S + s, a) = sum_b G(a, i_k, b) W(s, b)
        Mat<T> Wn(S * G.n(), G.r0());
        for (Index i = 0; i < G.n(); ++i) {
            // block rows [i*S, (i+1)*S): W * G(:, i, :)^T
            Wn.middleRows(i * S, S).noalias() = W * G.slice(i).transpose();
        }
        W = std::move(Wn);
    }
    return Eigen::Map<Vec<T>>(W.data(), W.size());
}

}  // namespace tensortrain
