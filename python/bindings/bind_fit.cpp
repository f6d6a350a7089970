// SPDX-License-Identifier: BSD-3-Clause
// Products and sums fitted by sweeps (fit.hpp).
#include "common.hpp"

#include <tensortrain/fit.hpp>

namespace ttpy {

namespace {
template <class T>
void bind_type(py::module_& m) {
    m.def(
        (std::string("fit_sum_") + type_suffix<T>()).c_str(),
        [](const py::list& terms, double rtol, Index max_rank, Index n_sweeps, double tol, Index init_rank,
           std::uint64_t seed, const TensorTrain<T>* y0) {
            // the terms reference the Python objects, which the list keeps alive during the call
            std::vector<tensortrain::FitTerm<T>> ts;
            for (auto item : terms) {
                auto tup = py::cast<py::tuple>(item);
                tensortrain::FitTerm<T> t;
                t.coef = py::cast<T>(tup[0]);
                t.A = tup[1].is_none() ? nullptr : py::cast<const TTMatrix<T>*>(tup[1]);
                t.x = py::cast<const TensorTrain<T>*>(tup[2]);
                ts.push_back(t);
            }
            tensortrain::FitOptions o;
            o.rtol = rtol;
            o.max_rank = max_rank;
            o.n_sweeps = n_sweeps;
            o.tol = tol;
            o.init_rank = init_rank;
            o.seed = seed;
            tensortrain::FitResult<T> r;
            {
                ComputeScope scope;
                r = tensortrain::fit_sum<T>(ts, o, y0);
            }
            py::dict out;
            out["y"] = std::move(r.y);
            out["changes"] = r.changes;
            out["n_sweeps"] = r.n_sweeps;
            out["converged"] = r.converged;
            out["stop_reason"] = r.stop_reason;
            return out;
        },
        py::arg("terms"), py::arg("rtol"), py::arg("max_rank"), py::arg("n_sweeps"), py::arg("tol"),
        py::arg("init_rank"), py::arg("seed"), py::arg("y0").none(true));
}
}  // namespace

void bind_fit(py::module_& m) {
    bind_type<float>(m);
    bind_type<double>(m);
    bind_type<std::complex<double>>(m);
}

}  // namespace ttpy
