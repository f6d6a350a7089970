#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "test_util.hpp"

using namespace tensortrain;

TEST_CASE("validation states expected and actual values") {
    std::vector<Core<double>> cores{Core<double>(1, 3, 2), Core<double>(3, 4, 1)};
    CHECK_THROWS_AS(TensorTrain<double>{cores}, std::invalid_argument);
    try {
        TensorTrain<double> t(cores);
    } catch (const std::invalid_argument& e) {
        const std::string msg = e.what();
        CHECK(msg.find("right rank 2") != std::string::npos);
        CHECK(msg.find("left rank 3") != std::string::npos);
    }
    CHECK_THROWS_AS(TensorTrain<double>({Core<double>(2, 3, 1)}), std::invalid_argument);
    CHECK_THROWS_AS(TensorTrain<double>({Core<double>(1, 3, 2)}), std::invalid_argument);
    CHECK_THROWS_AS(TensorTrain<double>(std::vector<Core<double>>{}), std::invalid_argument);
    CHECK_THROWS_AS(Core<double>(1, 0, 1), std::invalid_argument);
}

TEST_CASE("shape, ranks, parameters") {
    auto t = random_tt<double>({3, 4, 5}, {1, 2, 3, 1}, 7);
    CHECK(t.shape() == std::vector<Index>{3, 4, 5});
    CHECK(t.ranks() == std::vector<Index>{1, 2, 3, 1});
    CHECK(t.num_params() == 3 * 2 + 2 * 4 * 3 + 3 * 5);
    CHECK(t.max_rank() == 3);
}

TEST_CASE("to_full agrees with slice products") {
    auto t = random_tt<double>({3, 4, 2, 5}, {1, 2, 3, 2, 1}, 1);
    const Vec<double> a = to_full(t), b = ttest::dense(t);
    CHECK((a - b).norm() <= 1e-13 * b.norm());
    auto c = random_tt<std::complex<double>>({2, 3, 4}, {1, 2, 2, 1}, 2);
    CHECK((to_full(c) - ttest::dense(c)).norm() <= 1e-13 * ttest::dense(c).norm());
}

TEST_CASE("to_full refuses huge results before allocating") {
    std::vector<Core<double>> cores;
    for (int k = 0; k < 60; ++k) cores.emplace_back(1, 2, 1);
    TensorTrain<double> t(cores);
    CHECK_THROWS_AS(to_full(t), SizeError);
}

TEST_CASE("TT-matrix dense conversion") {
    auto tt = random_tt<double>({6, 12}, {1, 2, 1}, 3);
    TTMatrix<double> A(tt, {2, 3}, {3, 4});
    Mat<double> M = to_dense(A);
    REQUIRE(M.rows() == 6);
    REQUIRE(M.cols() == 12);
    // A(i1 i2, j1 j2) = G1(i1 + 2 j1) G2(i2 + 3 j2)
    for (Index i1 = 0; i1 < 2; ++i1)
        for (Index i2 = 0; i2 < 3; ++i2)
            for (Index j1 = 0; j1 < 3; ++j1)
                for (Index j2 = 0; j2 < 4; ++j2) {
                    const double e = ttest::entry(tt, {i1 + 2 * j1, i2 + 3 * j2});
                    CHECK(M(i1 * 3 + i2, j1 * 4 + j2) == doctest::Approx(e).epsilon(1e-14));
                }
    CHECK_THROWS_AS(TTMatrix<double>(tt, {2, 3}, {3, 5}), std::invalid_argument);
}
