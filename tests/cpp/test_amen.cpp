#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "test_util.hpp"

#include <tensortrain/amen.hpp>

#include <cmath>

using namespace tensortrain;

namespace {
// QTT cores of the down-shift (S x)[i] = x[i-1] on 2^b points, or of its transpose.
TensorTrain<double> qtt_shift(Index b, bool transposed) {
    Mat<double> I = Mat<double>::Identity(2, 2), J(2, 2);
    J << 0, 1, 0, 0;
    const Mat<double> JT = J.transpose();
    std::vector<Core<double>> cs;
    for (Index k = 0; k < b; ++k) {
        const Index r0 = k == 0 ? 1 : 2, r1 = k == b - 1 ? 1 : 2;
        Core<double> G(r0, 4, r1);
        G.left().setZero();
        auto put = [&](Index co, Index ci, const Mat<double>& M0) {
            const Mat<double> M = transposed ? Mat<double>(M0.transpose()) : M0;
            for (Index j = 0; j < 2; ++j)
                for (Index i = 0; i < 2; ++i) G(co, i + 2 * j, ci) = M(i, j);
        };
        if (b == 1) put(0, 0, JT);
        else if (k == 0) put(0, 0, I), put(0, 1, JT);
        else if (k == b - 1) put(0, 0, JT), put(1, 0, J);
        else put(0, 0, I), put(0, 1, JT), put(1, 1, J);
        cs.push_back(std::move(G));
    }
    return TensorTrain<double>(std::move(cs));
}

TensorTrain<double> identity_tt(const std::vector<Index>& n) {
    std::vector<Core<double>> cs;
    for (Index m : n) {
        Core<double> G(1, m * m, 1);
        G.left().setZero();
        for (Index i = 0; i < m; ++i) G(0, i + m * i, 0) = 1;
        cs.push_back(std::move(G));
    }
    return TensorTrain<double>(std::move(cs));
}

TTMatrix<double> qtt_laplacian(Index b) {
    auto L = add(add(scale(identity_tt(std::vector<Index>(b, 2)), 2.0), qtt_shift(b, false), 1.0, -1.0),
                 qtt_shift(b, true), 1.0, -1.0);
    return TTMatrix<double>(round(L, SvdOptions{1e-14}).tt, std::vector<Index>(b, 2), std::vector<Index>(b, 2));
}

TensorTrain<double> ones_tt(const std::vector<Index>& n) {
    std::vector<Core<double>> cs;
    for (Index m : n) {
        Core<double> G(1, m, 1);
        for (Index i = 0; i < m; ++i) G(0, i, 0) = 1;
        cs.push_back(std::move(G));
    }
    return TensorTrain<double>(std::move(cs));
}

double rel_residual(const TTMatrix<double>& A, const TensorTrain<double>& x, const TensorTrain<double>& b) {
    return (double)norm(add(matvec(A, x), b, 1.0, -1.0)) / (double)norm(b);
}
}  // namespace

TEST_CASE("solve: QTT Poisson in 1D against u_i = i (n + 1 - i) / 2") {
    for (Index b : {6, 12}) {
        CAPTURE(b);
        const Index n = Index(1) << b;
        auto A = qtt_laplacian(b);
        CHECK(A.tt().max_rank() == 3);
        AmenOptions o;
        o.rtol = 1e-10;
        o.n_sweeps = 8;
        auto res = solve(A, ones_tt(std::vector<Index>(b, 2)), o);
        double num = 0, den = 0;
        std::vector<std::int64_t> idx((std::size_t)b);
        for (Index i = 1; i <= n; ++i) {
            Index v = i - 1;
            for (Index k = b - 1; k >= 0; --k) idx[(std::size_t)k] = v & 1, v >>= 1;
            const double y = evaluate(res.x, idx.data(), 1)(0), ex = (double)i * (double)(n + 1 - i) / 2;
            num += (y - ex) * (y - ex);
            den += ex * ex;
        }
        // cond(A) ~ 1.7e7 at n = 4096: the double-precision floor is a few 1e-9
        CHECK(std::sqrt(num / den) <= (b == 6 ? 1e-12 : 2e-8));
        CHECK(res.residuals.back() <= (b == 6 ? 1e-10 : 1e-8));
    }
}

TEST_CASE("solve: against dense solves, symmetric and non-symmetric") {
    const std::vector<Index> n{5, 6, 4};
    // A = Kronecker-sum Laplacian (+ a first-difference term for the non-symmetric case)
    auto tri = [](Index m, double lo, double di, double up) {
        Mat<double> T = Mat<double>::Zero(m, m);
        for (Index i = 0; i < m; ++i) {
            T(i, i) = di;
            if (i > 0) T(i, i - 1) = lo;
            if (i + 1 < m) T(i, i + 1) = up;
        }
        return T;
    };
    for (bool sym : {true, false}) {
        CAPTURE(sym);
        TensorTrain<double> acc;
        for (std::size_t q = 0; q < n.size(); ++q) {
            std::vector<Core<double>> cs;
            for (std::size_t k = 0; k < n.size(); ++k) {
                const Index m = n[k];
                const Mat<double> M = k == q ? (sym ? tri(m, -1, 2, -1) : tri(m, -1.5, 2, -0.5)) : Mat<double>::Identity(m, m);
                Core<double> G(1, m * m, 1);
                for (Index j = 0; j < m; ++j)
                    for (Index i = 0; i < m; ++i) G(0, i + m * j, 0) = M(i, j);
                cs.push_back(std::move(G));
            }
            TensorTrain<double> t(std::move(cs));
            acc = q == 0 ? t : add(acc, t);
        }
        TTMatrix<double> A(round(acc, SvdOptions{1e-14}).tt, n, n);
        auto b = random_tt<double>(n, {1, 2, 2, 1}, 5);
        const Mat<double> Ad = to_dense(A);
        const Vec<double> bd = ttest::dense(b);
        const Vec<double> xd = Ad.partialPivLu().solve(bd);
        for (Index dense_limit : {800, 0}) {  // local solves direct, then by GMRES
            CAPTURE(dense_limit);
            AmenOptions o;
            o.rtol = 1e-12;
            o.dense_limit = dense_limit;
            auto res = solve(A, b, o);
            CHECK(res.converged);
            CHECK((ttest::dense(res.x) - xd).norm() <= 1e-10 * xd.norm());
            CHECK(rel_residual(A, res.x, b) <= 1e-12);
        }
    }
}

TEST_CASE("solve: bad input") {
    auto A = qtt_laplacian(4);
    auto b = ones_tt(std::vector<Index>(4, 2));
    CHECK_THROWS_AS(solve(A, ones_tt(std::vector<Index>(3, 2))), std::invalid_argument);
    std::vector<Core<double>> z;
    for (int k = 0; k < 4; ++k) z.emplace_back(1, 2, 1);
    CHECK_THROWS_AS(solve(A, TensorTrain<double>(z)), std::invalid_argument);
    AmenOptions o;
    o.rtol = -1;
    CHECK_THROWS_AS(solve(A, b, o), std::invalid_argument);
    auto x0 = ones_tt(std::vector<Index>(5, 2));
    CHECK_THROWS_AS(solve(A, b, AmenOptions{}, &x0), std::invalid_argument);
    // max_rank too small to converge: returns with stop_reason n_sweeps and finite values
    AmenOptions small;
    small.max_rank = 1;
    small.n_sweeps = 3;
    small.residual_rank = 1;
    auto r = solve(qtt_laplacian(8), ones_tt(std::vector<Index>(8, 2)), small);
    CHECK(r.stop_reason == "n_sweeps");
    CHECK(std::isfinite(r.residuals.back()));
}
