#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "test_util.hpp"

#include <tensortrain/fit.hpp>
#include <tensortrain/round.hpp>

using namespace tensortrain;

namespace {
template <class T>
TTMatrix<T> random_tt_matrix(const std::vector<Index>& rows, const std::vector<Index>& cols,
                             const std::vector<Index>& ranks, std::uint64_t seed) {
    std::vector<Index> mn;
    for (std::size_t k = 0; k < rows.size(); ++k) mn.push_back(rows[k] * cols[k]);
    return TTMatrix<T>(random_tt<T>(mn, ranks, seed), rows, cols);
}
template <class T>
double rel_diff(const TensorTrain<T>& a, const TensorTrain<T>& b) {
    return (double)norm(add(a, b, T(1), T(-1))) / (double)norm(b);
}
}  // namespace

TEST_CASE("fit: A x at the exact rank equals the exact product") {
    const std::vector<Index> dims{3, 4, 2, 3, 4};
    const auto A = random_tt_matrix<double>(dims, dims, {1, 2, 3, 3, 2, 1}, 1);
    const auto x = random_tt<double>(dims, {1, 2, 3, 2, 2, 1}, 2);
    const auto exact = matvec(A, x);
    FitTerm<double> t;
    t.A = &A;
    t.x = &x;
    FitOptions o;
    o.rtol = 1e-13;
    o.max_rank = 100;
    const auto r = fit_sum<double>({t}, o);
    CHECK(rel_diff(r.y, exact) < 1e-11);
    CHECK(r.converged);
    CHECK(r.y.max_rank() <= exact.max_rank());
}

TEST_CASE("fit: at a binding max_rank the fit is as good as rounding the exact result") {
    const std::vector<Index> dims(8, 4);
    const auto A = random_tt_matrix<double>(dims, dims, capped_ranks(dims, 3), 3);
    const auto x = random_tt<double>(dims, capped_ranks(dims, 4), 4);
    const auto exact = matvec(A, x);
    FitTerm<double> t;
    t.A = &A;
    t.x = &x;
    FitOptions o;
    o.max_rank = 6;
    o.n_sweeps = 6;
    const auto r = fit_sum<double>({t}, o);
    const auto rounded = round(exact, SvdOptions{0.0, 6}).tt;
    const double e_fit = rel_diff(r.y, exact), e_round = rel_diff(rounded, exact);
    CHECK(r.y.max_rank() <= 6);
    CHECK(e_fit <= 1.05 * e_round);  // quasi-optimal rounding is not optimal: the fit may be better
}

TEST_CASE("fit: a sum of many trains with coefficients, and a complex product") {
    const std::vector<Index> dims{4, 3, 5, 2, 3, 4};
    std::vector<TensorTrain<double>> xs;
    for (int i = 0; i < 6; ++i) xs.push_back(random_tt<double>(dims, capped_ranks(dims, 2), 10 + i));
    std::vector<FitTerm<double>> terms;
    TensorTrain<double> exact = scale(xs[0], 0.5);
    for (int i = 0; i < 6; ++i) {
        FitTerm<double> t;
        t.coef = 0.5 + i;
        t.x = &xs[(std::size_t)i];
        terms.push_back(t);
        if (i > 0) exact = add(exact, xs[(std::size_t)i], 1.0, 0.5 + i);
    }
    FitOptions o;
    o.rtol = 1e-12;
    o.max_rank = 64;
    const auto r = fit_sum<double>(terms, o);
    CHECK(rel_diff(r.y, exact) < 1e-10);

    using C = std::complex<double>;
    const auto Ac = random_tt_matrix<C>(dims, dims, capped_ranks(dims, 2), 5);
    const auto xc = random_tt<C>(dims, capped_ranks(dims, 2), 6);
    FitTerm<C> tc;
    tc.coef = C(0, 2);
    tc.A = &Ac;
    tc.x = &xc;
    FitOptions oc;
    oc.rtol = 1e-13;
    const auto rc = fit_sum<C>({tc}, oc);
    CHECK(rel_diff(rc.y, scale(matvec(Ac, xc), C(0, 2))) < 1e-10);
}

TEST_CASE("fit: bad input") {
    const std::vector<Index> dims{3, 3, 3};
    const auto x = random_tt<double>(dims, {1, 2, 2, 1}, 1);
    const auto y = random_tt<double>({3, 3, 4}, {1, 2, 2, 1}, 1);
    FitTerm<double> a, b;
    a.x = &x;
    b.x = &y;
    CHECK_THROWS_AS(fit_sum<double>({a, b}), std::invalid_argument);
    CHECK_THROWS_AS(fit_sum<double>({}), std::invalid_argument);
    FitOptions o;
    o.max_rank = 0;
    CHECK_THROWS_AS(fit_sum<double>({a}, o), std::invalid_argument);
}
