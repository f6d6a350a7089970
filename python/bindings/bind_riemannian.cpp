// SPDX-License-Identifier: BSD-3-Clause
// The tangent space of the fixed-rank TT manifold (riemannian.hpp) and the Riemannian optimizers
// and completion (riemannian_opt.hpp).
#include "callback.hpp"
#include "common.hpp"

#include <tensortrain/riemannian_opt.hpp>

namespace ttpy {

namespace {
using IndexArray = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;

template <class T>
py::list delta_arrays(const tensortrain::TangentVector<T>& v) {
    py::list out;
    for (const auto& G : v.delta) {
        py::array_t<T, py::array::f_style> a({(py::ssize_t)G.r0(), (py::ssize_t)G.n(), (py::ssize_t)G.r1()});
        std::copy(G.data(), G.data() + G.size(), a.mutable_data());
        out.append(std::move(a));
    }
    return out;
}

void check_samples(const IndexArray& idx, Index d, Index M, const char* what) {
    if (idx.ndim() != 2 || idx.shape(1) != d || idx.shape(0) != M)
        throw std::invalid_argument(std::string(what) + ": indices must be (M, d) with M the number of values");
}

template <class T>
void bind_type(py::module_& m) {
    using TT = tensortrain::TensorTrain<T>;
    using Space = tensortrain::TangentSpace<T>;
    using TV = tensortrain::TangentVector<T>;
    using Values = py::array_t<T, py::array::c_style | py::array::forcecast>;
    const std::string sfx = type_suffix<T>();

    py::class_<TV>(m, ("TangentVector_" + sfx).c_str())
        .def_property_readonly("cores", [](const TV& v) { return delta_arrays(v); },
                               "The delta cores (copies), one (r_k, n_k, r_k+1) array per mode.")
        .def("inner", [](const TV& a, const TV& b) { return (double)tensortrain::inner(a, b); })
        .def("norm", [](const TV& a) { return (double)tensortrain::norm(a); })
        .def("lincomb", [](const TV& x, double a, const TV& y, double b) {
            return tensortrain::lincomb(T(a), x, T(b), y);
        });

    py::class_<Space>(m, ("TangentSpace_" + sfx).c_str())
        .def(py::init([](const TT& X) {
                 ComputeScope scope;
                 return Space(X);
             }),
             py::arg("x"))
        .def("point", [](const Space& S) { return S.point(); })
        .def("ranks", [](const Space& S) { return S.ranks(); })
        .def("project", [](const Space& S, const TT& Z) {
            ComputeScope scope;
            return tensortrain::project(S, Z);
        })
        .def("project_sum", [](const Space& S, const std::vector<const TT*>& Zs, const std::vector<double>& c) {
            std::vector<T> cs(c.begin(), c.end());
            ComputeScope scope;
            return tensortrain::project(S, Zs, cs);
        })
        .def("project_sparse", [](const Space& S, const IndexArray& idx, const Values& vals) {
            check_samples(idx, S.ndim(), vals.shape(0), "project");
            ComputeScope scope;
            const tensortrain::SampledFrames<T> F(S, idx.data(), idx.shape(0));
            return F.project(vals.data());
        })
        .def("tangent_values", [](const Space& S, const TV& v, const IndexArray& idx) {
            if (idx.ndim() != 2 || idx.shape(1) != S.ndim())
                throw std::invalid_argument("tangent_values: indices must be (M, d)");
            tensortrain::Vec<T> y;
            {
                ComputeScope scope;
                const tensortrain::SampledFrames<T> F(S, idx.data(), idx.shape(0));
                y = F.tangent_values(v);
            }
            return vec_to_array(std::move(y));
        })
        .def("to_tt", [](const Space& S, const TV& v) {
            ComputeScope scope;
            return tensortrain::to_tt(S, v);
        })
        .def("retract", [](const Space& S, const TV& v, double t) {
            ComputeScope scope;
            return tensortrain::retract(S, v, T(t));
        })
        .def("transport", [](const Space& to, const Space& from, const TV& v) {
            ComputeScope scope;
            return tensortrain::transport(to, from, v);
        });

    // Generic minimization: value(X) -> float and egrad(X) -> ("tt", TT) | ("sparse", idx, vals),
    // both Python callables taking the engine's train.
    m.def(
        ("riemannian_minimize_" + sfx).c_str(),
        [](const py::function& value, const py::function& egrad, const TT& x0, bool cg, Index max_iter, double gtol,
           double ftol, double armijo, Index max_backtracks, const py::object& callback) {
            tensortrain::RiemannianProblem<T> P;
            P.value = [value](const TT& X) {
                py::gil_scoped_acquire gil;
                return value(X).template cast<double>();
            };
            P.gradient = [value, egrad](const Space& S, TV& g) {
                TT X = S.point();
                py::gil_scoped_acquire gil;
                const double f = value(X).template cast<double>();
                py::tuple r = egrad(X);
                const std::string kind = r[0].cast<std::string>();
                if (kind == "tt") {
                    const TT& Z = r[1].cast<const TT&>();
                    py::gil_scoped_release nogil;
                    g = tensortrain::project(S, Z);
                } else {
                    const IndexArray idx = r[1].cast<IndexArray>();
                    const Values vals = r[2].cast<Values>();
                    check_samples(idx, S.ndim(), vals.shape(0), "gradient");
                    py::gil_scoped_release nogil;
                    const tensortrain::SampledFrames<T> F(S, idx.data(), idx.shape(0));
                    g = F.project(vals.data());
                }
                return f;
            };
            tensortrain::RiemannianOptions o;
            o.cg = cg;
            o.max_iter = max_iter;
            o.gtol = gtol;
            o.ftol = ftol;
            o.armijo = armijo;
            o.max_backtracks = max_backtracks;
            o.callback = progress_callback<tensortrain::RiemannianProgress>(callback, [](py::dict& info, const auto& p) {
                info["iter"] = p.iter;
                info["value"] = p.value;
                info["grad_norm"] = p.grad_norm;
                info["step"] = p.step;
            });
            tensortrain::RiemannianResult<T> r;
            {
                ComputeScope scope;
                r = tensortrain::riemannian_minimize<T>(P, x0, o);
            }
            py::dict out;
            out["tt"] = std::move(r.x);
            out["values"] = r.values;
            out["grad_norms"] = r.grad_norms;
            out["steps"] = r.steps;
            out["n_iter"] = r.n_iter;
            out["converged"] = r.converged;
            out["stop_reason"] = r.stop_reason;
            return out;
        },
        py::arg("value"), py::arg("egrad"), py::arg("x0"), py::arg("cg"), py::arg("max_iter"), py::arg("gtol"),
        py::arg("ftol"), py::arg("armijo"), py::arg("max_backtracks"), py::arg("callback"));

    m.def(
        ("complete_riemannian_" + sfx).c_str(),
        [](const IndexArray& idx, const Values& vals, const TT& x0, bool cg, Index max_iter, double tol, double armijo,
           Index max_backtracks, bool rank_adaptive, Index max_iter_stage, std::uint64_t seed, const IndexArray& tidx,
           const Values& tvals, const py::object& callback) {
            const Index d = x0.ndim();
            check_samples(idx, d, vals.shape(0), "complete");
            check_samples(tidx, d, tvals.shape(0), "complete (test samples)");
            tensortrain::CompletionOptions o;
            o.cg = cg;
            o.max_iter = max_iter;
            o.tol = tol;
            o.armijo = armijo;
            o.max_backtracks = max_backtracks;
            o.rank_adaptive = rank_adaptive;
            o.max_iter_stage = max_iter_stage;
            o.seed = seed;
            o.callback = progress_callback<tensortrain::RiemannianProgress>(callback, [](py::dict& info, const auto& p) {
                info["iter"] = p.iter;
                info["train_error"] = p.value;
                info["grad_norm"] = p.grad_norm;
                info["step"] = p.step;
                info["test_error"] = p.test_error;
            });
            tensortrain::CompletionResult<T> r;
            {
                ComputeScope scope;
                r = tensortrain::complete_riemannian<T>(idx.data(), vals.data(), idx.shape(0), x0, o, tidx.data(),
                                                         tvals.data(), tidx.shape(0));
            }
            py::dict out;
            out["tt"] = std::move(r.x);
            out["train_error"] = r.train_errors;
            out["test_error"] = r.test_errors;
            out["grad_norms"] = r.grad_norms;
            out["steps"] = r.steps;
            out["ranks"] = r.ranks;
            out["n_iter"] = r.n_iter;
            out["converged"] = r.converged;
            out["stop_reason"] = r.stop_reason;
            return out;
        },
        py::arg("indices"), py::arg("values"), py::arg("x0"), py::arg("cg"), py::arg("max_iter"), py::arg("tol"),
        py::arg("armijo"), py::arg("max_backtracks"), py::arg("rank_adaptive"), py::arg("max_iter_stage"),
        py::arg("seed"), py::arg("test_indices"), py::arg("test_values"), py::arg("callback"));
}
}  // namespace

void bind_riemannian(py::module_& m) {
    bind_type<float>(m);
    bind_type<double>(m);
}

}  // namespace ttpy
