#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "test_util.hpp"

#include <set>

using namespace tensortrain;

namespace {
Mat<double> gaussian(Index m, Index n, unsigned seed) {
    std::mt19937_64 g(seed);
    std::normal_distribution<double> nd;
    Mat<double> A(m, n);
    for (Index j = 0; j < n; ++j)
        for (Index i = 0; i < m; ++i) A(i, j) = nd(g);
    return A;
}
double volume(const Mat<double>& A, const std::vector<Index>& rows) {
    Mat<double> S((Index)rows.size(), A.cols());
    for (std::size_t q = 0; q < rows.size(); ++q) S.row((Index)q) = A.row(rows[q]);
    return std::abs(S.determinant());
}
}  // namespace

TEST_CASE("maxvol: coefficients bounded by 1 + tol, exact interpolation, no single swap gains") {
    for (unsigned seed = 1; seed <= 5; ++seed) {
        const Mat<double> A = gaussian(200, 8, seed);
        auto res = maxvol(A, MaxvolOptions{0.0, 500});
        REQUIRE(res.rows.size() == 8);
        CHECK(res.coef.cwiseAbs().maxCoeff() <= 1.0 + 1e-12);
        Mat<double> Ai(8, 8);
        for (Index q = 0; q < 8; ++q) Ai.row(q) = A.row(res.rows[(std::size_t)q]);
        CHECK((res.coef * Ai - A).norm() <= 1e-10 * A.norm());
        // Local maximality: replacing any chosen row by any other does not increase the volume.
        const double v = volume(A, res.rows);
        for (Index i = 0; i < 200; i += 7)
            for (std::size_t j = 0; j < 8; ++j) {
                auto rows = res.rows;
                rows[j] = i;
                CHECK(volume(A, rows) <= v * (1 + 1e-9));
            }
    }
}

TEST_CASE("maxvol on ill-conditioned and rank-deficient matrices stays finite and interpolates") {
    Mat<double> A = gaussian(100, 6, 9);
    A.col(5) = A.col(0) * 1e-14 + A.col(1);  // nearly dependent
    auto r1 = maxvol(A);
    CHECK(r1.coef.allFinite());
    Mat<double> B = gaussian(100, 3, 10) * gaussian(3, 6, 11);  // rank 3 of 6 columns
    auto r2 = maxvol(B);
    CHECK(r2.coef.allFinite());
    CHECK(std::set<Index>(r2.rows.begin(), r2.rows.end()).size() == 6);
    Mat<double> Bi(6, 6);
    for (Index q = 0; q < 6; ++q) Bi.row(q) = B.row(r2.rows[(std::size_t)q]);
    CHECK((r2.coef * Bi - B).norm() <= 1e-8 * B.norm());
    CHECK_THROWS_AS(maxvol(Mat<double>(gaussian(3, 5, 1))), std::invalid_argument);
}

TEST_CASE("rect_maxvol: K distinct rows, least-squares coefficients") {
    const Mat<double> A = gaussian(150, 5, 4);
    auto res = rect_maxvol(A, 12);
    REQUIRE(res.rows.size() == 12);
    CHECK(std::set<Index>(res.rows.begin(), res.rows.end()).size() == 12);
    Mat<double> Ai(12, 5);
    for (Index q = 0; q < 12; ++q) Ai.row(q) = A.row(res.rows[(std::size_t)q]);
    // coef = A pinv(A_I): checked against the dense pseudo-inverse.
    const Mat<double> pinv = Ai.completeOrthogonalDecomposition().pseudoInverse();
    CHECK((res.coef - A * pinv).norm() <= 1e-10 * (A * pinv).norm());
    // Adding rows never makes the coefficients larger than square maxvol's.
    CHECK(res.coef.rowwise().norm().maxCoeff() <= maxvol(A).coef.rowwise().norm().maxCoeff() + 1e-12);
}
