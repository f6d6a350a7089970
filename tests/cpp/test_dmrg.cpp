#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "test_util.hpp"

#include <tensortrain/dmrg.hpp>
#include <tensortrain/mpo.hpp>

#include <cmath>

using namespace tensortrain;

namespace {
Mat<double> sz() { return (Mat<double>(2, 2) << 0.5, 0, 0, -0.5).finished(); }
Mat<double> sp() { return (Mat<double>(2, 2) << 0, 1, 0, 0).finished(); }
Mat<double> sm() { return (Mat<double>(2, 2) << 0, 0, 1, 0).finished(); }
Mat<double> px() { return (Mat<double>(2, 2) << 0, 1, 1, 0).finished(); }
Mat<double> pz() { return (Mat<double>(2, 2) << 1, 0, 0, -1).finished(); }

std::vector<OpTerm<double>> heisenberg_terms(Index L) {
    std::vector<OpTerm<double>> t;
    for (Index i = 0; i + 1 < L; ++i) {
        t.push_back({1.0, {{i, sz()}, {i + 1, sz()}}});
        t.push_back({0.5, {{i, sp()}, {i + 1, sm()}}});
        t.push_back({0.5, {{i, sm()}, {i + 1, sp()}}});
    }
    return t;
}

// Dense open-chain Heisenberg Hamiltonian by bit manipulation (site 0 = most significant bit,
// state bit 0 = spin up), independent of the engine.
Mat<double> heisenberg_dense(int L) {
    const Index N = Index(1) << L;
    Mat<double> H = Mat<double>::Zero(N, N);
    for (Index s = 0; s < N; ++s)
        for (int i = 0; i + 1 < L; ++i) {
            const int b1 = L - 1 - i, b2 = L - 2 - i;
            const int u1 = (s >> b1) & 1, u2 = (s >> b2) & 1;  // 0: up (+1/2), 1: down
            H(s, s) += (u1 == u2) ? 0.25 : -0.25;
            if (u1 != u2) H(s ^ (Index(1) << b1) ^ (Index(1) << b2), s) += 0.5;
        }
    return H;
}

// The TT-matrix as a dense matrix, entry by entry from its cores (rows in C order).
Mat<double> to_dense(const TTMatrix<double>& A) {
    const Index d = A.ndim();
    Index N = 1;
    for (Index k = 0; k < d; ++k) N *= A.row_dims()[(std::size_t)k];
    Mat<double> D(N, N);
    for (Index r = 0; r < N; ++r)
        for (Index c = 0; c < N; ++c) {
            Mat<double> v = Mat<double>::Ones(1, 1);
            Index rr = r, cc = c;
            std::vector<Index> ri((std::size_t)d), ci((std::size_t)d);
            for (Index k = d - 1; k >= 0; --k) {
                const Index n = A.row_dims()[(std::size_t)k];
                ri[(std::size_t)k] = rr % n, rr /= n;
                ci[(std::size_t)k] = cc % n, cc /= n;
            }
            for (Index k = 0; k < d; ++k) {
                const Core<double>& G = A.tt().core(k);
                const Index n = A.row_dims()[(std::size_t)k];
                Mat<double> S(G.r0(), G.r1());
                for (Index a = 0; a < G.r0(); ++a)
                    for (Index b = 0; b < G.r1(); ++b) S(a, b) = G(a, ri[(std::size_t)k] + n * ci[(std::size_t)k], b);
                v = v * S;
            }
            D(r, c) = v(0, 0);
        }
    return D;
}
}  // namespace

TEST_CASE("mpo_from_terms: Heisenberg chain at bond dimension 5, equal to the dense Hamiltonian") {
    const Index L = 8;
    auto H = mpo_from_terms<double>(std::vector<Index>(L, 2), heisenberg_terms(L));
    CHECK(H.tt().max_rank() == 5);
    CHECK((to_dense(H) - heisenberg_dense((int)L)).norm() <= 1e-12 * heisenberg_dense((int)L).norm());
    // bad input
    CHECK_THROWS_AS(mpo_from_terms<double>({2, 2}, {{1.0, {{2, sz()}}}}), std::invalid_argument);
    CHECK_THROWS_AS(mpo_from_terms<double>({2, 2}, {{1.0, {{0, sz()}, {0, sz()}}}}), std::invalid_argument);
    CHECK_THROWS_AS(mpo_from_terms<double>({2, 3}, {{1.0, {{1, sz()}}}}), std::invalid_argument);
    auto Z = mpo_from_terms<double>({2, 2, 2}, {});
    CHECK(norm(Z.tt()) == 0.0);
}

TEST_CASE("eigsh: Heisenberg L = 10 ground state against exact diagonalization") {
    const Index L = 10;
    auto H = mpo_from_terms<double>(std::vector<Index>(L, 2), heisenberg_terms(L));
    Eigen::SelfAdjointEigenSolver<Mat<double>> es(heisenberg_dense((int)L), Eigen::EigenvaluesOnly);
    const double e0 = es.eigenvalues()(0);
    DmrgOptions o;
    o.max_rank = 32;
    o.rtol = 1e-12;
    auto res = eigsh(H, o);
    CHECK(res.converged);
    CHECK(std::abs(res.energy - e0) <= 1e-9 * std::abs(e0));
    CHECK(std::abs((double)norm(res.state) - 1.0) <= 1e-10);
    // the state is an eigenvector: ||H x - E x|| small
    auto Hx = matvec(H, res.state);
    CHECK((double)norm(add(Hx, res.state, 1.0, -res.energy)) <= 1e-6);
    // energies decrease (variational), up to roundoff
    const auto& hist = res.sweep_energies[0];
    for (std::size_t i = 1; i < hist.size(); ++i) CHECK(hist[i] <= hist[i - 1] + 1e-10);
    CHECK(res.energies.size() == 1);
    CHECK(res.states.size() == 1);
}

TEST_CASE("eigsh: transverse-field Ising chain at h = 1 against the closed form") {
    const Index L = 20;
    std::vector<OpTerm<double>> t;
    for (Index i = 0; i + 1 < L; ++i) t.push_back({-1.0, {{i, pz()}, {i + 1, pz()}}});
    for (Index i = 0; i < L; ++i) t.push_back({-1.0, {{i, px()}}});
    auto H = mpo_from_terms<double>(std::vector<Index>(L, 2), t);
    CHECK(H.tt().max_rank() == 3);
    const double e0 = 1.0 - 1.0 / std::sin(M_PI / (2.0 * (2.0 * (double)L + 1.0)));
    DmrgOptions o;
    o.max_rank = 24;
    auto res = eigsh(H, o);
    CHECK(res.converged);
    CHECK(std::abs(res.energy - e0) <= 1e-9 * std::abs(e0));
}

TEST_CASE("eigsh: bad input") {
    // non-symmetric operator
    auto A = mpo_from_terms<double>({2, 2, 2}, {{1.0, {{0, sp()}}}});
    CHECK_THROWS_AS(eigsh(A), std::invalid_argument);
    auto H = mpo_from_terms<double>({2, 2, 2}, heisenberg_terms(3));
    auto x0 = random_tt<double>({2, 2}, {1, 2, 1}, 1);
    CHECK_THROWS_AS(eigsh(H, DmrgOptions{}, &x0), std::invalid_argument);
    DmrgOptions o;
    o.max_rank = 0;
    CHECK_THROWS_AS(eigsh(H, o), std::invalid_argument);
    o.max_rank = {8, 0};
    CHECK_THROWS_AS(eigsh(H, o), std::invalid_argument);
    o.max_rank = std::vector<Index>{};
    CHECK_THROWS_AS(eigsh(H, o), std::invalid_argument);
    o = DmrgOptions{};
    o.rtol = {1e-8, -1.0};
    CHECK_THROWS_AS(eigsh(H, o), std::invalid_argument);
    o = DmrgOptions{};
    o.k = 9;  // the space has 2^3 = 8 dimensions
    CHECK_THROWS_AS(eigsh(H, o), std::invalid_argument);
    o.k = 0;
    CHECK_THROWS_AS(eigsh(H, o), std::invalid_argument);
    o.k = 2;
    o.penalty = -1;
    CHECK_THROWS_AS(eigsh(H, o), std::invalid_argument);
    // d = 1: the dense eigenproblem
    auto H1 = mpo_from_terms<double>({3}, {{2.0, {{0, (Mat<double>(3, 3) << 2, 1, 0, 1, 2, 1, 0, 1, 2).finished()}}}});
    auto r1 = eigsh(H1);
    CHECK(std::abs(r1.energy - 2.0 * (2.0 - std::sqrt(2.0))) <= 1e-12);
}

namespace {
// A + A^T for a random TT-matrix A: symmetric, with a generic (non-degenerate) spectrum.
TTMatrix<double> random_symmetric(Index d, Index n, Index r, std::uint64_t seed) {
    std::vector<Index> ranks((std::size_t)d + 1, r);
    ranks.front() = ranks.back() = 1;
    TTMatrix<double> B(random_tt<double>(std::vector<Index>((std::size_t)d, n * n), ranks, seed),
                       std::vector<Index>((std::size_t)d, n), std::vector<Index>((std::size_t)d, n));
    return TTMatrix<double>(add(B.tt(), transpose(B).tt()), B.row_dims(), B.col_dims());
}
}  // namespace

TEST_CASE("eigsh: k = 3 lowest eigenpairs of a random symmetric TT-matrix against the dense spectrum") {
    const Index d = 4, n = 3;
    auto A = random_symmetric(d, n, 2, 11);
    const Mat<double> D = to_dense(A);
    Eigen::SelfAdjointEigenSolver<Mat<double>> es(D, Eigen::EigenvaluesOnly);
    DmrgOptions o;
    o.k = 3;
    o.rtol = 1e-12;
    auto res = eigsh(A, o);
    CHECK(res.converged);
    CHECK(res.stop_reason == "converged");
    REQUIRE(res.energies.size() == 3);
    REQUIRE(res.states.size() == 3);
    REQUIRE(res.sweep_energies.size() == 3);
    const double scale = es.eigenvalues().cwiseAbs().maxCoeff();
    for (Index i = 0; i < 3; ++i) {
        CHECK(std::abs(res.energies[(std::size_t)i] - es.eigenvalues()(i)) <= 1e-9 * scale);
        const auto& x = res.states[(std::size_t)i];
        CHECK(std::abs((double)norm(x) - 1.0) <= 1e-10);
        // an eigenvector: the residual through the dense matrix
        const Vec<double> v = ttest::dense(x);
        CHECK((D * v - res.energies[(std::size_t)i] * v).norm() <= 1e-6 * scale);
        for (Index j = 0; j < i; ++j) CHECK(std::abs(dot(x, res.states[(std::size_t)j])) <= 1e-10);
    }
    CHECK(res.energy == res.energies[0]);
}

TEST_CASE("eigsh: Heisenberg L = 8, k = 4: the singlet and the triplet against exact diagonalization") {
    const Index L = 8;
    auto H = mpo_from_terms<double>(std::vector<Index>(L, 2), heisenberg_terms(L));
    Eigen::SelfAdjointEigenSolver<Mat<double>> es(heisenberg_dense((int)L), Eigen::EigenvaluesOnly);
    DmrgOptions o;
    o.k = 4;
    o.max_rank = {4, 8, 16};  // a schedule; the exact states need rank 16
    o.rtol = 1e-12;
    std::vector<DmrgProgress> seen;
    o.callback = [&](const DmrgProgress& p) {
        seen.push_back(p);
        return false;
    };
    auto res = eigsh(H, o);
    CHECK(res.converged);
    REQUIRE(res.energies.size() == 4);
    for (Index i = 0; i < 4; ++i) CHECK(std::abs(res.energies[(std::size_t)i] - es.eigenvalues()(i)) <= 1e-9);
    CHECK(std::abs(es.eigenvalues()(1) - es.eigenvalues()(3)) <= 1e-10);  // the triplet
    for (Index i = 0; i < 4; ++i)
        for (Index j = 0; j < i; ++j) CHECK(std::abs(dot(res.states[(std::size_t)i], res.states[(std::size_t)j])) <= 1e-9);
    // the schedule: half-sweeps 1-2 at rank 4, 3-4 at 8, then 16
    for (const auto& p : seen) CHECK(p.max_rank <= o.max_rank.at((p.sweep - 1) / 2));
    CHECK(seen.front().state == 0);
    CHECK(seen.back().state == 3);
}
