#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "test_util.hpp"

#include <complex>

using namespace tensortrain;

namespace {
template <class T>
Mat<T> random_mat(Index m, Index n, unsigned seed) {
    std::mt19937_64 g(seed);
    std::normal_distribution<double> nd;
    Mat<T> A(m, n);
    for (Index j = 0; j < n; ++j)
        for (Index i = 0; i < m; ++i) {
            if constexpr (is_complex_v<T>) A(i, j) = T(nd(g), nd(g));
            else A(i, j) = T(nd(g));
        }
    return A;
}

template <class T>
void check_qr(const Mat<T>& A, double tol) {
    const Index m = A.rows(), n = A.cols(), k = std::min(m, n);
    linalg::HouseholderQR<T> qr{Mat<T>(A)};
    const Mat<T> Q = qr.thin_q(), R = qr.R();
    REQUIRE(Q.rows() == m);
    REQUIRE(Q.cols() == k);
    REQUIRE(R.rows() == k);
    REQUIRE(R.cols() == n);
    const double scale = std::max<double>(1.0, (double)A.norm());
    CHECK((double)(Q * R - A).norm() <= tol * scale);
    CHECK((double)(Q.adjoint() * Q - Mat<T>::Identity(k, k)).norm() <= tol);
    for (Index j = 0; j < n; ++j)
        for (Index i = j + 1; i < k; ++i) CHECK(R(i, j) == T(0));
    // apply_q_top(X) = Q X and apply_qh(B) = Q^H B (first k rows) against the explicit Q.
    const Mat<T> X = random_mat<T>(k, 3, 7);
    CHECK((double)(qr.apply_q_top(X) - Q * X).norm() <= tol * (double)X.norm());
    Mat<T> B = random_mat<T>(m, 4, 8);
    const Mat<T> QhB = Q.adjoint() * B;
    qr.apply_qh(B);
    CHECK((double)(B.topRows(k) - QhB).norm() <= tol * (double)B.norm());
}
}  // namespace

TEST_CASE_TEMPLATE("blocked Householder QR matches A = QR on many shapes", T, double, float,
                   std::complex<double>) {
    const double tol = std::is_same_v<T, float> ? 2e-5 : 1e-13;
    const std::vector<std::pair<Index, Index>> shapes = {{1, 1},  {6, 1},   {1, 6},   {7, 7},   {40, 16},
                                                         {40, 17}, {100, 33}, {300, 80}, {50, 120}, {33, 33}};
    unsigned seed = 1;
    for (auto [m, n] : shapes) check_qr<T>(random_mat<T>(m, n, seed++), tol);
}

TEST_CASE("blocked QR of rank-deficient matrices and zero columns") {
    Mat<double> A = random_mat<double>(200, 40, 3);
    A.rightCols(20) = A.leftCols(20) * random_mat<double>(20, 20, 4);  // rank 20
    A.col(5).setZero();
    check_qr<double>(A, 1e-13);
    check_qr<double>(Mat<double>::Zero(50, 20), 1e-13);
    Mat<std::complex<double>> C = random_mat<std::complex<double>>(90, 30, 5);
    C.col(29) = C.col(0) * std::complex<double>(0, 2);
    check_qr<std::complex<double>>(C, 1e-13);
}

TEST_CASE_TEMPLATE("QR-preconditioned SVD agrees with the direct one", T, double, std::complex<double>) {
    for (auto [m, n] : std::vector<std::pair<Index, Index>>{{400, 40}, {40, 400}, {64, 20}, {20, 64}}) {
        const Mat<T> A = random_mat<T>(m, n, (unsigned)(m + 3 * n));
        Mat<T> A1 = A, A2 = A, U1, V1, U2, V2;
        Vec<double> s1, s2;
        linalg::svd(A1, U1, s1, V1);
        linalg::svd_direct(A2, U2, s2, V2);
        CHECK((s1 - s2).norm() <= 1e-12 * s2.norm());
        CHECK((U1 * s1.template cast<T>().asDiagonal() * V1 - A).norm() <= 1e-12 * A.norm());
        const Index k = std::min(m, n);
        CHECK((U1.adjoint() * U1 - Mat<T>::Identity(k, k)).norm() <= 1e-12);
        CHECK((V1 * V1.adjoint() - Mat<T>::Identity(k, k)).norm() <= 1e-12);
    }
}
