#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "test_util.hpp"

#include <tensortrain/riemannian.hpp>

#include <random>

using namespace tensortrain;

namespace {

using MatD = Mat<double>;
using VecD = Vec<double>;

std::vector<Index> unravel(Index f, const std::vector<Index>& shape) {
    std::vector<Index> ix(shape.size());
    for (Index k = (Index)shape.size() - 1; k >= 0; --k) {
        ix[(std::size_t)k] = f % shape[(std::size_t)k];
        f /= shape[(std::size_t)k];
    }
    return ix;
}

Index ravel(const Index* ix, const std::vector<Index>& shape) {
    Index f = 0;
    for (std::size_t k = 0; k < shape.size(); ++k) f = f * shape[k] + ix[k];
    return f;
}

Index numel(const std::vector<Index>& shape) {
    Index N = 1;
    for (auto n : shape) N *= n;
    return N;
}

// The unit tensor e_ix as a rank-1 train.
template <class T>
TensorTrain<T> unit_tt(const std::vector<Index>& ix, const std::vector<Index>& shape) {
    std::vector<Core<T>> cores;
    for (std::size_t k = 0; k < shape.size(); ++k) {
        Core<T> c(1, shape[k], 1);
        c(0, ix[k], 0) = T(1);
        cores.push_back(std::move(c));
    }
    return TensorTrain<T>(std::move(cores));
}

// The engine's projector as a dense N x N matrix: column j = full(to_tt(project(e_j))).
template <class T>
Mat<T> dense_projector(const TangentSpace<T>& S) {
    const auto shape = S.shape();
    const Index N = numel(shape);
    Mat<T> P(N, N);
    for (Index j = 0; j < N; ++j) P.col(j) = ttest::dense(to_tt(S, project(S, unit_tt<T>(unravel(j, shape), shape))));
    return P;
}

// Ground truth independent of the engine: the tangent space at X is the span of the first-order
// variations of the parametrization, one per core entry (core k replaced by a unit core).
MatD true_projector(const TensorTrain<double>& X, Index& dim) {
    const auto shape = X.shape();
    const Index N = numel(shape);
    std::vector<VecD> cols;
    for (Index k = 0; k < X.ndim(); ++k)
        for (Index e = 0; e < X.core(k).size(); ++e) {
            TensorTrain<double> Y = X;
            Y.core(k).vec().setZero();
            Y.core(k).vec()[e] = 1;
            cols.push_back(ttest::dense(Y));
        }
    MatD B(N, (Index)cols.size());
    for (std::size_t c = 0; c < cols.size(); ++c) B.col((Index)c) = cols[c];
    Eigen::JacobiSVD<MatD> svd(B, Eigen::ComputeThinU);
    const auto& s = svd.singularValues();
    dim = 0;
    while (dim < s.size() && s[dim] > 1e-10 * s[0]) ++dim;
    const MatD Q = svd.matrixU().leftCols(dim);
    return Q * Q.transpose();
}

// A random tangent vector with the gauge imposed here (not by the engine).
template <class T>
TangentVector<T> random_tangent(const TangentSpace<T>& S, unsigned seed) {
    TangentVector<T> v;
    for (Index k = 0; k < S.ndim(); ++k) {
        const Core<T>& U = S.U[(std::size_t)k];
        Core<T> c(U.r0(), U.n(), U.r1(), Vec<T>(ttest::random_vec<T>(U.size(), seed + (unsigned)k)));
        if (k + 1 < S.ndim()) {
            Mat<T> Dl = c.left();
            Dl -= U.left() * (U.left().transpose() * Dl);
            c.left() = Dl;
        }
        v.delta.push_back(std::move(c));
    }
    return v;
}

template <class T>
double max_gauge(const TangentSpace<T>& S, const TangentVector<T>& v) {
    // relative to the whole vector: a delta may be zero (U_k square: its complement is empty)
    double g = 0;
    for (Index k = 0; k + 1 < S.ndim(); ++k)
        g = std::max(g, (double)(S.U[(std::size_t)k].left().transpose() * v.delta[(std::size_t)k].left()).norm());
    return g / (double)norm(v);
}

std::vector<Index> random_indices(Index M, const std::vector<Index>& shape, std::uint64_t seed) {
    std::mt19937_64 g(seed);
    const Index d = (Index)shape.size();
    std::vector<Index> idx((std::size_t)(M * d));
    for (Index m = 0; m < M; ++m)
        for (Index k = 0; k < d; ++k)
            idx[(std::size_t)(m * d + k)] = (Index)(g() % (std::uint64_t)shape[(std::size_t)k]);
    return idx;
}

struct Case {
    std::vector<Index> shape, ranks;
};
const std::vector<Case> kCases = {
    {{3, 3, 3, 3}, {1, 2, 2, 2, 1}},
    {{2, 3, 4, 3}, {1, 2, 3, 2, 1}},
    {{5, 4}, {1, 3, 1}},
    {{6}, {1, 1}},
    {{2, 2, 2, 2, 2}, {1, 2, 3, 3, 2, 1}},
};

}  // namespace

TEST_CASE("the projector is the orthogonal projector onto the true tangent space (dense, small cases)") {
    for (const Case& c : kCases) {
        CAPTURE(detail::vec_str(c.shape));
        const auto X = random_tt<double>(c.shape, c.ranks, 11);
        const TangentSpace<double> S(X);
        CHECK(S.ranks() == c.ranks);
        CHECK(S.shape() == c.shape);
        CHECK((ttest::dense(S.point()) - ttest::dense(X)).norm() < 1e-12 * ttest::dense(X).norm());
        const MatD P = dense_projector(S);
        Index dim = 0;
        const MatD Pt = true_projector(X, dim);
        // dimension of the manifold: sum r_k n_k r_{k+1} - sum_{k=1}^{d-1} r_k^2
        Index expect = 0;
        for (std::size_t k = 0; k < c.shape.size(); ++k) expect += c.ranks[k] * c.shape[k] * c.ranks[k + 1];
        for (std::size_t k = 1; k < c.shape.size(); ++k) expect -= c.ranks[k] * c.ranks[k];
        CHECK(dim == expect);
        CHECK((P - Pt).norm() < 1e-10);
        CHECK((P - P.transpose()).norm() < 1e-12);
        CHECK((P * P - P).norm() < 1e-12);
        Eigen::JacobiSVD<MatD> svd(P);
        Index rank = 0;
        for (Index i = 0; i < svd.singularValues().size(); ++i) rank += svd.singularValues()[i] > 0.5;
        CHECK(rank == expect);
        CHECK(std::abs(P.trace() - (double)expect) < 1e-10);
        // P fixes tangent vectors and the point itself.
        const auto v = random_tangent(S, 5);
        const VecD vd = ttest::dense(to_tt(S, v));
        CHECK((P * vd - vd).norm() < 1e-12 * vd.norm());
        const VecD xd = ttest::dense(X);
        CHECK((P * xd - xd).norm() < 1e-12 * xd.norm());
    }
}

TEST_CASE("project of a tangent vector returns its deltas; gauge; to_tt ranks") {
    for (const Case& c : kCases) {
        CAPTURE(detail::vec_str(c.shape));
        const TangentSpace<double> S(random_tt<double>(c.shape, c.ranks, 3));
        const auto v = random_tangent(S, 17);
        const auto tt = to_tt(S, v);
        const Index d = (Index)c.shape.size();
        for (Index k = 1; k < d; ++k) CHECK(tt.ranks()[(std::size_t)k] == 2 * c.ranks[(std::size_t)k]);
        const auto w = project(S, tt);
        for (Index k = 0; k < d; ++k)
            CHECK((w.delta[(std::size_t)k].vec() - v.delta[(std::size_t)k].vec()).norm() < 1e-12 * norm(v));
        // The projection of a general train satisfies the gauge.
        const auto z = project(S, random_tt<double>(c.shape, std::vector<Index>(c.ranks.size(), 1), 4));
        CHECK(max_gauge(S, z) < 1e-13);
        CHECK(max_gauge(S, v) < 1e-13);
    }
}

TEST_CASE("inner, norm and lincomb match dense computations") {
    const Case& c = kCases[1];
    const TangentSpace<double> S(random_tt<double>(c.shape, c.ranks, 8));
    const auto a = random_tangent(S, 1), b = random_tangent(S, 2);
    const VecD ad = ttest::dense(to_tt(S, a)), bd = ttest::dense(to_tt(S, b));
    CHECK(std::abs(inner(a, b) - ad.dot(bd)) < 1e-12 * ad.norm() * bd.norm());
    CHECK(std::abs(norm(a) - ad.norm()) < 1e-12 * ad.norm());
    const auto l = lincomb(2.5, a, -0.75, b);
    CHECK((ttest::dense(to_tt(S, l)) - (2.5 * ad - 0.75 * bd)).norm() < 1e-12 * ad.norm());
}

TEST_CASE("project of a weighted sum equals the weighted sum of projections (and the dense P)") {
    const Case& c = kCases[0];
    const TangentSpace<double> S(random_tt<double>(c.shape, c.ranks, 21));
    const auto Z1 = random_tt<double>(c.shape, {1, 3, 2, 3, 1}, 31);
    const auto Z2 = random_tt<double>(c.shape, {1, 1, 1, 1, 1}, 32);
    const auto Z3 = random_tt<double>(c.shape, {1, 3, 4, 2, 1}, 33);
    const auto sum = project(S, {&Z1, &Z2, &Z3}, {0.5, -2.0, 1.5});
    const auto ref = lincomb(1.0, lincomb(0.5, project(S, Z1), -2.0, project(S, Z2)), 1.5, project(S, Z3));
    for (std::size_t k = 0; k < sum.delta.size(); ++k)
        CHECK((sum.delta[k].vec() - ref.delta[k].vec()).norm() < 1e-12 * ref.delta[k].vec().norm());
    const VecD zd = 0.5 * ttest::dense(Z1) - 2.0 * ttest::dense(Z2) + 1.5 * ttest::dense(Z3);
    const MatD P = dense_projector(S);
    CHECK((ttest::dense(to_tt(S, sum)) - P * zd).norm() < 1e-12 * zd.norm());
    // Empty sum: the zero vector.
    const auto zero = project(S, std::vector<const TensorTrain<double>*>{}, std::vector<double>{});
    CHECK(norm(zero) == 0.0);
}

TEST_CASE("SampledFrames: point values, tangent values and sampled projection against dense references") {
    for (const Case& c : kCases) {
        CAPTURE(detail::vec_str(c.shape));
        const auto X = random_tt<double>(c.shape, c.ranks, 41);
        const TangentSpace<double> S(X);
        const MatD P = dense_projector(S);
        const Index d = (Index)c.shape.size(), N = numel(c.shape);
        // 10000 samples: groups larger than a piece are split (and many indices repeat).
        for (Index M : {Index(1), Index(37), Index(10000)}) {
            CAPTURE(M);
            auto idx = random_indices(M, c.shape, 50 + (std::uint64_t)M);
            if (M == 37)  // explicit repeats: sample 36 = sample 0 and 35 = sample 1
                for (Index k = 0; k < d; ++k) {
                    idx[(std::size_t)(36 * d + k)] = idx[(std::size_t)k];
                    idx[(std::size_t)(35 * d + k)] = idx[(std::size_t)(d + k)];
                }
            const SampledFrames<double> F(S, idx.data(), M);
            CHECK(F.size() == M);
            const VecD xd = ttest::dense(X);
            const VecD pv = F.point_values();
            const auto v = random_tangent(S, 9);
            const VecD vd = ttest::dense(to_tt(S, v));
            const VecD tv = F.tangent_values(v);
            double ep = 0, et = 0;
            for (Index m = 0; m < M; ++m) {
                const Index f = ravel(idx.data() + m * d, c.shape);
                ep = std::max(ep, std::abs(pv[m] - xd[f]));
                et = std::max(et, std::abs(tv[m] - vd[f]));
            }
            CHECK(ep < 1e-12 * xd.cwiseAbs().maxCoeff());
            CHECK(et < 1e-12 * vd.cwiseAbs().maxCoeff());
            const VecD vals = ttest::random_vec<double>(M, 60);
            VecD y = VecD::Zero(N);  // the sparse tensor, repeated indices adding up
            for (Index m = 0; m < M; ++m) y[ravel(idx.data() + m * d, c.shape)] += vals[m];
            const auto pr = F.project(vals.data());
            CHECK(max_gauge(S, pr) < 1e-12);
            CHECK((ttest::dense(to_tt(S, pr)) - P * y).norm() < 1e-12 * y.norm() * std::sqrt((double)N));
        }
    }
}

TEST_CASE("SampledFrames::update at a new point equals a fresh construction") {
    const std::vector<Index> shape{3, 4, 5, 3};
    const TangentSpace<double> S1(random_tt<double>(shape, {1, 2, 3, 2, 1}, 12));
    const TangentSpace<double> S2(random_tt<double>(shape, {1, 3, 4, 3, 1}, 13));  // other ranks
    const Index M = 5000;
    const auto idx = random_indices(M, shape, 14);
    const VecD vals = ttest::random_vec<double>(M, 15);
    SampledFrames<double> F(S1, idx.data(), M);
    const auto p1 = F.project(vals.data());
    F.update(S2);
    const SampledFrames<double> G(S2, idx.data(), M);
    const auto pF = F.project(vals.data()), pG = G.project(vals.data());
    for (std::size_t k = 0; k < pF.delta.size(); ++k) CHECK(pF.delta[k].vec() == pG.delta[k].vec());
    CHECK(F.point_values() == G.point_values());
    const auto v = random_tangent(S2, 16);
    CHECK(F.tangent_values(v) == G.tangent_values(v));
    CHECK_THROWS_AS(F.tangent_values(p1), std::invalid_argument);  // a vector of the old space
    F.update(S1);
    const auto p1b = F.project(vals.data());
    for (std::size_t k = 0; k < p1.delta.size(); ++k) CHECK(p1b.delta[k].vec() == p1.delta[k].vec());
    const TangentSpace<double> Sbad(random_tt<double>({3, 4, 5, 2}, {1, 2, 2, 2, 1}, 17));
    CHECK_THROWS_WITH_AS(F.update(Sbad), doctest::Contains("shape (3, 4, 5, 3)"), std::invalid_argument);
}

TEST_CASE("SampledFrames: results do not depend on the thread count") {
    if (!openmp_enabled() || max_threads() < 2) return;
    const int nt = max_threads();
    const std::vector<Index> shape{3, 4, 5, 3, 4}, ranks{1, 3, 4, 4, 3, 1};
    const TangentSpace<double> S(random_tt<double>(shape, ranks, 2));
    const Index M = 20000;
    const auto idx = random_indices(M, shape, 3);
    const VecD vals = ttest::random_vec<double>(M, 4);
    const auto v = random_tangent(S, 5);
    set_num_threads(1);
    const SampledFrames<double> F1(S, idx.data(), M);
    const auto p1 = F1.project(vals.data());
    const VecD t1 = F1.tangent_values(v);
    set_num_threads(nt);
    const SampledFrames<double> F2(S, idx.data(), M);
    const auto p2 = F2.project(vals.data());
    const VecD t2 = F2.tangent_values(v);
    for (std::size_t k = 0; k < p1.delta.size(); ++k) CHECK(p1.delta[k].vec() == p2.delta[k].vec());
    CHECK(t1 == t2);
}

TEST_CASE("retraction is second order and keeps the ranks of X") {
    for (const Case& c : {kCases[0], kCases[1], kCases[4]}) {
        CAPTURE(detail::vec_str(c.shape));
        const auto X = random_tt<double>(c.shape, c.ranks, 71);
        const TangentSpace<double> S(X);
        auto v = random_tangent(S, 72);
        v = lincomb(1.0 / norm(v), v, 0.0, v);
        const VecD xd = ttest::dense(X), vd = ttest::dense(to_tt(S, v));
        auto err = [&](double t) {
            const auto Y = retract(S, v, t);
            for (std::size_t k = 0; k < c.ranks.size(); ++k) CHECK(Y.ranks()[k] <= c.ranks[k]);
            return (ttest::dense(Y) - (xd + t * vd)).norm() / xd.norm();
        };
        const double e2 = err(1e-2), e3 = err(1e-3);
        CAPTURE(e2);
        CAPTURE(e3);
        CHECK(e2 > 0);
        CHECK(e2 / e3 > 30);
        CHECK(e2 / e3 < 300);
        CHECK(e2 < 1e-2);  // O(t^2), far below the O(t) of a first-order error
        CHECK((ttest::dense(retract(S, v, 0.0)) - xd).norm() < 1e-12 * xd.norm());
        // A large step still lands on a train of the ranks of X.
        const auto Yb = retract(S, v, 3.0);
        for (std::size_t k = 0; k < c.ranks.size(); ++k) CHECK(Yb.ranks()[k] <= c.ranks[k]);
    }
}

TEST_CASE("the tangent space of a retracted point built from its right-orthogonal form equals the general one") {
    for (const Case& c : {kCases[0], kCases[1], kCases[4]}) {
        CAPTURE(detail::vec_str(c.shape));
        const auto X = random_tt<double>(c.shape, c.ranks, 91);
        const TangentSpace<double> S(X);
        const auto Y = retract(S, random_tangent(S, 92), 0.1);  // right-orthogonal form
        const TangentSpace<double> A(Y), B(Y, RightOrthogonal{});
        CHECK(A.ranks() == B.ranks());
        CHECK((ttest::dense(B.point()) - ttest::dense(Y)).norm() <= 1e-13 * ttest::dense(Y).norm());
        const auto Z = random_tt<double>(c.shape, c.ranks, 93);  // the same projector: same projection of Z
        const VecD pa = ttest::dense(to_tt(A, project(A, Z))), pb = ttest::dense(to_tt(B, project(B, Z)));
        CHECK((pa - pb).norm() <= 1e-12 * pa.norm());
    }
}

TEST_CASE("transport: gauge at the new point and equal to the dense projection") {
    const Case& c = kCases[1];
    const auto X = random_tt<double>(c.shape, c.ranks, 81);
    const TangentSpace<double> SX(X);
    const auto w = random_tangent(SX, 82);
    const TangentSpace<double> SY(retract(SX, w, 0.3));
    const auto v = random_tangent(SX, 83);
    const auto tv = transport(SY, SX, v);
    CHECK(max_gauge(SY, tv) < 1e-13);
    const MatD PY = dense_projector(SY);
    const VecD vd = ttest::dense(to_tt(SX, v));
    CHECK((ttest::dense(to_tt(SY, tv)) - PY * vd).norm() < 1e-12 * vd.norm());
    CHECK((ttest::dense(to_tt(SY, tv)) - vd).norm() > 1e-3 * vd.norm());  // it did change
}

TEST_CASE("rank-deficient ranks are reduced to what the shape allows; single precision") {
    const std::vector<Index> shape{2, 2, 2};
    const auto X = random_tt<double>(shape, {1, 3, 3, 1}, 5);
    const TangentSpace<double> S(X);
    CHECK(S.ranks() == std::vector<Index>{1, 2, 2, 1});
    CHECK((ttest::dense(S.point()) - ttest::dense(X)).norm() < 1e-12 * ttest::dense(X).norm());
    CHECK(S.V.size() == 3);

    const Case& c = kCases[0];
    const TangentSpace<float> Sf(random_tt<float>(c.shape, c.ranks, 6));
    const Mat<float> Pf = dense_projector(Sf);
    CHECK((Pf * Pf - Pf).norm() < 1e-4f);
    CHECK((Pf - Pf.transpose()).norm() < 1e-4f);
    const auto idx = random_indices(50, c.shape, 7);
    const SampledFrames<float> F(Sf, idx.data(), 50);
    const Vec<float> vals = ttest::random_vec<float>(50, 8);
    Vec<float> y = Vec<float>::Zero(81);
    for (Index m = 0; m < 50; ++m) y[ravel(idx.data() + m * 4, c.shape)] += vals[m];
    CHECK((ttest::dense(to_tt(Sf, F.project(vals.data()))) - Pf * y).norm() < 1e-4f * y.norm());
    const auto Yf = retract(Sf, F.project(vals.data()), 1e-2f);
    CHECK(Yf.max_rank() <= 2);
}

TEST_CASE("bad input") {
    const Case& c = kCases[0];
    const auto X = random_tt<double>(c.shape, c.ranks, 91);
    const TangentSpace<double> S(X);
    const TangentSpace<double> S3(random_tt<double>(c.shape, {1, 3, 3, 3, 1}, 92));
    const TangentSpace<double> S5(random_tt<double>({3, 3, 3, 3, 3}, {1, 2, 2, 2, 2, 1}, 93));
    const auto v = random_tangent(S, 1), v3 = random_tangent(S3, 2), v5 = random_tangent(S5, 3);
    // wrong ranks / number of modes between space and vector, or between vectors
    CHECK_THROWS_WITH_AS(to_tt(S, v3), doctest::Contains("delta[0] has shape (1, 3, 3)"), std::invalid_argument);
    CHECK_THROWS_AS(to_tt(S, v5), std::invalid_argument);
    CHECK_THROWS_AS(retract(S, v3, 0.1), std::invalid_argument);
    CHECK_THROWS_AS(transport(S3, S, v3), std::invalid_argument);
    CHECK_THROWS_AS(transport(S5, S, v), std::invalid_argument);
    CHECK_THROWS_AS(inner(v, v3), std::invalid_argument);
    CHECK_THROWS_AS(lincomb(1.0, v, 1.0, v5), std::invalid_argument);
    CHECK_THROWS_AS(retract(S, v, std::numeric_limits<double>::quiet_NaN()), std::invalid_argument);
    // trains of the wrong shape; coefficient count
    const auto Zbad = random_tt<double>({3, 3, 4, 3}, {1, 2, 2, 2, 1}, 94);
    CHECK_THROWS_WITH_AS(project(S, Zbad), doctest::Contains("shape (3, 3, 4, 3)"), std::invalid_argument);
    CHECK_THROWS_AS(project(S, {&X, &X}, {1.0}), std::invalid_argument);
    CHECK_THROWS_AS(project(S, {&X, nullptr}, {1.0, 1.0}), std::invalid_argument);
    // sample indices out of range
    auto idx = random_indices(10, c.shape, 95);
    idx[3 * 4 + 2] = 3;
    CHECK_THROWS_WITH_AS(SampledFrames<double>(S, idx.data(), 10),
                         doctest::Contains("sample 3 has index 3 in mode 2, which has size 3"), std::invalid_argument);
    idx[3 * 4 + 2] = -1;
    CHECK_THROWS_AS(SampledFrames<double>(S, idx.data(), 10), std::invalid_argument);
    idx[3 * 4 + 2] = 0;
    CHECK_THROWS_AS(SampledFrames<double>(S, idx.data(), -1), std::invalid_argument);
    CHECK_THROWS_AS(SampledFrames<double>(S, nullptr, 10), std::invalid_argument);
    const SampledFrames<double> F(S, idx.data(), 10);
    CHECK_THROWS_AS(F.tangent_values(v3), std::invalid_argument);
    CHECK_THROWS_AS(F.project(nullptr), std::invalid_argument);
    const SampledFrames<double> F0(S, nullptr, 0);  // no samples: empty values, zero projection
    CHECK(F0.point_values().size() == 0);
    CHECK(norm(F0.project(nullptr)) == 0.0);
    // memory limit
    const double saved = max_sampled_frames_bytes();
    max_sampled_frames_bytes() = 1000;
    CHECK_THROWS_AS(SampledFrames<double>(S, idx.data(), 10), SizeError);
    max_sampled_frames_bytes() = saved;
    // zero and non-finite points
    auto Z = X;
    Z.core(2).vec().setZero();
    CHECK_THROWS_WITH_AS(TangentSpace<double>{Z}, doctest::Contains("nonzero"), std::invalid_argument);
    auto Xn = X;
    Xn.core(1).vec()[0] = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_AS(TangentSpace<double>{Xn}, std::invalid_argument);
}
