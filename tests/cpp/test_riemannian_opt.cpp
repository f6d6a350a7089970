#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "test_util.hpp"

#include <tensortrain/riemannian_opt.hpp>

#include <random>

using namespace tensortrain;

namespace {
std::vector<Index> random_indices(const std::vector<Index>& shape, Index M, std::uint64_t seed) {
    std::mt19937_64 g(seed);
    std::vector<Index> idx((std::size_t)M * shape.size());
    for (Index m = 0; m < M; ++m)
        for (std::size_t k = 0; k < shape.size(); ++k) idx[(std::size_t)m * shape.size() + k] = (Index)(g() % shape[k]);
    return idx;
}
double rel(const Vec<double>& a, const Vec<double>& b) { return (a - b).norm() / b.norm(); }
}  // namespace

TEST_CASE("completion recovers a random low-rank train on held-out entries (RCG and RGD)") {
    const std::vector<Index> shape(5, 7);
    const std::vector<Index> ranks{1, 2, 2, 2, 2, 1};
    const auto X = random_tt<double>(shape, ranks, 3);
    const Index M = 3000, Mt = 500;
    const auto I = random_indices(shape, M, 1), It = random_indices(shape, Mt, 2);
    const Vec<double> y = evaluate(X, I.data(), M), yt = evaluate(X, It.data(), Mt);
    auto x0 = random_tt<double>(shape, ranks, 7);
    for (bool cg : {true, false}) {
        CompletionOptions o;
        o.cg = cg;
        o.max_iter = cg ? 100 : 400;
        o.tol = 1e-12;
        const auto r = complete_riemannian<double>(I.data(), y.data(), M, x0, o, It.data(), yt.data(), Mt);
        CHECK(r.converged);
        CHECK(r.stop_reason == "converged");
        CHECK(rel(evaluate(r.x, It.data(), Mt), yt) < 1e-9);
        CHECK(r.test_errors.back() < 1e-9);
        CHECK(r.train_errors.size() == (std::size_t)r.n_iter + 1);
        CHECK(r.train_errors.back() <= 1e-12);
    }
}

TEST_CASE("riemannian_minimize finds a low-rank target from a train-valued gradient") {
    const std::vector<Index> shape{4, 5, 3, 4};
    const std::vector<Index> ranks{1, 2, 2, 2, 1};
    const auto A = random_tt<double>(shape, ranks, 11);
    const auto x0 = random_tt<double>(shape, ranks, 12);
    RiemannianProblem<double> P;
    P.value = [&](const TensorTrain<double>& X) {
        const double e = (double)norm(add(X, A, 1.0, -1.0));
        return 0.5 * e * e;
    };
    P.gradient = [&](const TangentSpace<double>& S, TangentVector<double>& g) {
        const auto X = S.point();
        const auto D = add(X, A, 1.0, -1.0);
        g = project(S, D);
        const double e = (double)norm(D);
        return 0.5 * e * e;
    };
    RiemannianOptions o;
    o.max_iter = 300;
    o.gtol = 1e-10;
    const auto r = riemannian_minimize(P, x0, o);
    CHECK(r.converged);
    CHECK((double)norm(add(r.x, A, 1.0, -1.0)) / (double)norm(A) < 1e-8);
    for (std::size_t i = 1; i < r.values.size(); ++i) CHECK(r.values[i] <= r.values[i - 1]);
}

TEST_CASE("completion: bad input") {
    const std::vector<Index> shape{3, 3, 3};
    const auto x0 = random_tt<double>(shape, {1, 2, 2, 1}, 1);
    auto I = random_indices(shape, 10, 1);
    Vec<double> y = Vec<double>::Ones(10);
    CHECK_THROWS_AS(complete_riemannian<double>(I.data(), y.data(), 0, x0), std::invalid_argument);
    Vec<double> z = Vec<double>::Zero(10);
    CHECK_THROWS_AS(complete_riemannian<double>(I.data(), z.data(), 10, x0), std::invalid_argument);
    y(3) = std::nan("");
    CHECK_THROWS_AS(complete_riemannian<double>(I.data(), y.data(), 10, x0), std::invalid_argument);
    y(3) = 1;
    I[4] = 3;  // out of range in mode 1
    CHECK_THROWS(complete_riemannian<double>(I.data(), y.data(), 10, x0));
}
