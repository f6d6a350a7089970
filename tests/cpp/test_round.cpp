#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "test_util.hpp"

using namespace tensortrain;

TEST_CASE("round(X + X) returns the exact ranks of X") {
    auto x = random_tt<double>(std::vector<Index>(12, 6), [] {
        std::vector<Index> r(13, 5);
        r.front() = r.back() = 1;
        r[1] = 5;
        return r;
    }(), 3);
    auto s = add(x, x);
    CHECK(s.max_rank() == 10);
    auto r = round(s, SvdOptions{1e-8});
    CHECK(r.tt.ranks() == x.ranks());
    CHECK(norm(add(r.tt, x, 1.0, -2.0)) <= 1e-8 * 2 * norm(x));
}

TEST_CASE("round resolves singular values far below sqrt(eps)") {
    // x + 1e-10 * y: the y part sits at 1e-10 relative, below what Gram matrices can see
    auto x = random_tt<double>({5, 5, 5, 5}, {1, 2, 2, 2, 1}, 1);
    auto y = random_tt<double>({5, 5, 5, 5}, {1, 1, 1, 1, 1}, 2);
    auto z = add(x, y, 1.0, 1e-10);
    auto keep = round(z, SvdOptions{1e-13});
    CHECK(keep.tt.ranks() == std::vector<Index>{1, 3, 3, 3, 1});
    auto drop = round(z, SvdOptions{1e-8});
    CHECK(drop.tt.ranks() == x.ranks());
}

TEST_CASE("round guarantee and max_rank") {
    for (int trial = 0; trial < 20; ++trial) {
        auto x = random_tt<double>({4, 5, 3, 4, 5}, {1, 4, 8, 8, 4, 1}, 30 + trial);
        const double rtol = std::pow(10.0, -(trial % 4) - 1);
        auto r = round(x, SvdOptions{rtol});
        const double err = (ttest::dense(r.tt) - ttest::dense(x)).norm();
        CHECK(err <= rtol * ttest::dense(x).norm() * (1 + 1e-10));
        CHECK(std::abs(err - r.truncation_error) <= 1e-6 * err + 1e-12 * r.norm);
        auto m = round(x, SvdOptions{0.0, 2});
        CHECK(m.tt.max_rank() <= 2);
    }
}

TEST_CASE("rounding the zero train gives a valid zero train") {
    std::vector<Core<double>> cores{Core<double>(1, 3, 2), Core<double>(2, 3, 2), Core<double>(2, 3, 1)};
    TensorTrain<double> z(cores);
    auto r = round(z, SvdOptions{1e-8});
    CHECK(r.tt.ranks() == std::vector<Index>{1, 1, 1, 1});
    CHECK(ttest::dense(r.tt).norm() == 0.0);
}

TEST_CASE("orthogonalization leaves the tensor unchanged and orthonormalizes cores") {
    auto x = random_tt<std::complex<double>>({3, 4, 5, 3}, {1, 3, 4, 3, 1}, 9);
    auto y = x;
    left_orthogonalize(y, 2);
    right_orthogonalize(y, 2);
    CHECK((ttest::dense(y) - ttest::dense(x)).norm() <= 1e-12 * ttest::dense(x).norm());
    for (Index k = 0; k < 2; ++k) {
        Mat<std::complex<double>> L = y.core(k).left();
        CHECK((L.adjoint() * L - Mat<std::complex<double>>::Identity(L.cols(), L.cols())).norm() < 1e-12);
    }
    Mat<std::complex<double>> R = y.core(3).right();
    CHECK((R * R.adjoint() - Mat<std::complex<double>>::Identity(R.rows(), R.rows())).norm() < 1e-12);
}

TEST_CASE("two-sided rounding (two threads) keeps the guarantee and matches the sequential sweep") {
    // d = 9: thread A truncates the bonds left of the middle, thread B the others.
    for (int trial = 0; trial < 6; ++trial) {
        std::vector<Index> shape = {3, 4, 3, 2, 4, 3, 3, 2, 3};
        std::vector<Index> ranks = {1, 3, 8, 9, 8, 10, 7, 6, 3, 1};
        auto x = random_tt<double>(shape, ranks, 100 + trial);
        auto y = random_tt<double>(shape, ranks, 200 + trial);
        auto z = add(x, y, 1.0, std::pow(10.0, -trial));
        const double rtol = trial % 2 == 0 ? 1e-2 : 1e-9;
        auto a = detail::round_two_sided(z, SvdOptions{rtol});
        auto b = detail::round_sequential(z, SvdOptions{rtol});
        const Vec<double> full = ttest::dense(z);
        const double ea = (ttest::dense(a.tt) - full).norm(), eb = (ttest::dense(b.tt) - full).norm();
        CHECK(ea <= rtol * full.norm() * (1 + 1e-10));
        CHECK(eb <= rtol * full.norm() * (1 + 1e-10));
        CHECK(ea <= a.truncation_error * (1 + 1e-8) + 1e-12 * full.norm());
        CHECK(a.norm == doctest::Approx(full.norm()).epsilon(1e-12));
        for (std::size_t k = 0; k < a.tt.ranks().size(); ++k) CHECK(a.tt.ranks()[k] <= z.ranks()[k]);
    }
    // Exact ranks: X + X has the ranks of X on both halves.
    auto x = random_tt<double>(std::vector<Index>(10, 5), {1, 5, 9, 9, 9, 9, 9, 9, 9, 5, 1}, 9);
    auto r = detail::round_two_sided(add(x, x), SvdOptions{1e-8});
    CHECK(r.tt.ranks() == x.ranks());
    CHECK(norm(add(r.tt, x, 1.0, -2.0)) <= 1e-12 * norm(x));
    // Complex trains take the same path.
    auto c = random_tt<std::complex<double>>(std::vector<Index>(8, 3), {1, 3, 6, 6, 6, 6, 6, 3, 1}, 4);
    auto rc = detail::round_two_sided(add(c, c), SvdOptions{1e-10});
    CHECK(rc.tt.ranks() == c.ranks());
    CHECK(norm(add(rc.tt, c, std::complex<double>(1), std::complex<double>(-2))) <= 1e-12 * norm(c));
}
