#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include "test_util.hpp"

#include <tensortrain/exp_machine.hpp>

#include <random>

using namespace tensortrain;

namespace {

// Samples for a train of the given shape: real modes (n = 2) get a Gaussian value in slot 1,
// categorical ones a random slot with value 1 (or 0: an unknown level).
struct Data {
    std::vector<double> val;
    std::vector<std::int32_t> slot;
    std::vector<double> y;
    Index M = 0;
    ExpMachineSamples<double> samples(bool with_slots) const {
        return {val.data(), with_slots ? slot.data() : nullptr, M};
    }
};

Data make_data(const std::vector<Index>& shape, Index M, unsigned seed, bool labels_pm) {
    std::mt19937_64 g(seed);
    std::normal_distribution<double> nd;
    const Index d = (Index)shape.size();
    Data D;
    D.M = M;
    for (Index m = 0; m < M; ++m) {
        for (Index k = 0; k < d; ++k) {
            if (shape[k] == 2) {
                D.val.push_back(nd(g));
                D.slot.push_back(1);
            } else {
                D.slot.push_back(1 + (std::int32_t)(g() % (std::uint64_t)(shape[k] - 1)));
                D.val.push_back(g() % 5 == 0 ? 0.0 : 1.0);
            }
        }
        D.y.push_back(labels_pm ? (nd(g) > 0 ? 1.0 : -1.0) : nd(g));
    }
    return D;
}

// The local vectors of sample m, and the model by contracting the dense tensor with them.
std::vector<Vec<double>> local_vectors(const Data& D, Index m, const std::vector<Index>& shape) {
    std::vector<Vec<double>> phi;
    for (std::size_t k = 0; k < shape.size(); ++k) {
        Vec<double> v = Vec<double>::Zero(shape[k]);
        v[0] = 1;
        v[D.slot[m * shape.size() + k]] += D.val[m * shape.size() + k];
        phi.push_back(v);
    }
    return phi;
}

double dense_model(const Vec<double>& full, const std::vector<Index>& shape, const std::vector<Vec<double>>& phi) {
    Vec<double> cur = full;  // C order: contract the last mode first
    for (Index k = (Index)shape.size() - 1; k >= 0; --k) {
        const Index n = shape[k], rest = cur.size() / n;
        Vec<double> next = Vec<double>::Zero(rest);
        for (Index a = 0; a < rest; ++a)
            for (Index i = 0; i < n; ++i) next[a] += cur[a * n + i] * phi[k][i];
        cur = next;
    }
    return cur[0];
}

// sum_i exp_reg^{|i|} W[i]^2 over the dense tensor.
double dense_penalty(const Vec<double>& full, const std::vector<Index>& shape, double exp_reg) {
    double s = 0;
    for (Index f = 0; f < full.size(); ++f) {
        Index q = 0, rem = f;
        for (Index k = (Index)shape.size() - 1; k >= 0; --k) {
            q += rem % shape[k] != 0;
            rem /= shape[k];
        }
        s += std::pow(exp_reg, (double)q) * full[f] * full[f];
    }
    return s;
}

double dense_objective(const TensorTrain<double>& W, const Data& D, const std::vector<Index>& shape,
                       const ExpMachineOptions& o) {
    const Vec<double> full = ttest::dense(W);
    double s = 0;
    for (Index m = 0; m < D.M; ++m) {
        const double f = dense_model(full, shape, local_vectors(D, m, shape)), y = D.y[m];
        s += o.loss == ExpMachineLoss::squared ? 0.5 * (f - y) * (f - y) : std::log(1 + std::exp(-y * f));
    }
    return s / D.M + 0.5 * o.reg * dense_penalty(full, shape, o.exp_reg);
}

TensorTrain<double> rank_one(const std::vector<Vec<double>>& phi) {
    std::vector<Core<double>> cores;
    for (const auto& v : phi) cores.emplace_back(1, v.size(), 1, v);
    return TensorTrain<double>(std::move(cores));
}

}  // namespace

TEST_CASE("prediction equals the dense tensor contracted with the local feature vectors") {
    for (bool cat : {false, true}) {
        const std::vector<Index> shape = cat ? std::vector<Index>{2, 4, 2, 3, 2} : std::vector<Index>(6, 2);
        const auto W = random_tt<double>(shape, cat ? std::vector<Index>{1, 2, 3, 3, 2, 1}
                                                    : std::vector<Index>{1, 2, 3, 3, 3, 2, 1}, 3);
        // 9000 samples: more than one block of the threaded loop
        const Data D = make_data(shape, 9000, 4, false);
        const Vec<double> f = expm_predict(W, D.samples(cat));
        const Vec<double> full = ttest::dense(W);
        double err = 0, nrm = 0;
        for (Index m = 0; m < D.M; m += 7) {
            const double ref = dense_model(full, shape, local_vectors(D, m, shape));
            err = std::max(err, std::abs(f[m] - ref));
            nrm = std::max(nrm, std::abs(ref));
        }
        CHECK(err <= 1e-12 * nrm);
    }
}

TEST_CASE("the objective matches the dense computation, losses and weighted penalty") {
    const std::vector<Index> shape{2, 3, 2, 2};
    const auto W = random_tt<double>(shape, {1, 2, 3, 2, 1}, 11);
    for (auto loss : {ExpMachineLoss::logistic, ExpMachineLoss::squared}) {
        const Data D = make_data(shape, 50, 12, loss == ExpMachineLoss::logistic);
        ExpMachineOptions o;
        o.loss = loss;
        o.reg = 0.3;
        o.exp_reg = 1.7;
        const double v = expm_objective(W, D.samples(true), D.y.data(), o), ref = dense_objective(W, D, shape, o);
        CHECK(std::abs(v - ref) <= 1e-12 * std::abs(ref));
    }
}

TEST_CASE("core gradient agrees with central differences of the objective") {
    const std::vector<Index> shape{2, 3, 2, 2, 2};
    auto W = random_tt<double>(shape, {1, 2, 3, 3, 2, 1}, 21);
    for (auto loss : {ExpMachineLoss::logistic, ExpMachineLoss::squared}) {
        const Data D = make_data(shape, 40, 22, loss == ExpMachineLoss::logistic);
        ExpMachineOptions o;
        o.loss = loss;
        o.reg = 0.2;
        o.exp_reg = 1.5;
        const auto X = D.samples(true);
        const auto g = expm_core_gradient(W, X, D.y.data(), o);
        double err = 0, nrm = 0;
        for (Index k = 0; k < W.ndim(); ++k)
            for (Index e = 0; e < W.core(k).size(); ++e) {
                TensorTrain<double> P = W, Q = W;
                const double h = 1e-6;
                P.core(k).vec()[e] += h;
                Q.core(k).vec()[e] -= h;
                const double fd = (expm_objective(P, X, D.y.data(), o) - expm_objective(Q, X, D.y.data(), o)) / (2 * h);
                err = std::max(err, std::abs(fd - g[(std::size_t)k].vec()[e]));
                nrm = std::max(nrm, std::abs(fd));
            }
        CHECK(err <= 1e-7 * nrm);
    }
}

TEST_CASE("Riemannian gradient is the projection of the Euclidean gradient (sum of rank-one data terms)") {
    for (double exp_reg : {1.0, 1.8}) {
        const std::vector<Index> shape{2, 2, 3, 2, 2};
        const auto W = random_tt<double>(shape, {1, 2, 3, 3, 2, 1}, 31);
        const Data D = make_data(shape, 300, 32, true);  // > kExpRows: the threaded pieces are summed
        ExpMachineOptions o;
        o.reg = 0.4;
        o.exp_reg = exp_reg;
        const TangentSpace<double> S(W);
        const auto rg = expm_riemannian_gradient(S, D.samples(true), D.y.data(), o);
        // Euclidean gradient: sum_m l'(f_m, y_m)/M phi_m + reg * (exp_reg^{|i|} W[i]), each as a train
        const Vec<double> full = ttest::dense(W);
        std::vector<TensorTrain<double>> terms;
        std::vector<double> coefs;
        for (Index m = 0; m < D.M; ++m) {
            const auto phi = local_vectors(D, m, shape);
            const double f = dense_model(full, shape, phi), y = D.y[m];
            terms.push_back(rank_one(phi));
            coefs.push_back(-y / (1 + std::exp(y * f)) / D.M);
        }
        std::vector<Core<double>> dw = W.cores();
        for (auto& c : dw)
            for (Index i = 1; i < c.n(); ++i) c.slice(i) *= exp_reg;
        terms.emplace_back(std::move(dw));
        coefs.push_back(o.reg);
        std::vector<const TensorTrain<double>*> ptrs;
        for (auto& t : terms) ptrs.push_back(&t);
        const auto ref = project(S, ptrs, coefs);
        const Vec<double> a = ttest::dense(to_tt(S, rg)), b = ttest::dense(to_tt(S, ref));
        CHECK((a - b).norm() <= 1e-12 * b.norm());
    }
}

TEST_CASE("Riemannian SGD fits a realizable squared-loss model; core SGD decreases the objective") {
    // target: an exact rank-2 train (linear model plus one interaction) on 8 real features
    const std::vector<Index> shape(8, 2);
    const auto truth = random_tt<double>(shape, {1, 2, 2, 2, 2, 2, 2, 2, 1}, 41);
    Data D = make_data(shape, 2000, 42, false);
    const Vec<double> yt = expm_predict(truth, D.samples(false));
    for (Index m = 0; m < D.M; ++m) D.y[m] = yt[m];
    const double var = yt.squaredNorm() / D.M;
    for (bool riem : {true, false}) {
        auto W = random_tt<double>(shape, {1, 2, 3, 3, 3, 3, 3, 2, 1}, 43);
        W.core(0).vec() *= 0.1;
        ExpMachineOptions o;
        o.loss = ExpMachineLoss::squared;
        o.riemannian = riem;
        o.batch_size = 100;
        o.armijo = 0.5;  // noise-free data: the interpolation regime, where long stochastic Armijo steps pay
        o.step_growth = 2;
        const double f0 = expm_objective(W, D.samples(false), D.y.data(), o);
        const auto res = expm_train(W, D.samples(false), D.y.data(), o, 30, 1.0);
        const double f1 = expm_objective(W, D.samples(false), D.y.data(), o);
        CHECK(res.loss_curve.size() == 30);
        CHECK(f1 < 2e-2 * f0);  // core SGD: a 50-fold decrease; Riemannian SGD: to round-off below
        if (riem) CHECK(2 * f1 <= 1e-8 * var);
        INFO("riemannian " << riem << " objective " << f0 << " -> " << f1 << " var " << var);
    }
}

TEST_CASE("bad input is refused") {
    const std::vector<Index> shape{2, 3};
    const auto W = random_tt<double>(shape, {1, 2, 1}, 51);
    Data D = make_data(shape, 5, 52, true);
    ExpMachineOptions o;
    CHECK_THROWS_AS(expm_predict(W, D.samples(false)), std::invalid_argument);  // mode of size 3 needs slots
    D.slot[1] = 3;
    CHECK_THROWS_AS(expm_predict(W, D.samples(true)), std::invalid_argument);
    D.slot[1] = 1;
    D.val[0] = std::nan("");
    CHECK_THROWS_AS(expm_predict(W, D.samples(true)), std::invalid_argument);
    D.val[0] = 0.5;
    D.y[2] = 0.5;  // not a +-1 label
    CHECK_THROWS_AS(expm_objective(W, D.samples(true), D.y.data(), o), std::invalid_argument);
    D.y[2] = 1;
    o.exp_reg = 0.5;
    CHECK_THROWS_AS(expm_objective(W, D.samples(true), D.y.data(), o), std::invalid_argument);
    o.exp_reg = 1;
    o.keep_prob = 0;
    TensorTrain<double> V = W;
    CHECK_THROWS_AS(expm_train(V, D.samples(true), D.y.data(), o, 1, 1.0), std::invalid_argument);
}
