#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "test_util.hpp"

using namespace tensortrain;

namespace {
// Relative error of tt against f on random multi-indices.
double test_error(const TensorTrain<double>& tt, const BatchFunction<double>& f, Index M, unsigned seed) {
    const auto shape = tt.shape();
    const Index d = (Index)shape.size();
    std::mt19937_64 g(seed);
    std::vector<std::int64_t> idx((std::size_t)(M * d));
    for (Index m = 0; m < M; ++m)
        for (Index k = 0; k < d; ++k) idx[(std::size_t)(m * d + k)] = (std::int64_t)(g() % shape[(std::size_t)k]);
    std::vector<double> ref((std::size_t)M);
    f(idx.data(), M, ref.data());
    const Vec<double> y = evaluate(tt, idx.data(), M);
    const Eigen::Map<Vec<double>> r(ref.data(), M);
    return (y - r).norm() / r.norm();
}

BatchFunction<double> on_grid(std::function<double(const std::vector<double>&)> g, Index d, Index n) {
    return [g, d, n](const std::int64_t* idx, Index M, double* out) {
        std::vector<double> x((std::size_t)d);
        for (Index m = 0; m < M; ++m) {
            for (Index k = 0; k < d; ++k) x[(std::size_t)k] = (double)idx[m * d + k] / (double)(n - 1);
            out[m] = g(x);
        }
    };
}
}  // namespace

TEST_CASE("cross recovers functions of known TT rank") {
    const Index d = 8, n = 10;
    const std::vector<Index> shape((std::size_t)d, n);
    struct Case {
        const char* name;
        std::function<double(const std::vector<double>&)> g;
        Index rank;
    };
    std::vector<Case> cases = {
        {"sum", [](const std::vector<double>& x) { double s = 0; for (double v : x) s += v; return 1.0 + s; }, 2},
        {"exp of sum", [](const std::vector<double>& x) { double s = 0; for (double v : x) s += v; return std::exp(-s / 4); }, 1},
        {"sin of sum", [](const std::vector<double>& x) { double s = 0; for (double v : x) s += v; return std::sin(s); }, 2},
    };
    for (const auto& c : cases)
        for (const char* method : {"amen", "maxvol", "dmrg"}) {
            CAPTURE(c.name);
            CAPTURE(method);
            CrossOptions o;
            o.method = method;
            o.rtol = 1e-10;
            o.seed = 3;
            auto f = on_grid(c.g, d, n);
            auto res = cross<double>(f, shape, o);
            CHECK(res.converged);
            CHECK(res.stop_reason == "converged");
            CHECK(test_error(res.tt, f, 2000, 7) <= 1e-10);
            // The exact rank is recovered after rounding.
            CHECK(round(res.tt, SvdOptions{1e-9}).tt.max_rank() == c.rank);
            CHECK(res.n_requests >= res.n_evals);
            CHECK(res.n_evals > 0);
            CHECK(res.n_evals < 20000);  // far fewer than the 10^8 entries
        }
}

TEST_CASE("cross of a Hilbert-type tensor to the requested accuracy") {
    const Index d = 6, n = 12;
    BatchFunction<double> f = [d](const std::int64_t* idx, Index M, double* out) {
        for (Index m = 0; m < M; ++m) {
            double s = 1;
            for (Index k = 0; k < d; ++k) s += (double)idx[m * d + k];
            out[m] = 1.0 / s;
        }
    };
    for (const char* method : {"amen", "maxvol", "dmrg"}) {
        CrossOptions o;
        o.method = method;
        o.rtol = 1e-7;
        auto res = cross<double>(f, std::vector<Index>((std::size_t)d, n), o);
        CAPTURE(method);
        CHECK(res.converged);
        CHECK(test_error(res.tt, f, 3000, 11) <= 1e-6);
    }
}

TEST_CASE("budget, cache, callback, interrupt, errors") {
    const Index d = 6, n = 8;
    const std::vector<Index> shape((std::size_t)d, n);
    long long calls = 0;
    BatchFunction<double> f = [&](const std::int64_t* idx, Index M, double* out) {
        calls += M;
        for (Index m = 0; m < M; ++m) {
            double s = 0;
            for (Index k = 0; k < d; ++k) s += std::cos((double)idx[m * d + k] * (k + 1));
            out[m] = 1.0 / (2.0 + s / d);
        }
    };
    SUBCASE("hard budget") {
        CrossOptions o;
        o.max_evals = 300;
        auto res = cross<double>(f, shape, o);
        CHECK(res.stop_reason == "max_evals");
        CHECK_FALSE(res.converged);
        CHECK(res.n_evals <= 300);
        CHECK(calls == res.n_evals);
        CHECK(res.tt.ndim() == d);  // a valid train comes back
    }
    SUBCASE("a cache makes a repeated run free and counts every call once") {
        CrossCache<double> cache(shape);
        CrossOptions o;
        o.rtol = 1e-8;
        auto a = cross<double>(f, shape, o, &cache);
        CHECK(calls == a.n_evals);
        CHECK((long long)cache.size() == a.n_evals);
        CHECK(a.n_requests >= a.n_evals);
        auto b = cross<double>(f, shape, o, &cache);
        CHECK(b.n_evals == 0);
        CHECK(calls == a.n_evals);
        CHECK(b.n_cache_hits == b.n_requests);
        REQUIRE(a.tt.ranks() == b.tt.ranks());  // deterministic for a seed: identical cores
        for (Index k = 0; k < d; ++k) CHECK(a.tt.core(k).vec() == b.tt.core(k).vec());
    }
    SUBCASE("callback stops the run") {
        CrossOptions o;
        o.rtol = 0;
        o.callback = [](const CrossProgress& p) { return p.sweep >= 3; };
        auto res = cross<double>(f, shape, o);
        CHECK(res.stop_reason == "callback");
        CHECK(res.n_sweeps == 3);
    }
    SUBCASE("interrupt returns what it has") {
        long long seen = 0;
        BatchFunction<double> g = [&](const std::int64_t* idx, Index M, double* out) {
            if (seen > 500) throw Interrupted();
            seen += M;
            f(idx, M, out);
        };
        auto res = cross<double>(g, shape, CrossOptions{});
        CHECK(res.stop_reason == "interrupted");
        CHECK(res.tt.ndim() == d);
    }
    SUBCASE("NaN names the multi-index; exceptions propagate and leave the cache consistent") {
        BatchFunction<double> bad = [&](const std::int64_t* idx, Index M, double* out) {
            f(idx, M, out);
            out[M - 1] = std::nan("");
        };
        CHECK_THROWS_WITH_AS(cross<double>(bad, shape, CrossOptions{}), doctest::Contains("multi-index"),
                             std::invalid_argument);
        CrossCache<double> cache(shape);
        int batches = 0;
        BatchFunction<double> flaky = [&](const std::int64_t* idx, Index M, double* out) {
            if (++batches == 3) throw std::runtime_error("simulation failed");
            f(idx, M, out);
        };
        CrossOptions o;
        o.batch_size = 16;
        CHECK_THROWS_AS(cross<double>(flaky, shape, o, &cache), std::runtime_error);
        CHECK(cache.size() == 32);  // two whole batches, nothing of the failed one
        std::vector<std::int64_t> idx;
        std::vector<double> vals;
        cache.items(idx, vals);
        std::vector<double> ref(vals.size());
        f(idx.data(), (Index)vals.size(), ref.data());
        for (std::size_t q = 0; q < vals.size(); ++q) CHECK(vals[q] == ref[q]);
    }
    SUBCASE("bad options") {
        CrossOptions o;
        o.method = "magic";
        CHECK_THROWS_AS(cross<double>(f, shape, o), std::invalid_argument);
        o = CrossOptions{};
        o.rtol = -1;
        CHECK_THROWS_AS(cross<double>(f, shape, o), std::invalid_argument);
        CHECK_THROWS_AS(cross<double>(f, std::vector<Index>{4, 0, 3}, CrossOptions{}), std::invalid_argument);
        CrossCache<double> other(std::vector<Index>{2, 2});
        CHECK_THROWS_AS(cross<double>(f, shape, CrossOptions{}, &other), std::invalid_argument);
    }
}

TEST_CASE("cross edge cases: zero function, d = 1, d = 2, a mode of size 1") {
    BatchFunction<double> zero = [](const std::int64_t*, Index M, double* out) {
        for (Index m = 0; m < M; ++m) out[m] = 0;
    };
    auto z = cross<double>(zero, {5, 6, 7}, CrossOptions{});
    CHECK(norm(z.tt) == 0.0);
    CHECK(z.converged);
    for (const char* method : {"amen", "maxvol", "dmrg"}) {
        CAPTURE(method);
        CrossOptions o;
        o.method = method;
        o.rtol = 1e-12;
        BatchFunction<double> f1 = [](const std::int64_t* idx, Index M, double* out) {
            for (Index m = 0; m < M; ++m) out[m] = std::sin((double)idx[m]) + 2;
        };
        auto r1 = cross<double>(f1, {17}, o);
        CHECK(test_error(r1.tt, f1, 50, 1) <= 1e-14);
        BatchFunction<double> f2 = [](const std::int64_t* idx, Index M, double* out) {
            for (Index m = 0; m < M; ++m) out[m] = 1.0 / (1.0 + (double)idx[2 * m] + (double)idx[2 * m + 1]);
        };
        auto r2 = cross<double>(f2, {9, 11}, o);
        CHECK(test_error(r2.tt, f2, 99, 2) <= 1e-10);
        BatchFunction<double> f3 = [](const std::int64_t* idx, Index M, double* out) {
            for (Index m = 0; m < M; ++m) out[m] = 1.0 + (double)idx[3 * m] * (double)idx[3 * m + 2];
        };
        auto r3 = cross<double>(f3, {4, 1, 5}, o);
        CHECK(test_error(r3.tt, f3, 20, 3) <= 1e-12);
    }
}

TEST_CASE("a function with a small support is found, not taken for zero") {
    // prod_k w(i_k) with w a bump on 6 of 10 indices: 1.7% of the entries are nonzero, and the
    // fibers through a random point are all zero in most draws.
    const Index d = 8, n = 10;
    BatchFunction<double> f = [d](const std::int64_t* idx, Index M, double* out) {
        for (Index m = 0; m < M; ++m) {
            double v = 1;
            for (Index k = 0; k < d; ++k) {
                const double t = ((double)idx[m * d + k] - 4.5) / 3.0;
                v *= std::abs(t) < 1 ? 1 - t * t : 0.0;
            }
            out[m] = v;
        }
    };
    for (const char* method : {"amen", "maxvol"})
        for (std::uint64_t seed = 0; seed < 5; ++seed) {
            CAPTURE(method);
            CAPTURE(seed);
            CrossOptions o;
            o.method = method;
            o.rtol = 1e-8;
            o.seed = seed;
            auto res = cross<double>(f, std::vector<Index>((std::size_t)d, n), o);
            CHECK(res.converged);
            // The exact answer has rank 1; compare on points inside the support.
            std::mt19937_64 g(seed + 100);
            std::vector<std::int64_t> idx;
            for (int m = 0; m < 500; ++m)
                for (Index k = 0; k < d; ++k) idx.push_back(2 + (std::int64_t)(g() % 6));
            const Vec<double> y = evaluate(res.tt, idx.data(), 500);
            Vec<double> ref(500);
            f(idx.data(), 500, ref.data());
            CHECK((y - ref).norm() <= 1e-8 * ref.norm());
        }
}
