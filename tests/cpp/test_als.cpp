#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "test_util.hpp"

#include <tensortrain/als.hpp>

#include <random>

using namespace tensortrain;

namespace {
std::vector<std::int64_t> random_indices(Index M, const std::vector<Index>& shape, std::uint64_t seed) {
    std::mt19937_64 g(seed);
    const Index d = (Index)shape.size();
    std::vector<std::int64_t> idx((std::size_t)(M * d));
    for (Index m = 0; m < M; ++m)
        for (Index k = 0; k < d; ++k) idx[(std::size_t)(m * d + k)] = (std::int64_t)(g() % (std::uint64_t)shape[(std::size_t)k]);
    return idx;
}
double rel_err(const Vec<double>& a, const Vec<double>& b) { return (a - b).norm() / b.norm(); }
}  // namespace

TEST_CASE("als_fit recovers a random rank-3 train from samples (held-out entries to 1e-8)") {
    const std::vector<Index> shape(6, 8), ranks{1, 3, 3, 3, 3, 3, 1};
    const auto X = random_tt<double>(shape, ranks, 7);
    const Index M = 20000, Mt = 2000;
    const auto idx = random_indices(M, shape, 1), tidx = random_indices(Mt, shape, 2);
    const Vec<double> f = evaluate(X, idx.data(), M), ft = evaluate(X, tidx.data(), Mt);
    AlsOptions o;
    o.n_sweeps = 20;
    o.random_init = true;
    const auto r = als_fit<double>(idx.data(), f.data(), M, shape, ranks, o);
    CHECK(rel_err(evaluate(r.tt, tidx.data(), Mt), ft) < 1e-8);
    CHECK(r.tt.ranks() == ranks);
}

TEST_CASE("als_fit on samples of a smooth function: rank adaption from the constant start, test error") {
    // 1/(1 + sum x^2) on a 32^10 grid of [0,1]^10 from 2*10^4 samples: rank 3 fits to a few 1e-3.
    const Index d = 10, n = 32, M = 20000, Mt = 5000;
    const std::vector<Index> shape((std::size_t)d, n);
    std::vector<Index> ranks((std::size_t)d + 1, 3);
    ranks.front() = ranks.back() = 1;
    const auto idx = random_indices(M, shape, 3), tidx = random_indices(Mt, shape, 4);
    auto fn = [&](const std::vector<std::int64_t>& I, Index K) {
        Vec<double> v(K);
        for (Index m = 0; m < K; ++m) {
            double s = 0;
            for (Index k = 0; k < d; ++k) s += std::pow((double)I[(std::size_t)(m * d + k)] / (n - 1), 2);
            v(m) = 1 / (1 + s);
        }
        return v;
    };
    const Vec<double> f = fn(idx, M), ft = fn(tidx, Mt);
    const auto r = als_fit<double>(idx.data(), f.data(), M, shape, ranks);
    CHECK(r.ranks.front() == 1);  // the first half-sweep runs at rank 1
    CHECK(r.tt.max_rank() == 3);
    CHECK(rel_err(evaluate(r.tt, tidx.data(), Mt), ft) < 1e-2);
    // The ridge matters here: without it ALS stays on its plateau.
    AlsOptions o0;
    o0.reg = 0;
    const auto r0 = als_fit<double>(idx.data(), f.data(), M, shape, ranks, o0);
    CHECK(r0.train_error.back() > 3 * r.train_error.back());
}

TEST_CASE("als_fit: exact rank-1 data on a full grid, validation stopping, bad input") {
    const std::vector<Index> shape{5, 4, 3};
    const auto X = random_tt<double>(shape, {1, 1, 1, 1}, 3);
    std::vector<std::int64_t> idx;
    for (Index c = 0; c < 3; ++c)
        for (Index b = 0; b < 4; ++b)
            for (Index a = 0; a < 5; ++a) idx.insert(idx.end(), {a, b, c});
    const Index M = 60;
    const Vec<double> f = evaluate(X, idx.data(), M);
    AlsOptions o;
    o.n_sweeps = 30;
    const auto r = als_fit<double>(idx.data(), f.data(), M, shape, {1, 1, 1, 1}, o, nullptr, idx.data(), f.data(), M);
    CHECK(r.val_error.size() == (std::size_t)r.n_sweeps);
    CHECK(r.val_error[(std::size_t)r.best_sweep - 1] < 1e-12);
    CHECK(r.stop_reason == "converged");
    // the converged fit keeps the best train even when later passes do no better
    CHECK(rel_err(evaluate(r.tt, idx.data(), M), f) < 1e-12);

    std::vector<double> bad(f.data(), f.data() + M);
    bad[7] = std::nan("");
    CHECK_THROWS_WITH_AS(als_fit<double>(idx.data(), bad.data(), M, shape, {1, 2, 2, 1}), doctest::Contains("not finite"),
                         std::invalid_argument);
    std::vector<std::int64_t> oob = idx;
    oob[4] = 3;  // mode 1 has size 4: fine; mode 2 has size 3
    oob[5] = 3;
    CHECK_THROWS_WITH_AS(als_fit<double>(oob.data(), f.data(), M, shape, {1, 2, 2, 1}), doctest::Contains("mode 2"),
                         std::invalid_argument);
    CHECK_THROWS_AS(als_fit<double>(idx.data(), f.data(), M, shape, {1, 2, 1}), std::invalid_argument);
    CHECK_THROWS_AS(als_fit<double>(idx.data(), f.data(), 0, shape, {1, 2, 2, 1}), std::invalid_argument);
    // ranks above what the shape allows are capped, not an error
    const auto rc = als_fit<double>(idx.data(), f.data(), M, shape, {1, 50, 50, 1});
    CHECK(rc.tt.ranks() == std::vector<Index>{1, 5, 3, 1});
}
