// SPDX-License-Identifier: BSD-3-Clause
// ALS fitting of a train to samples (als.hpp).
#include "callback.hpp"
#include "common.hpp"

#include <tensortrain/als.hpp>

namespace ttpy {

namespace {
using IndexArray = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>;

template <class T>
void bind_type(py::module_& m) {
    using Values = py::array_t<T, py::array::c_style | py::array::forcecast>;
    m.def(
        (std::string("als_fit_") + type_suffix<T>()).c_str(),
        [](const IndexArray& idx, const Values& vals, const std::vector<Index>& shape, const std::vector<Index>& ranks,
           Index n_sweeps, double reg, double reg_decay, double tol, Index patience, Index init_rank,
           bool random_init, std::uint64_t seed, const TensorTrain<T>* x0, const IndexArray& vidx,
           const Values& vvals, const py::object& callback) {
            // Shapes are checked in Python; these guard the pointers handed to the engine.
            const Index d = (Index)shape.size();
            if (idx.ndim() != 2 || idx.shape(1) != d || vals.ndim() != 1 || vals.shape(0) != idx.shape(0) ||
                vidx.ndim() != 2 || vidx.shape(1) != d || vvals.ndim() != 1 || vvals.shape(0) != vidx.shape(0))
                throw std::invalid_argument("als_fit: indices must be (M, d) and values (M,)");
            tensortrain::AlsOptions o;
            o.n_sweeps = n_sweeps;
            o.reg = reg;
            o.reg_decay = reg_decay;
            o.tol = tol;
            o.patience = patience;
            o.init_rank = init_rank;
            o.random_init = random_init;
            o.seed = seed;
            o.callback = progress_callback<tensortrain::AlsProgress>(callback, [](py::dict& info, const auto& p) {
                info["sweep"] = p.sweep;
                info["max_rank"] = p.max_rank;
                info["train_error"] = p.train_error;
                info["val_error"] = p.val_error;
            });
            tensortrain::AlsResult<T> r;
            {
                ComputeScope scope;
                r = tensortrain::als_fit<T>(idx.data(), vals.data(), idx.shape(0), shape, ranks, o, x0, vidx.data(),
                                            vvals.data(), vidx.shape(0));
            }
            py::dict out;
            out["tt"] = std::move(r.tt);
            out["train_error"] = r.train_error;
            out["val_error"] = r.val_error;
            out["ranks"] = r.ranks;
            out["n_sweeps"] = r.n_sweeps;
            out["best_sweep"] = r.best_sweep;
            out["converged"] = r.converged;
            out["stop_reason"] = r.stop_reason;
            return out;
        },
        py::arg("indices"), py::arg("values"), py::arg("shape"), py::arg("ranks"), py::arg("n_sweeps"),
        py::arg("reg"), py::arg("reg_decay"), py::arg("tol"), py::arg("patience"), py::arg("init_rank"),
        py::arg("random_init"), py::arg("seed"), py::arg("x0").none(true), py::arg("val_indices"),
        py::arg("val_values"), py::arg("callback"));
}
}  // namespace

void bind_als(py::module_& m) {
    bind_type<float>(m);
    bind_type<double>(m);
}

}  // namespace ttpy
