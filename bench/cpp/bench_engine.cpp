// Standalone engine benchmark: prints CSV rows (case, median_s, min_s, max_s, max_rank, rel_error)
// for the shared workloads W1 (TT-SVD), W2 (rounding) and W4 (dot, norm, matvec, batch evaluation).
// Uses Eigen's kernels, or a linked LAPACK when built with TENSORTRAIN_BLAS=ON.
// Usage: bench_engine [--quick]
#include <tensortrain/tensortrain.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <random>

using namespace tensortrain;

namespace {
struct Timing {
    double median, min, max;
};

Timing time_it(const std::function<void()>& f, int runs = 5) {
    f();  // warm-up
    std::vector<double> t;
    for (int i = 0; i < runs; ++i) {
        auto a = std::chrono::steady_clock::now();
        f();
        t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - a).count());
    }
    std::sort(t.begin(), t.end());
    return {t[t.size() / 2], t.front(), t.back()};
}

void row(const char* name, const Timing& t, Index rank, double err) {
    std::printf("%s,%.6g,%.6g,%.6g,%ld,%.3e\n", name, t.median, t.min, t.max, (long)rank, err);
}

std::vector<double> inverse_sum(Index d, Index n) {
    Index N = 1;
    for (Index k = 0; k < d; ++k) N *= n;
    std::vector<double> a((std::size_t)N);
    std::vector<Index> ix((std::size_t)d, 0);
    for (Index f = 0; f < N; ++f) {
        double s = 0;
        for (auto i : ix) s += (double)i / (double)(n - 1);
        a[(std::size_t)f] = 1.0 / (1.0 + s);
        for (Index k = d - 1; k >= 0; --k) {
            if (++ix[(std::size_t)k] < n) break;
            ix[(std::size_t)k] = 0;
        }
    }
    return a;
}
}  // namespace

int main(int argc, char** argv) {
    const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
    // As in the Python module: BLAS single-threaded while the engine's OpenMP loops run.
    linalg::BlasThreadGuard blas(1);
    std::printf("# kernels: %s; OpenMP threads: %d\n", linalg::provider_name().c_str(), max_threads());
    std::printf("case,median_s,min_s,max_s,max_rank,rel_error\n");
    {  // W1: TT-SVD of 1/(1 + sum x) on 4^d
        const Index d = quick ? 8 : 12;
        auto a = inverse_sum(d, 4);
        std::vector<Index> shape((std::size_t)d, 4);
        SvdResult<double> r;
        auto t = time_it([&] { r = tt_svd(a.data(), shape, SvdOptions{1e-8}); });
        const Vec<double> full = to_full(r.tt);
        const double err = (full - Eigen::Map<Vec<double>>(a.data(), (Index)a.size())).norm() /
                           Eigen::Map<Vec<double>>(a.data(), (Index)a.size()).norm();
        row(quick ? "tt_svd inverse_sum 4^8" : "tt_svd inverse_sum 4^12", t, r.tt.max_rank(), err);
    }
    {  // W2: round(X + X), exact rank r
        const Index d = quick ? 10 : 50, r = quick ? 20 : 40;
        std::vector<Index> ranks((std::size_t)d + 1, r);
        ranks.front() = ranks.back() = 1;
        auto x = random_tt<double>(std::vector<Index>((std::size_t)d, 10), ranks, 1);
        auto s = add(x, x);
        RoundResult<double> rr;
        auto t = time_it([&] { rr = round(s, SvdOptions{1e-8}); });
        const double err = norm(add(rr.tt, x, 1.0, -2.0)) / (2 * norm(x));
        row("round(X+X) rtol 1e-8", t, rr.tt.max_rank(), err);
    }
    {  // W4: dot, norm, matvec, batch evaluation
        const Index d = quick ? 8 : 20, r = quick ? 10 : 20;
        std::vector<Index> ranks((std::size_t)d + 1, r);
        ranks.front() = ranks.back() = 1;
        auto x = random_tt<double>(std::vector<Index>((std::size_t)d, 4), ranks, 2);
        auto y = random_tt<double>(std::vector<Index>((std::size_t)d, 4), ranks, 3);
        double v = 0;
        row("dot", time_it([&] { v = dot(x, y); }, 20), r, 0.0);
        row("norm", time_it([&] { v = norm(x); }, 20), r, 0.0);
        TTMatrix<double> A(random_tt<double>(std::vector<Index>((std::size_t)d, 16), ranks, 4),
                           std::vector<Index>((std::size_t)d, 4), std::vector<Index>((std::size_t)d, 4));
        TensorTrain<double> z;
        const Timing tm = time_it([&] { z = matvec(A, x); });
        row("matvec exact", tm, z.max_rank(), 0.0);
        const Index M = quick ? 10000 : 100000;
        std::mt19937 g(5);
        std::vector<std::int64_t> idx((std::size_t)(M * d));
        for (auto& i : idx) i = g() % 4;
        Vec<double> out;
        row("batch evaluation", time_it([&] { out = evaluate(x, idx.data(), M); }), r, 0.0);
        (void)v;
    }
    return 0;
}
