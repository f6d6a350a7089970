// SPDX-License-Identifier: BSD-3-Clause
// Exponential machines (exp_machine.hpp): prediction, objective, gradients and SGD epochs.
#include "common.hpp"

#include <tensortrain/exp_machine.hpp>

namespace ttpy {

namespace {
using SlotArray = py::array_t<std::int32_t, py::array::c_style | py::array::forcecast>;

tensortrain::ExpMachineLoss parse_loss(const std::string& s) {
    if (s == "logistic") return tensortrain::ExpMachineLoss::logistic;
    if (s == "squared") return tensortrain::ExpMachineLoss::squared;
    throw std::invalid_argument("loss must be 'logistic' or 'squared', got '" + s + "'");
}

template <class T>
tensortrain::ExpMachineSamples<T> samples(const TensorTrain<T>& W,
                                          const py::array_t<T, py::array::c_style | py::array::forcecast>& val,
                                          const std::optional<SlotArray>& slot) {
    if (val.ndim() != 2 || val.shape(1) != W.ndim())
        throw std::invalid_argument(tensortrain::detail::cat("values must have shape (M, ", W.ndim(), ")"));
    if (slot && (slot->ndim() != 2 || slot->shape(0) != val.shape(0) || slot->shape(1) != val.shape(1)))
        throw std::invalid_argument("slots must have the shape of values");
    return {val.data(), slot ? slot->data() : nullptr, (Index)val.shape(0)};
}

tensortrain::ExpMachineOptions objective_options(const std::string& loss, double reg, double exp_reg) {
    tensortrain::ExpMachineOptions o;
    o.loss = parse_loss(loss);
    o.reg = reg;
    o.exp_reg = exp_reg;
    return o;
}

template <class T>
const T* targets(const py::array_t<T, py::array::c_style | py::array::forcecast>& y, Index M) {
    if (y.ndim() != 1 || y.shape(0) != M)
        throw std::invalid_argument(tensortrain::detail::cat("y must have shape (", M, ",)"));
    return y.data();
}

template <class T>
py::list core_arrays(const std::vector<Core<T>>& cores) {
    py::list out;
    for (const auto& G : cores) {
        py::array_t<T, py::array::f_style> a({(py::ssize_t)G.r0(), (py::ssize_t)G.n(), (py::ssize_t)G.r1()});
        std::copy(G.data(), G.data() + G.size(), a.mutable_data());
        out.append(std::move(a));
    }
    return out;
}

template <class T>
void bind_type(py::module_& m) {
    using Values = py::array_t<T, py::array::c_style | py::array::forcecast>;
    const std::string sfx = type_suffix<T>();

    m.def(("expm_predict_" + sfx).c_str(),
          [](const TensorTrain<T>& W, const Values& val, const std::optional<SlotArray>& slot) {
              auto X = samples(W, val, slot);
              tensortrain::Vec<T> f;
              {
                  ComputeScope scope;
                  f = tensortrain::expm_predict(W, X);
              }
              return vec_to_array(std::move(f));
          },
          py::arg("w"), py::arg("values"), py::arg("slots"));

    m.def(("expm_objective_" + sfx).c_str(),
          [](const TensorTrain<T>& W, const Values& val, const std::optional<SlotArray>& slot, const Values& y,
             const std::string& loss, double reg, double exp_reg) {
              auto X = samples(W, val, slot);
              const T* yp = targets(y, X.M);
              const auto o = objective_options(loss, reg, exp_reg);
              ComputeScope scope;
              return tensortrain::expm_objective(W, X, yp, o);
          },
          py::arg("w"), py::arg("values"), py::arg("slots"), py::arg("y"), py::arg("loss"), py::arg("reg"),
          py::arg("exp_reg"));

    m.def(("expm_gradient_" + sfx).c_str(),
          [](const TensorTrain<T>& W, const Values& val, const std::optional<SlotArray>& slot, const Values& y,
             const std::string& loss, double reg, double exp_reg, bool riemannian) {
              auto X = samples(W, val, slot);
              const T* yp = targets(y, X.M);
              const auto o = objective_options(loss, reg, exp_reg);
              std::vector<Core<T>> g;
              {
                  ComputeScope scope;
                  if (riemannian) g = tensortrain::expm_riemannian_gradient(tensortrain::TangentSpace<T>(W), X, yp, o).delta;
                  else g = tensortrain::expm_core_gradient(W, X, yp, o);
              }
              return core_arrays(g);
          },
          py::arg("w"), py::arg("values"), py::arg("slots"), py::arg("y"), py::arg("loss"), py::arg("reg"),
          py::arg("exp_reg"), py::arg("riemannian"));

    m.def(("expm_train_" + sfx).c_str(),
          [](const TensorTrain<T>& W0, const Values& val, const std::optional<SlotArray>& slot, const Values& y,
             const std::string& loss, bool riemannian, Index batch_size, Index n_epochs, double reg, double exp_reg,
             double keep_prob, double step, std::uint64_t seed, double armijo, double step_growth) {
              auto X = samples(W0, val, slot);
              const T* yp = targets(y, X.M);
              auto o = objective_options(loss, reg, exp_reg);
              o.riemannian = riemannian;
              o.batch_size = batch_size;
              o.keep_prob = keep_prob;
              o.seed = seed;
              o.armijo = armijo;
              o.step_growth = step_growth;
              TensorTrain<T> W = W0;
              tensortrain::ExpMachineEpochs r;
              {
                  ComputeScope scope;
                  r = tensortrain::expm_train(W, X, yp, o, n_epochs, step);
              }
              py::dict out;
              out["tt"] = std::move(W);
              out["loss_curve"] = r.loss_curve;
              out["step"] = r.step;
              out["n_steps"] = r.n_steps;
              out["n_skipped"] = r.n_skipped;
              return out;
          },
          py::arg("w"), py::arg("values"), py::arg("slots"), py::arg("y"), py::arg("loss"), py::arg("riemannian"),
          py::arg("batch_size"), py::arg("n_epochs"), py::arg("reg"), py::arg("exp_reg"), py::arg("keep_prob"),
          py::arg("step"), py::arg("seed"), py::arg("armijo"), py::arg("step_growth"));
}
}  // namespace

void bind_exp_machine(py::module_& m) {
    bind_type<float>(m);
    bind_type<double>(m);
}

}  // namespace ttpy
