#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "test_util.hpp"

using namespace tensortrain;
using cd = std::complex<double>;

TEST_CASE("add, scale and Hadamard agree with dense arithmetic") {
    auto x = random_tt<double>({3, 4, 5}, {1, 2, 3, 1}, 1);
    auto y = random_tt<double>({3, 4, 5}, {1, 3, 2, 1}, 2);
    const Vec<double> X = ttest::dense(x), Y = ttest::dense(y);
    CHECK((ttest::dense(add(x, y, 2.0, -3.0)) - (2 * X - 3 * Y)).norm() < 1e-12 * X.norm());
    CHECK((ttest::dense(scale(x, 0.5)) - 0.5 * X).norm() < 1e-14 * X.norm());
    auto h = hadamard(x, y);
    CHECK(h.ranks() == std::vector<Index>{1, 6, 6, 1});
    CHECK((ttest::dense(h) - X.cwiseProduct(Y)).norm() < 1e-12 * X.cwiseProduct(Y).norm());
    auto z = random_tt<double>({3, 4, 6}, {1, 2, 3, 1}, 3);
    CHECK_THROWS_AS(add(x, z), std::invalid_argument);
    // one-core trains
    auto a = random_tt<double>({7}, {1, 1}, 4), b = random_tt<double>({7}, {1, 1}, 5);
    CHECK((ttest::dense(add(a, b)) - (ttest::dense(a) + ttest::dense(b))).norm() < 1e-14);
}

TEST_CASE("dot and norm agree with dense values, complex conjugates the first argument") {
    auto x = random_tt<cd>({3, 4, 5, 2}, {1, 2, 3, 2, 1}, 6);
    auto y = random_tt<cd>({3, 4, 5, 2}, {1, 3, 3, 2, 1}, 7);
    const Vec<cd> X = ttest::dense(x), Y = ttest::dense(y);
    const cd ref = X.dot(Y);  // Eigen's dot conjugates the first argument
    CHECK(std::abs(dot(x, y) - ref) < 1e-12 * X.norm() * Y.norm());
    CHECK(norm(x) == doctest::Approx(X.norm()).epsilon(1e-13));
}

TEST_CASE("norm of a d = 1000 train: no overflow or underflow, exact to 1e-12") {
    // rank-one train of vectors v_k with ||v_k|| = c: ||x|| = c^1000 in closed form
    for (double c : {3.0, 0.2, 1.7}) {
        std::vector<Core<double>> cores;
        for (int k = 0; k < 1000; ++k) {
            Core<double> g(1, 2, 1);
            const double th = 0.001 * k;
            g(0, 0, 0) = c * std::cos(th);
            g(0, 1, 0) = c * std::sin(th);
            cores.push_back(g);
        }
        TensorTrain<double> x(cores);
        const double ln = log_norm(x), exact = 1000 * std::log(c);
        CHECK(std::abs(ln - exact) <= 1e-12 * std::abs(exact) + 1e-12);
        if (std::abs(exact) < 700) CHECK(norm(x) == doctest::Approx(std::exp(exact)).epsilon(1e-12));
    }
    // a rank-3 train whose true norm is moderate although the entries are huge/tiny in turn
    auto y = random_tt<double>(std::vector<Index>(1000, 2), [] {
        std::vector<Index> r(1001, 3);
        r.front() = r.back() = 1;
        r[1] = 2;
        r[999] = 2;
        return r;
    }(), 8);
    const double ln = log_norm(y);
    auto y2 = add(y, y);  // norm exactly doubles
    CHECK(std::abs(log_norm(y2) - (ln + std::log(2.0))) < 1e-12 * std::abs(ln) + 1e-12);
}

TEST_CASE("TT-matrix times TT, TT-matrix times TT-matrix, dense vectors, transpose") {
    auto A = TTMatrix<double>(random_tt<double>({2 * 3, 3 * 4, 4 * 2}, {1, 2, 3, 1}, 9), {2, 3, 4}, {3, 4, 2});
    auto x = random_tt<double>({3, 4, 2}, {1, 2, 2, 1}, 10);
    const Mat<double> M = to_dense(A);
    const Vec<double> X = ttest::dense(x);
    const Vec<double> ref = M * X;
    auto y = matvec(A, x);
    CHECK(y.ranks() == std::vector<Index>{1, 4, 6, 1});
    CHECK((ttest::dense(y) - ref).norm() < 1e-12 * ref.norm());
    CHECK((matvec_dense(A, X.data(), X.size()) - ref).norm() < 1e-12 * ref.norm());
    auto B = TTMatrix<double>(random_tt<double>({3 * 2, 4 * 2, 2 * 3}, {1, 2, 2, 1}, 11), {3, 4, 2}, {2, 2, 3});
    const Mat<double> C = to_dense(matmul(A, B));
    CHECK((C - M * to_dense(B)).norm() < 1e-12 * C.norm());
    CHECK((to_dense(transpose(A)) - M.transpose()).norm() == 0.0);
    CHECK_THROWS_AS(matvec(A, random_tt<double>({3, 4, 3}, {1, 1, 1, 1}, 1)), std::invalid_argument);
    CHECK_THROWS_AS(matmul(A, A), std::invalid_argument);
}

TEST_CASE("Kronecker concatenation") {
    auto x = random_tt<double>({2, 3}, {1, 2, 1}, 12);
    auto y = random_tt<double>({4}, {1, 1}, 13);
    auto z = kron(x, y);
    CHECK(z.shape() == std::vector<Index>{2, 3, 4});
    for (Index i = 0; i < 2; ++i)
        for (Index j = 0; j < 3; ++j)
            for (Index k = 0; k < 4; ++k)
                CHECK(ttest::entry(z, {i, j, k}) ==
                      doctest::Approx(ttest::entry(x, {i, j}) * ttest::entry(y, {k})).epsilon(1e-14));
}
