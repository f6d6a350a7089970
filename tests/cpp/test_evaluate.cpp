#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "test_util.hpp"

using namespace tensortrain;

TEST_CASE("batch evaluation agrees with slice products") {
    auto x = random_tt<double>({5, 6, 7, 4}, {1, 3, 4, 2, 1}, 1);
    std::mt19937 g(2);
    const Index M = 2000;
    std::vector<std::int64_t> idx(M * 4);
    for (Index m = 0; m < M; ++m)
        for (Index k = 0; k < 4; ++k) idx[m * 4 + k] = g() % x.shape()[k];
    const Vec<double> v = evaluate(x, idx.data(), M);
    for (Index m = 0; m < M; m += 97) {
        const double e = ttest::entry(x, {idx[m * 4], idx[m * 4 + 1], idx[m * 4 + 2], idx[m * 4 + 3]});
        CHECK(v[m] == doctest::Approx(e).epsilon(1e-13));
    }
    CHECK(element(x, {1, 2, 3, 0}) == doctest::Approx(ttest::entry(x, {1, 2, 3, 0})).epsilon(1e-13));
    idx[5] = 99;
    CHECK_THROWS_AS(evaluate(x, idx.data(), M), std::out_of_range);
}

TEST_CASE("weighted contraction equals the dense weighted sum") {
    auto x = random_tt<double>({3, 4, 5}, {1, 2, 2, 1}, 3);
    const Vec<double> X = ttest::dense(x);
    std::vector<Vec<double>> w{ttest::random_vec<double>(3, 1), ttest::random_vec<double>(4, 2),
                               ttest::random_vec<double>(5, 3)};
    double ref = 0, plain = 0;
    for (Index i = 0; i < 3; ++i)
        for (Index j = 0; j < 4; ++j)
            for (Index k = 0; k < 5; ++k) {
                ref += w[0][i] * w[1][j] * w[2][k] * X[(i * 4 + j) * 5 + k];
                plain += X[(i * 4 + j) * 5 + k];
            }
    CHECK(contract(x, w) == doctest::Approx(ref).epsilon(1e-12));
    CHECK(contract(x, {}) == doctest::Approx(plain).epsilon(1e-12));
}

TEST_CASE("quadrature of sin(x1 + ... + xd) over the unit cube in closed form") {
    // sin(sum x) = Im prod exp(i x_k): a rank-one complex train; Gauss-Legendre nodes by Golub-Welsch
    const int n = 10, d = 20;
    Mat<double> J = Mat<double>::Zero(n, n);
    for (int i = 1; i < n; ++i) J(i, i - 1) = J(i - 1, i) = i / std::sqrt(4.0 * i * i - 1);
    Eigen::SelfAdjointEigenSolver<Mat<double>> es(J);
    std::vector<Core<std::complex<double>>> cores;
    std::vector<Vec<std::complex<double>>> w;
    Vec<std::complex<double>> wk(n);
    Core<std::complex<double>> g(1, n, 1);
    for (int i = 0; i < n; ++i) {
        const double xi = 0.5 * (es.eigenvalues()[i] + 1);
        wk[i] = es.eigenvectors()(0, i) * es.eigenvectors()(0, i);  // weights sum to 1 on [0,1]
        g(0, i, 0) = std::exp(std::complex<double>(0, xi));
    }
    for (int k = 0; k < d; ++k) {
        cores.push_back(g);
        w.push_back(wk);
    }
    TensorTrain<std::complex<double>> e(cores);
    const double val = contract(e, w).imag();
    const double exact = std::pow(2 * std::sin(0.5), d) * std::sin(d / 2.0);  // -0.23476803378603311 for d=20
    CHECK(val == doctest::Approx(exact).epsilon(1e-12));
}
