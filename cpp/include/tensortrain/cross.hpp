// SPDX-License-Identifier: BSD-3-Clause
// TT-cross: a tensor train from samples of a black-box function of a multi-index.
// - "maxvol": one-site cross (Oseledets and Tyrtyshnikov, "TT-cross approximation of
//   multidimensional arrays", LAA 2010): each step samples the fibers f(I_k, i_k, J_{k+1}),
//   truncates them by SVD (ranks adapt down) and picks the next index set by rectangular maxvol
//   with `kick` extra rows (ranks adapt up).
// - "dmrg": two-site DMRG-cross (Savostyanov and Oseledets, "Fast adaptive interpolation of
//   multi-dimensional arrays in tensor train format", 2011): each step samples the supercore
//   f(I_k, i_k, i_{k+1}, J_{k+2}) and truncates it by SVD; more samples per step, faster rank
//   discovery.
// The current approximation is a valid train at every moment (it starts as the rank-1 cross
// through a pivot), so a budget or an interrupt can stop the run anywhere and return it.
#pragma once

#include "arithmetic.hpp"
#include "evaluate.hpp"
#include "maxvol.hpp"

#include <cstdint>
#include <cstring>
#include <functional>
#include <random>
#include <string>

namespace tensortrain {

// f: values at M multi-indices given row-major (idx[m*d + k]) into out[0..M).
template <class T>
using BatchFunction = std::function<void(const std::int64_t* idx, Index M, T* out)>;

// Thrown by a batch function to stop a run early (Ctrl-C in Python): the run returns what it
// has, with stop_reason "interrupted".
class Interrupted : public Error {
  public:
    Interrupted() : Error("interrupted") {}
};

namespace detail {
// Set of multi-indices with exact lookups and no allocation per entry: indices stored packed
// (int32) in one array, slots found by open addressing (linear probing) on a 64-bit hash.
class IndexTable {
  public:
    explicit IndexTable(std::size_t d = 0) : d_(d) {}
    std::size_t size() const { return hashes_.size(); }
    std::size_t dim() const { return d_; }
    static std::uint64_t hash(const std::int64_t* ix, std::size_t d) {
        std::uint64_t h = 0x9E3779B97F4A7C15ull ^ d;
        for (std::size_t j = 0; j < d; ++j) {
            h ^= (std::uint64_t)ix[j] + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
            h *= 0xBF58476D1CE4E5B9ull;
            h ^= h >> 31;
        }
        return h;
    }
    // Slot of ix, or -1.
    std::int64_t find(const std::int64_t* ix) const { return find(ix, hash(ix, d_)); }
    std::int64_t find(const std::int64_t* ix, std::uint64_t h) const {
        if (tab_.empty()) return -1;
        const std::size_t mask = tab_.size() - 1;
        for (std::size_t i = (std::size_t)h & mask;; i = (i + 1) & mask) {
            const Entry& e = tab_[i];
            if (e.slot < 0) return -1;
            if (e.hash == h && equal(e.slot, ix)) return e.slot;
        }
    }
    // Slot of ix and whether it was added now.
    std::pair<std::int64_t, bool> insert(const std::int64_t* ix) { return insert(ix, hash(ix, d_)); }
    std::pair<std::int64_t, bool> insert(const std::int64_t* ix, std::uint64_t h) {
        const std::int64_t found = find(ix, h);
        if (found >= 0) return {found, false};
        const std::int64_t slot = (std::int64_t)hashes_.size();
        for (std::size_t j = 0; j < d_; ++j) keys_.push_back((std::int32_t)ix[j]);
        hashes_.push_back(h);
        if (2 * hashes_.size() > tab_.size()) {  // load factor <= 1/2
            tab_.assign(std::max<std::size_t>(64, 2 * tab_.size()), Entry{});
            for (std::size_t q = 0; q < hashes_.size(); ++q) place((std::int64_t)q);
        } else {
            place(slot);
        }
        return {slot, true};
    }
    std::int64_t key(std::int64_t slot, std::size_t j) const { return keys_[(std::size_t)slot * d_ + j]; }
    void prefetch(std::uint64_t h) const {
#if defined(__GNUC__) || defined(__clang__)
        if (!tab_.empty()) __builtin_prefetch(&tab_[(std::size_t)h & (tab_.size() - 1)]);
#else
        (void)h;
#endif
    }
    // Room for n entries without growing (on an empty table).
    void reserve(std::size_t n) {
        std::size_t cap = 64;
        while (cap < 2 * n) cap *= 2;
        if (hashes_.empty() && cap > tab_.size()) tab_.assign(cap, Entry{});
        keys_.reserve(n * d_);
        hashes_.reserve(n);
    }

  private:
    void place(std::int64_t s) {
        const std::size_t mask = tab_.size() - 1;
        std::size_t i = (std::size_t)hashes_[(std::size_t)s] & mask;
        while (tab_[i].slot >= 0) i = (i + 1) & mask;
        tab_[i] = Entry{hashes_[(std::size_t)s], s};
    }
    bool equal(std::int64_t s, const std::int64_t* ix) const {
        const std::int32_t* k = &keys_[(std::size_t)s * d_];
        for (std::size_t j = 0; j < d_; ++j)
            if (k[j] != ix[j]) return false;
        return true;
    }
    std::size_t d_;
    std::vector<std::int32_t> keys_;
    std::vector<std::uint64_t> hashes_;  // by slot
    struct Entry {
        std::uint64_t hash = 0;
        std::int64_t slot = -1;  // -1: empty
    };
    std::vector<Entry> tab_;  // power of two entries, at most half full
};
}  // namespace detail

// Function values seen so far, keyed by multi-index. Pass the same cache to several runs on the
// same function to reuse its values.
template <class T>
class CrossCache {
  public:
    CrossCache() = default;
    explicit CrossCache(std::vector<Index> shape) : shape_(std::move(shape)), table_(shape_.size()) {}
    const std::vector<Index>& shape() const { return shape_; }
    std::size_t size() const { return table_.size(); }
    bool find(const std::int64_t* ix, T& v) const {
        const std::int64_t s = table_.find(ix);
        if (s < 0) return false;
        v = vals_[(std::size_t)s];
        return true;
    }
    void insert(const std::int64_t* ix, T v) { insert(ix, detail::IndexTable::hash(ix, shape_.size()), v); }
    // With the hash of ix precomputed (detail::IndexTable::hash); returns the entry's slot.
    std::int64_t insert(const std::int64_t* ix, std::uint64_t h, T v) {
        auto [s, fresh] = table_.insert(ix, h);
        if (fresh) vals_.push_back(v);
        else vals_[(std::size_t)s] = v;
        return s;
    }
    std::int64_t find_slot(const std::int64_t* ix, std::uint64_t h) const { return table_.find(ix, h); }
    void prefetch(std::uint64_t h) const { table_.prefetch(h); }
    T value(std::int64_t slot) const { return vals_[(std::size_t)slot]; }
    // All entries: indices row-major (size() x d) and values.
    void items(std::vector<std::int64_t>& idx, std::vector<T>& vals) const {
        const std::size_t d = shape_.size(), n = table_.size();
        idx.resize(n * d);
        for (std::size_t m = 0; m < n; ++m)
            for (std::size_t j = 0; j < d; ++j) idx[m * d + j] = table_.key((std::int64_t)m, j);
        vals = vals_;
    }

  private:
    std::vector<Index> shape_;
    detail::IndexTable table_;
    std::vector<T> vals_;
};

struct CrossProgress {
    Index sweep = 0;           // half-sweeps done
    double change = 0;         // relative change over the last half-sweep
    double error = 0;          // relative error of the train before each step on the blocks it sampled
    double test_error = -1;    // on the held-out set (-1 without one)
    long long n_evals = 0;
    Index max_rank = 0;
};

struct CrossOptions {
    // "maxvol" (one-site, random kicks), "amen" (one-site, kicks from the residual on random
    // probe fibers) or "dmrg" (two-site)
    std::string method = "maxvol";
    double rtol = 1e-6;             // stop when a half-sweep changes the train by less (relative)
    Index max_rank = 64;
    Index n_sweeps = 20;            // at most this many half-sweeps
    long long max_evals = -1;       // hard budget of calls of f on distinct indices (-1: none)
    Index kick = 2;                 // extra random rows per bond and step (rank growth, exploration)
    std::uint64_t seed = 0;
    Index batch_size = 0;           // at most this many points per call of f (0: no limit)
    Index n_test = 0;               // held-out random points for an error estimate (cost evals)
    std::function<bool(const CrossProgress&)> callback;  // return true to stop
};

template <class T>
struct CrossResult {
    TensorTrain<T> tt;
    std::string stop_reason;  // converged, max_evals, n_sweeps, callback, interrupted
    bool converged = false;
    long long n_evals = 0;     // calls of f on distinct multi-indices in this run
    long long n_requests = 0;  // entries the method needed, cache hits included
    long long n_cache_hits = 0;
    Index n_sweeps = 0;        // half-sweeps completed
    std::vector<double> change_history;
    std::vector<double> error_history;  // prediction error on the freshly sampled blocks
    std::vector<double> test_error_history;
};

namespace detail {

// The run aims below rtol: it truncates at kTruncMargin * rtol and stops once its error
// estimate is below kStopMargin * rtol. The estimates come from sampled fibers, which sit near
// the pivots, so the error at random points runs a few times higher than the estimate; and the
// estimate itself levels off near the truncation level, so that level must sit below the stop.
constexpr double kTruncMargin = 0.1;
constexpr double kStopMargin = 0.25;
// Method "amen" estimates its error on random probe fibers (away from the pivots), so the
// estimate tracks the error at random points and it can truncate and stop closer to rtol.
constexpr double kAmenTruncMargin = 0.3;
constexpr double kAmenStopMargin = 1.0;

// K rows of the n x r orthonormal basis U: maxvol's r rows plus K - r random others (the
// rank kick: random rows explore where the current index sets have not looked). coef (n x K)
// = U pinv(U(rows, :)), so U = coef U(rows, :).
template <class T>
MaxvolResult<T> kick_rows(const Mat<T>& U, Index K, std::mt19937_64& rng) {
    MaxvolResult<T> res = maxvol(U);
    const Index n = U.rows(), r = U.cols();
    if (K <= r) return res;
    std::vector<char> used((std::size_t)n, 0);
    for (Index i : res.rows) used[(std::size_t)i] = 1;
    std::vector<Index> free_rows;
    for (Index i = 0; i < n; ++i)
        if (!used[(std::size_t)i]) free_rows.push_back(i);
    for (Index q = 0; q < K - r && !free_rows.empty(); ++q) {
        const std::size_t j = (std::size_t)(rng() % free_rows.size());
        res.rows.push_back(free_rows[j]);
        free_rows[j] = free_rows.back();
        free_rows.pop_back();
    }
    const Index k = (Index)res.rows.size();
    Mat<T> UI(k, r);
    for (Index q = 0; q < k; ++q) UI.row(q) = U.row(res.rows[(std::size_t)q]);
    // pinv(UI) = (UI^T UI)^{-1} UI^T; UI^T UI >= (maxvol block)^T (maxvol block), well conditioned.
    const Mat<T> G = UI.transpose() * UI;
    res.coef = U * G.llt().solve(UI.transpose());
    return res;
}

template <class T>
class CrossRun {
  public:
    CrossRun(const BatchFunction<T>& f, std::vector<Index> shape, const CrossOptions& o, CrossCache<T>& cache)
        : f_(f), shape_(std::move(shape)), d_((Index)shape_.size()), o_(o), cache_(cache), rng_(o.seed),
          seen_(cache.size(), 0) {}

    CrossResult<T> run();

  private:
    struct BudgetExhausted {};
    static constexpr Index kEstimatePoints = 64;

    // Values at the multi-indices idx (M x d); pulls misses from f in batches, honours the budget.
    // fresh (optional) marks the points this run had not requested before: the error estimate
    // uses only those, and does not depend on what a shared cache already held.
    Vec<T> values(const std::vector<std::int64_t>& idx, std::vector<char>* fresh = nullptr) {
        const Index M = (Index)(idx.size() / (std::size_t)d_);
        Vec<T> out(M);
        if (fresh) fresh->assign((std::size_t)M, 0);
        std::vector<Index> miss;
        std::vector<std::uint64_t> hashes((std::size_t)M);
        detail::IndexTable first((std::size_t)d_);  // dedupe misses within the request
        first.reserve((std::size_t)M);
        std::vector<Index> alias((std::size_t)M, -1);
        // Hashes first, with the table lines they land on prefetched: the lookups below are
        // bound by memory latency once the cache outgrows the CPU caches.
        for (Index m = 0; m < M; ++m) {
            const std::uint64_t h = detail::IndexTable::hash(&idx[(std::size_t)(m * d_)], (std::size_t)d_);
            hashes[(std::size_t)m] = h;
            cache_.prefetch(h);
        }
        for (Index m = 0; m < M; ++m) {
            const std::int64_t* ix = &idx[(std::size_t)(m * d_)];
            const std::uint64_t h = hashes[(std::size_t)m];
            const std::int64_t slot = cache_.find_slot(ix, h);
            if (slot >= 0) {
                out(m) = cache_.value(slot);
                ++res_.n_cache_hits;
                if ((std::size_t)slot >= seen_.size()) seen_.resize(cache_.size(), 0);
                if (fresh && !seen_[(std::size_t)slot]) (*fresh)[(std::size_t)m] = 1;
                seen_[(std::size_t)slot] = 1;
            } else {
                auto [s, is_new] = first.insert(ix, h);
                if (is_new) {
                    miss.push_back(m);
                    if (fresh) (*fresh)[(std::size_t)m] = 1;
                } else {
                    alias[(std::size_t)m] = miss[(std::size_t)s];
                }
            }
        }
        res_.n_requests += M;
        const long long need = (long long)miss.size();
        if (o_.max_evals >= 0 && res_.n_evals + need > o_.max_evals) throw BudgetExhausted{};
        const Index bs = o_.batch_size > 0 ? o_.batch_size : std::max<Index>((Index)miss.size(), 1);
        std::vector<std::int64_t> batch;
        std::vector<T> vals;
        for (std::size_t s = 0; s < miss.size(); s += (std::size_t)bs) {
            const std::size_t e = std::min(miss.size(), s + (std::size_t)bs);
            batch.assign((e - s) * (std::size_t)d_, 0);
            for (std::size_t q = s; q < e; ++q)
                std::copy_n(&idx[(std::size_t)(miss[q] * d_)], d_, &batch[(q - s) * (std::size_t)d_]);
            vals.assign(e - s, T(0));
            f_(batch.data(), (Index)(e - s), vals.data());
            for (std::size_t q = s; q < e; ++q) {
                const T v = vals[q - s];
                if (!std::isfinite((double)v)) {
                    std::vector<std::int64_t> ix(&batch[(q - s) * (std::size_t)d_],
                                                 &batch[(q - s) * (std::size_t)d_] + d_);
                    throw std::invalid_argument(cat("cross: the function returned ", v, " at multi-index ",
                                                    vec_str(ix), "; it must return finite values"));
                }
                const std::int64_t slot = cache_.insert(&batch[(q - s) * (std::size_t)d_], hashes[(std::size_t)miss[q]], v);
                if ((std::size_t)slot >= seen_.size()) seen_.resize(cache_.size() + 1024, 0);
                seen_[(std::size_t)slot] = 1;
                out(miss[q]) = v;
            }
            res_.n_evals += (long long)(e - s);
        }
        for (Index m = 0; m < M; ++m)
            if (alias[(std::size_t)m] >= 0) out(m) = out(alias[(std::size_t)m]);
        return out;
    }

    // Block f(I[a], i_k..i_{k+w-1}, J[b]) for left prefixes I (rl x k) and right suffixes
    // J (rr x (d-k-w)), as a matrix with rows (a + rl * (i_k + n_k * ...)) and columns b: the
    // layout of a core's left unfolding.
    std::vector<std::int64_t> block_indices(Index k, Index w, const std::vector<std::int64_t>& I, Index rl,
                                            const std::vector<std::int64_t>& J, Index rr) const {
        Index nw = 1;
        for (Index j = 0; j < w; ++j) nw *= shape_[(std::size_t)(k + j)];
        const Index rows = rl * nw, sl = d_ - k - w;
        std::vector<std::int64_t> idx((std::size_t)(rows * rr * d_));
        for (Index b = 0; b < rr; ++b)
            for (Index row = 0; row < rows; ++row) {
                std::int64_t* p = &idx[(std::size_t)((row + rows * b) * d_)];
                const Index a = row % rl;
                Index rest = row / rl;
                for (Index j = 0; j < k; ++j) p[j] = I[(std::size_t)(a * k + j)];
                for (Index j = 0; j < w; ++j) {
                    const Index n = shape_[(std::size_t)(k + j)];
                    p[k + j] = rest % n;
                    rest /= n;
                }
                for (Index j = 0; j < sl; ++j) p[k + w + j] = J[(std::size_t)(b * sl + j)];
            }
        return idx;
    }

    Mat<T> block(Index k, Index w, const std::vector<std::int64_t>& I, Index rl, const std::vector<std::int64_t>& J,
                 Index rr) {
        const std::vector<std::int64_t> idx = block_indices(k, w, I, rl, J, rr);
        Index nw = 1;
        for (Index j = 0; j < w; ++j) nw *= shape_[(std::size_t)(k + j)];
        const Index rows = rl * nw;
        std::vector<char> fresh;
        if (amen_) {  // the estimate comes from the random probes instead
            const Vec<T> v = values(idx);
            return Eigen::Map<const Mat<T>>(v.data(), rows, rr);
        }
        const Vec<T> v = values(idx, &fresh);
        // How well the train before this step predicts the entries of the block it has never
        // seen: an error estimate that costs no evaluations (accumulated over the half-sweep).
        std::vector<std::int64_t> sub;
        std::vector<Index> where;
        // At most ~kEstimatePoints of them per block (every stride-th): enough for the estimate,
        // and evaluating the train at all of them would cost more than the cross itself.
        Index nf = 0;
        for (char c : fresh) nf += c;
        const Index stride = std::max<Index>(1, nf / kEstimatePoints);
        Index seen_fresh = 0;
        for (Index m = 0; m < rows * rr; ++m)
            if (fresh[(std::size_t)m] && (seen_fresh++ % stride) == 0) {
                sub.insert(sub.end(), idx.begin() + m * d_, idx.begin() + (m + 1) * d_);
                where.push_back(m);
            }
        if (!where.empty()) {
            const Vec<T> pred = evaluate(tt_, sub.data(), (Index)where.size());
            for (std::size_t q = 0; q < where.size(); ++q) {
                const double e = (double)(pred((Index)q) - v(where[q])), a = (double)v(where[q]);
                err2_ += e * e;
                nrm2_ += a * a;
            }
            nfresh_ += (long long)where.size();
        }
        return Eigen::Map<const Mat<T>>(v.data(), rows, rr);
    }

    // Method "amen": the fiber block F = f(I_k, i_k, J_{k+1}) (rl n x rr) and, in the same call
    // of f, the residual f - train on kick probe fibers through random index sets: random
    // suffixes in a forward step (rl n x kick, rows like F), random prefixes in a backward one
    // (returned as n rr x kick, rows like the right unfolding's columns). The probes, away from
    // the pivots, give the error estimate.
    void block_and_probe(Index k, bool forward, Mat<T>& F, Mat<T>& res) {
        const Index n = shape_[(std::size_t)k], rl = r_[(std::size_t)k], rr = r_[(std::size_t)k + 1], q = o_.kick;
        std::vector<std::int64_t> idx = block_indices(k, 1, I_[(std::size_t)k], rl, J_[(std::size_t)k + 1], rr);
        const std::size_t nb = idx.size() / (std::size_t)d_;
        const std::vector<std::int64_t> pidx =
            forward ? block_indices(k, 1, I_[(std::size_t)k], rl, random_indices(q, k + 1, d_), q)
                    : block_indices(k, 1, random_indices(q, 0, k), q, J_[(std::size_t)k + 1], rr);
        const Index np = (Index)(pidx.size() / (std::size_t)d_);
        idx.insert(idx.end(), pidx.begin(), pidx.end());
        const Vec<T> v = values(idx);
        F = Eigen::Map<const Mat<T>>(v.data(), rl * n, rr);
        const Vec<T> vp = v.segment((Index)nb, np);
        const Vec<T> e = vp - evaluate(tt_, pidx.data(), np);
        err2_ += (double)e.squaredNorm();
        nrm2_ += (double)vp.squaredNorm();
        nfresh_ += (long long)np;
        if (forward) res = Eigen::Map<const Mat<T>>(e.data(), rl * n, q);
        else res = Eigen::Map<const Mat<T>>(e.data(), q, n * rr).transpose();
    }
    // cnt random multi-indices of modes [lo, hi), row-major (cnt x (hi - lo)).
    std::vector<std::int64_t> random_indices(Index cnt, Index lo, Index hi) {
        std::vector<std::int64_t> z;
        z.reserve((std::size_t)(cnt * (hi - lo)));
        for (Index c = 0; c < cnt; ++c)
            for (Index j = lo; j < hi; ++j) z.push_back((std::int64_t)(rng_() % (std::uint64_t)shape_[(std::size_t)j]));
        return z;
    }
    // Rows for the next index set from the first r columns of the orthonormal U (rank r), grown to
    // K: "maxvol" adds K - r random rows; "amen" extends the basis by the residual's leading
    // directions outside span(U_r) and takes the maxvol rows of the extended basis.
    MaxvolResult<T> select_rows(const Mat<T>& U, Index r, Index K, const Mat<T>* residual) {
        if (!residual || K <= r) return kick_rows<T>(Mat<T>(U.leftCols(r)), K, rng_);
        Mat<T> E = *residual - U.leftCols(r) * (U.leftCols(r).transpose() * *residual);
        Mat<T> X(U.rows(), K);
        X.leftCols(r) = U.leftCols(r);
        if (E.cols() > 0 && E.norm() > 0) {
            Mat<T> Ue, VTe;
            Vec<real_t<T>> se;
            linalg::svd(E, Ue, se, VTe);
            const Index m = std::min<Index>(K - r, Ue.cols());
            X.middleCols(r, m) = Ue.leftCols(m);
            // directions the residual does not supply: random ones
            std::normal_distribution<double> g;
            for (Index j = r + m; j < K; ++j)
                for (Index i = 0; i < X.rows(); ++i) X(i, j) = T(g(rng_));
        } else {
            std::normal_distribution<double> g;
            for (Index j = r; j < K; ++j)
                for (Index i = 0; i < X.rows(); ++i) X(i, j) = T(g(rng_));
        }
        Mat<T> Rf;
        linalg::qr(X, Rf);
        return maxvol(X);
    }

    void init();
    // The current train; a zero train when stopped before the first fibers came in.
    TensorTrain<T> current_or_zero() const {
        if (!cores_.empty()) return TensorTrain<T>(cores_);
        std::vector<Core<T>> z;
        for (Index n : shape_) z.emplace_back(1, n, 1);
        return TensorTrain<T>(std::move(z));
    }
    void step_maxvol(Index k, bool forward);
    void step_dmrg(Index k, bool forward);
    Index bond_rank(const Vec<real_t<T>>& s, Index cap) const;
    // New left set at bond k+1 from rows (a + r_k * i) of the left unfolding of core k.
    void set_left(Index k, const std::vector<Index>& rows);
    // New right set at bond k from columns (i + n_k * b) of the right unfolding of core k.
    void set_right(Index k, const std::vector<Index>& cols);

    const BatchFunction<T>& f_;
    std::vector<Index> shape_;
    Index d_;
    CrossOptions o_;
    CrossCache<T>& cache_;
    std::mt19937_64 rng_;
    CrossResult<T> res_;
    TensorTrain<T> tt_;                           // the current train (kept valid between steps)
    std::vector<Core<T>>& cores_ = tt_.cores();  // its cores
    bool amen_ = false;
    // I_[k]: r_k left prefixes (r_k x k), J_[k]: r_k right suffixes (r_k x (d-k)), bond k
    // between cores k-1 and k.
    std::vector<std::vector<std::int64_t>> I_, J_;
    std::vector<Index> r_;
    double err2_ = 0, nrm2_ = 0;  // prediction error of the current half-sweep's fresh entries
    long long nfresh_ = 0;
    std::vector<char> seen_;  // by cache slot: requested in this run
};

template <class T>
void CrossRun<T>::init() {
    // Rank-1 cross through a pivot: fibers through i*; the pivot moves to the largest entry seen
    // (a few rook steps) so that a function that is zero at a random point is not taken for zero.
    std::vector<std::int64_t> piv((std::size_t)d_);
    for (Index k = 0; k < d_; ++k) piv[(std::size_t)k] = (std::int64_t)(rng_() % (std::uint64_t)shape_[(std::size_t)k]);
    std::vector<Vec<T>> fib((std::size_t)d_);
    T p = T(0);
    for (int attempt = 0; attempt < 6; ++attempt) {
        std::vector<std::int64_t> idx;
        for (Index k = 0; k < d_; ++k)
            for (Index i = 0; i < shape_[(std::size_t)k]; ++i) {
                idx.insert(idx.end(), piv.begin(), piv.end());
                idx[idx.size() - (std::size_t)d_ + (std::size_t)k] = i;
            }
        const Vec<T> v = values(idx);  // fibers through piv (cached after the first time)
        Index off = 0, best_k = 0, best_i = 0;
        real_t<T> best = -1;
        for (Index k = 0; k < d_; ++k) {
            fib[(std::size_t)k] = v.segment(off, shape_[(std::size_t)k]);
            Index i;
            const real_t<T> m = fib[(std::size_t)k].cwiseAbs().maxCoeff(&i);
            if (m > best) best = m, best_k = k, best_i = i;
            off += shape_[(std::size_t)k];
        }
        p = fib[0](piv[0]);
        if (attempt == 5 || (p != T(0) && std::abs(p) >= real_t<T>(0.5) * best)) break;
        if (best <= real_t<T>(0)) {
            // Zero on every fiber: look at as many random points (a function with a small support
            // is hit far more often by scattered points than by the fibers through one point)
            // and move the pivot to the largest of them, or anywhere when they are zero too.
            const Index cnt = (Index)(idx.size() / (std::size_t)d_);
            const std::vector<std::int64_t> z = random_indices(cnt, 0, d_);
            const Vec<T> vz = values(z);
            Index m;
            const real_t<T> mz = vz.cwiseAbs().maxCoeff(&m);
            for (Index k = 0; k < d_; ++k)
                piv[(std::size_t)k] = mz > real_t<T>(0) ? z[(std::size_t)(m * d_ + k)]
                                                        : (std::int64_t)(rng_() % (std::uint64_t)shape_[(std::size_t)k]);
        } else {
            piv[(std::size_t)best_k] = best_i;  // rook step towards the largest entry seen
        }
    }
    cores_.clear();
    for (Index k = 0; k < d_; ++k) {
        Core<T> G(1, shape_[(std::size_t)k], 1);
        if (p != T(0)) {
            for (Index i = 0; i < shape_[(std::size_t)k]; ++i)
                G(0, i, 0) = k == 0 ? fib[0](i) : fib[(std::size_t)k](i) / p;
        }
        cores_.push_back(std::move(G));
    }
    I_.assign((std::size_t)d_ + 1, {});
    J_.assign((std::size_t)d_ + 1, {});
    r_.assign((std::size_t)d_ + 1, 1);
    for (Index k = 0; k <= d_; ++k) {
        I_[(std::size_t)k].assign(piv.begin(), piv.begin() + k);
        J_[(std::size_t)k].assign(piv.begin() + k, piv.end());
    }
}

template <class T>
Index CrossRun<T>::bond_rank(const Vec<real_t<T>>& s, Index cap) const {
    using R = real_t<T>;
    const R delta = R(o_.rtol * (amen_ ? kAmenTruncMargin : kTruncMargin)) * s.norm() / std::sqrt(R(std::max<Index>(d_ - 1, 1)));
    R err2 = 0;
    return linalg::truncation_rank(s, delta, std::max<Index>(1, std::min<Index>(cap, s.size())), err2);
}

template <class T>
void CrossRun<T>::set_left(Index k, const std::vector<Index>& rows) {
    const Index rk = r_[(std::size_t)k], n = shape_[(std::size_t)k];
    (void)n;
    std::vector<std::int64_t> I;
    I.reserve(rows.size() * (std::size_t)(k + 1));
    for (Index row : rows) {
        const Index a = row % rk, i = row / rk;
        I.insert(I.end(), I_[(std::size_t)k].begin() + a * k, I_[(std::size_t)k].begin() + (a + 1) * k);
        I.push_back(i);
    }
    I_[(std::size_t)k + 1] = std::move(I);
    r_[(std::size_t)k + 1] = (Index)rows.size();
}

template <class T>
void CrossRun<T>::set_right(Index k, const std::vector<Index>& cols) {
    const Index n = shape_[(std::size_t)k], sl = d_ - k - 1;
    std::vector<std::int64_t> J;
    J.reserve(cols.size() * (std::size_t)(sl + 1));
    for (Index c : cols) {
        const Index i = c % n, b = c / n;
        J.push_back(i);
        J.insert(J.end(), J_[(std::size_t)k + 1].begin() + b * sl, J_[(std::size_t)k + 1].begin() + (b + 1) * sl);
    }
    J_[(std::size_t)k] = std::move(J);
    r_[(std::size_t)k] = (Index)cols.size();
}

template <class T>
void CrossRun<T>::step_maxvol(Index k, bool forward) {
    using R = real_t<T>;
    const Index n = shape_[(std::size_t)k], rl = r_[(std::size_t)k], rr = r_[(std::size_t)k + 1];
    // Fibers f(I_k, i_k, J_{k+1}): the core in skeleton form, rows (a + rl i), columns b.
    const bool probe = amen_ && o_.kick > 0 && ((forward && k + 1 < d_) || (!forward && k > 0));
    Mat<T> F, res;
    if (probe) block_and_probe(k, forward, F, res);
    else F = block(k, 1, I_[(std::size_t)k], rl, J_[(std::size_t)k + 1], rr);
    if (forward && k + 1 < d_) {
        Mat<T> A = F, U, VT;
        Vec<R> s;
        linalg::svd(A, U, s, VT);
        const Index r = bond_rank(s, o_.max_rank);
        const Index K = std::min<Index>({r + o_.kick, o_.max_rank, rl * n});
        auto sel = select_rows(U, r, std::max(K, r), probe ? &res : nullptr);
        // Core k = coef (interpolating on the chosen rows); the next core absorbs F(rows, :).
        cores_[(std::size_t)k] = Core<T>::from_left(rl, n, sel.coef);
        set_left(k, sel.rows);
        // Keep the train valid: next core = F(rows,:) times the old next core's coefficients.
        // The old core k+1 interpolates on J_{k+1}: (rr x n_{k+1} r_{k+2}); prepend F(rows, :).
        Mat<T> Frows((Index)sel.rows.size(), rr);
        for (std::size_t q = 0; q < sel.rows.size(); ++q) Frows.row((Index)q) = F.row(sel.rows[q]);
        Core<T>& N = cores_[(std::size_t)k + 1];
        Core<T> next(Frows.rows(), N.n(), N.r1(), Uninitialized{});
        next.right() = Frows * N.right();
        N = std::move(next);
    } else if (!forward && k > 0) {
        // Columns: the right unfolding of the core is (rl x n rr); pick columns of it.
        Mat<T> Rt = Eigen::Map<const Mat<T>>(F.data(), rl, n * rr);  // right unfolding
        Mat<T> A = Rt.transpose(), U, VT;                             // (n rr x rl)
        Vec<R> s;
        linalg::svd(A, U, s, VT);
        const Index r = bond_rank(s, o_.max_rank);
        const Index K = std::min<Index>({r + o_.kick, o_.max_rank, n * rr});
        auto sel = select_rows(U, r, std::max(K, r), probe ? &res : nullptr);
        cores_[(std::size_t)k] = Core<T>::from_right(n, rr, sel.coef.transpose());
        set_right(k, sel.rows);
        Mat<T> Fcols(rl, (Index)sel.rows.size());
        for (std::size_t q = 0; q < sel.rows.size(); ++q) Fcols.col((Index)q) = Rt.col(sel.rows[q]);
        Core<T>& P = cores_[(std::size_t)k - 1];
        Core<T> prev(P.r0(), P.n(), Fcols.cols(), Uninitialized{});
        prev.left() = P.left() * Fcols;
        P = std::move(prev);
    } else {
        // End of a half-sweep: the boundary core is the fiber block itself.
        cores_[(std::size_t)k] = Core<T>::from_left(rl, n, F);
    }
}

template <class T>
void CrossRun<T>::step_dmrg(Index k, bool forward) {
    using R = real_t<T>;
    const Index n0 = shape_[(std::size_t)k], n1 = shape_[(std::size_t)k + 1];
    const Index rl = r_[(std::size_t)k], rr = r_[(std::size_t)k + 2];
    // Supercore f(I_k, i_k, i_{k+1}, J_{k+2}) as (rl n0) x (n1 rr).
    const Mat<T> Wc = block(k, 2, I_[(std::size_t)k], rl, J_[(std::size_t)k + 2], rr);
    Mat<T> W = Eigen::Map<const Mat<T>>(Wc.data(), rl * n0, n1 * rr);
    Mat<T> A = W, U, VT;
    Vec<R> s;
    linalg::svd(A, U, s, VT);
    const Index r = bond_rank(s, o_.max_rank);
    if (forward) {
        const Index K = std::min<Index>({r + o_.kick, o_.max_rank, rl * n0});
        auto sel = kick_rows<T>(Mat<T>(U.leftCols(r)), std::max(K, r), rng_);
        cores_[(std::size_t)k] = Core<T>::from_left(rl, n0, sel.coef);
        set_left(k, sel.rows);
        Mat<T> Wrows((Index)sel.rows.size(), n1 * rr);
        for (std::size_t q = 0; q < sel.rows.size(); ++q) Wrows.row((Index)q) = W.row(sel.rows[q]);
        cores_[(std::size_t)k + 1] = Core<T>::from_right(n1, rr, Wrows);
    } else {
        const Index K = std::min<Index>({r + o_.kick, o_.max_rank, n1 * rr});
        auto sel = kick_rows<T>(Mat<T>(VT.topRows(r).transpose()), std::max(K, r), rng_);
        cores_[(std::size_t)k + 1] = Core<T>::from_right(n1, rr, sel.coef.transpose());
        set_right(k + 1, sel.rows);
        Mat<T> Wcols(rl * n0, (Index)sel.rows.size());
        for (std::size_t q = 0; q < sel.rows.size(); ++q) Wcols.col((Index)q) = W.col(sel.rows[q]);
        cores_[(std::size_t)k] = Core<T>::from_left(rl, n0, Wcols);
    }
}

template <class T>
CrossResult<T> CrossRun<T>::run() {
    TT_REQUIRE(o_.method == "maxvol" || o_.method == "amen" || o_.method == "dmrg",
               "cross: method must be \"maxvol\", \"amen\" or \"dmrg\", got \"", o_.method, "\"");
    amen_ = o_.method == "amen";
    TT_REQUIRE(o_.rtol >= 0 && std::isfinite(o_.rtol), "cross: rtol must be a finite number >= 0, got ", o_.rtol);
    TT_REQUIRE(o_.max_rank >= 1, "cross: max_rank must be >= 1, got ", o_.max_rank);
    TT_REQUIRE(o_.n_sweeps >= 1, "cross: n_sweeps must be >= 1, got ", o_.n_sweeps);
    TT_REQUIRE(o_.kick >= 0, "cross: kick must be >= 0, got ", o_.kick);
    TT_REQUIRE(o_.batch_size >= 0, "cross: batch_size must be >= 0, got ", o_.batch_size);
    TT_REQUIRE(o_.n_test >= 0, "cross: n_test must be >= 0, got ", o_.n_test);
    TT_REQUIRE(d_ >= 1, "cross: the shape needs at least one mode");
    for (Index n : shape_)
        TT_REQUIRE(n >= 1 && n < (Index(1) << 31), "cross: mode sizes must be in [1, 2^31), got shape ",
                   vec_str(shape_));
    TT_REQUIRE(cache_.shape() == shape_, "cross: the cache belongs to shape ", vec_str(cache_.shape()),
               ", not ", vec_str(shape_));
    std::vector<std::int64_t> test_idx;
    Vec<T> test_val;
    res_.stop_reason = "n_sweeps";
    TensorTrain<T> prev;
    try {
        init();
        if (o_.n_test > 0) {
            test_idx.resize((std::size_t)(o_.n_test * d_));
            for (Index m = 0; m < o_.n_test; ++m)
                for (Index k = 0; k < d_; ++k)
                    test_idx[(std::size_t)(m * d_ + k)] =
                        (std::int64_t)(rng_() % (std::uint64_t)shape_[(std::size_t)k]);
            test_val = values(test_idx);
        }
        prev = TensorTrain<T>(cores_);
        for (Index sweep = 0; sweep < o_.n_sweeps; ++sweep) {
            const bool forward = sweep % 2 == 0;
            err2_ = nrm2_ = 0;
            nfresh_ = 0;
            if (o_.method != "dmrg") {
                if (forward)
                    for (Index k = 0; k < d_; ++k) step_maxvol(k, true);
                else
                    for (Index k = d_ - 1; k >= 0; --k) step_maxvol(k, false);
            } else if (d_ == 1) {
                cores_[0] = Core<T>::from_left(1, shape_[0], block(0, 1, I_[0], 1, J_[1], 1));
            } else {
                if (forward)
                    for (Index k = 0; k + 1 < d_; ++k) step_dmrg(k, true);
                else
                    for (Index k = d_ - 2; k >= 0; --k) step_dmrg(k, false);
            }
            TensorTrain<T> cur(cores_);
            const double nc = (double)norm(cur);
            const double ch = nc > 0 ? (double)norm(add(cur, prev, T(1), T(-1))) / nc : (double)norm(prev);
            res_.change_history.push_back(ch);
            // NaN when the half-sweep sampled nothing new (then only the change can decide).
            const double est = nfresh_ == 0 ? std::nan("") : nrm2_ > 0 ? std::sqrt(err2_ / nrm2_) : std::sqrt(err2_);
            const double prev_est = res_.error_history.empty() ? std::nan("") : res_.error_history.back();
            res_.error_history.push_back(est);
            ++res_.n_sweeps;
            CrossProgress pr;
            pr.sweep = res_.n_sweeps;
            pr.change = ch;
            pr.error = est;
            if (o_.n_test > 0) {
                const Vec<T> y = evaluate(cur, test_idx.data(), o_.n_test);
                const double tn = (double)test_val.norm();
                pr.test_error = tn > 0 ? (double)(y - test_val).norm() / tn : (double)y.norm();
                res_.test_error_history.push_back(pr.test_error);
            }
            pr.n_evals = res_.n_evals;
            pr.max_rank = cur.max_rank();
            prev = std::move(cur);
            // Converged (after at least two half-sweeps) when the trains predicted the entries
            // they had never seen to rtol in two half-sweeps in a row, or when the train stopped
            // changing and predicted this half-sweep's new entries (if any); and the held-out
            // points, if asked for, agree to rtol.
            const bool test_ok = o_.n_test == 0 || pr.test_error <= o_.rtol;
            const double target = o_.rtol * (amen_ ? kAmenStopMargin : kStopMargin);
            const bool predicted = est <= target && prev_est <= target;
            const bool settled = ch <= target && !(est > target);
            if (res_.n_sweeps >= 2 && test_ok && (predicted || settled)) {
                res_.converged = true;
                res_.stop_reason = "converged";
                break;
            }
            if (o_.callback && o_.callback(pr)) {
                res_.stop_reason = "callback";
                break;
            }
        }
        res_.tt = std::move(prev);
    } catch (const BudgetExhausted&) {
        res_.stop_reason = "max_evals";
        res_.tt = current_or_zero();
    } catch (const Interrupted&) {
        res_.stop_reason = "interrupted";
        res_.tt = current_or_zero();
    }
    return std::move(res_);
}

}  // namespace detail

// Cross approximation of f on the given shape. The cache (created for the shape when null) keeps
// every value f returned and is consulted first.
template <class T>
CrossResult<T> cross(const BatchFunction<T>& f, const std::vector<Index>& shape, const CrossOptions& opts = {},
                     CrossCache<T>* cache = nullptr) {
    static_assert(!is_complex_v<T>, "cross is defined for real-valued functions");
    CrossCache<T> local(shape);
    detail::CrossRun<T> run(f, shape, opts, cache ? *cache : local);
    return run.run();
}

}  // namespace tensortrain
