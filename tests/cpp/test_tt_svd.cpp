#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "test_util.hpp"

using namespace tensortrain;

TEST_CASE("TT-SVD recovers the exact ranks of a random train") {
    auto t = random_tt<double>({4, 5, 6, 5, 4}, {1, 3, 4, 4, 2, 1}, 11);
    const Vec<double> a = ttest::dense(t);
    auto r = tt_svd(a.data(), t.shape(), SvdOptions{1e-10});
    CHECK(r.tt.ranks() == t.ranks());
    CHECK((ttest::dense(r.tt) - a).norm() <= 1e-10 * a.norm());
}

TEST_CASE("TT-SVD guarantee ||A - TT|| <= rtol ||A|| on many random tensors") {
    std::mt19937 g(5);
    for (int trial = 0; trial < 40; ++trial) {
        const Index d = 2 + trial % 4;
        std::vector<Index> shape;
        for (Index k = 0; k < d; ++k) shape.push_back(2 + (Index)(g() % 5));
        Index N = 1;
        for (auto n : shape) N *= n;
        // decaying spectrum: random tensor plus a low-rank part
        Vec<double> a = ttest::random_vec<double>(N, 100 + trial) * 1e-3;
        a += ttest::dense(random_tt<double>(shape, capped_ranks(shape, 2), trial));
        const double rtol = std::pow(10.0, -1.0 - (trial % 5));
        auto r = tt_svd(a.data(), shape, SvdOptions{rtol});
        const double err = (ttest::dense(r.tt) - a).norm();
        CHECK(err <= rtol * a.norm() * (1 + 1e-10));
        CHECK(std::abs(err - r.truncation_error) <= 1e-8 * a.norm() + 1e-3 * err);
    }
}

TEST_CASE("max_rank on two modes gives the Eckart-Young optimal error") {
    const Index m = 30, n = 40;
    Vec<double> a = ttest::random_vec<double>(m * n, 3);
    auto r = tt_svd(a.data(), {m, n}, SvdOptions{0.0, 5});
    CHECK(r.tt.ranks()[1] == 5);
    // row-major (m x n) matrix = column-major transpose
    Mat<double> A = Eigen::Map<Mat<double>>(a.data(), n, m).transpose();
    Eigen::JacobiSVD<Mat<double>> svd(A);
    const Vec<double> s = svd.singularValues();
    const double best = std::sqrt(s.tail(s.size() - 5).squaredNorm());
    const double err = (ttest::dense(r.tt) - a).norm();
    CHECK(err == doctest::Approx(best).epsilon(1e-10));
    CHECK(r.truncation_error == doctest::Approx(best).epsilon(1e-10));
}

TEST_CASE("zero tensor gives a valid rank-one zero train; d = 1 is exact") {
    std::vector<double> z(3 * 4 * 5, 0.0);
    auto r = tt_svd(z.data(), {3, 4, 5}, SvdOptions{1e-8});
    CHECK(r.tt.ranks() == std::vector<Index>{1, 1, 1, 1});
    CHECK(to_full(r.tt).norm() == 0.0);
    std::vector<double> v{1, 2, 3};
    auto r1 = tt_svd(v.data(), {3}, SvdOptions{1e-8});
    CHECK(r1.tt.ndim() == 1);
    CHECK(to_full(r1.tt)[2] == 3.0);
}

TEST_CASE("NaN input and bad options are refused") {
    std::vector<double> a(8, 1.0);
    a[3] = std::nan("");
    CHECK_THROWS_AS(tt_svd(a.data(), {2, 2, 2}, SvdOptions{1e-8}), std::invalid_argument);
    std::vector<double> b(8, 1.0);
    CHECK_THROWS_AS(tt_svd(b.data(), {2, 2, 2}, SvdOptions{-1.0}), std::invalid_argument);
    CHECK_THROWS_AS(tt_svd(b.data(), {2, 2, 2}, SvdOptions{1e-8, 0}), std::invalid_argument);
}

TEST_CASE("float and complex TT-SVD") {
    auto t = random_tt<std::complex<double>>({3, 4, 5}, {1, 2, 3, 1}, 4);
    const Vec<std::complex<double>> a = ttest::dense(t);
    auto r = tt_svd(a.data(), t.shape(), SvdOptions{1e-12});
    CHECK(r.tt.ranks() == t.ranks());
    CHECK((ttest::dense(r.tt) - a).norm() <= 1e-11 * a.norm());
    auto tf = random_tt<float>({4, 4, 4}, {1, 2, 2, 1}, 5);
    const Vec<float> af = ttest::dense(tf);
    auto rf = tt_svd(af.data(), tf.shape(), SvdOptions{1e-4});
    CHECK(rf.tt.ranks() == tf.ranks());
    CHECK((ttest::dense(rf.tt) - af).norm() <= 1e-4f * af.norm());
}

TEST_CASE("tall unfoldings (TSQR path) keep the guarantee") {
    // 4^9 tensor: first unfolding 4 x 65536 goes through the chunked QR
    const Index d = 9;
    std::vector<Index> shape(d, 4);
    Index N = 1;
    for (auto n : shape) N *= n;
    Vec<double> a(N);
    std::vector<Index> ix(d, 0);
    for (Index f = 0; f < N; ++f) {
        double s = 0;
        for (auto i : ix) s += i / 3.0;
        a[f] = 1.0 / (1.0 + s);
        for (Index k = d - 1; k >= 0; --k) {
            if (++ix[k] < 4) break;
            ix[k] = 0;
        }
    }
    auto r = tt_svd(a.data(), shape, SvdOptions{1e-8});
    CHECK((to_full(r.tt) - a).norm() <= 1e-8 * a.norm());
    CHECK(r.tt.max_rank() <= 8);
}
