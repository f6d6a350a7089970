// SPDX-License-Identifier: BSD-3-Clause
// Operators from local terms (MPOs), the DMRG eigensolver and the AMEn linear solver.
#include "callback.hpp"
#include "common.hpp"

#include <tensortrain/amen.hpp>
#include <tensortrain/dmrg.hpp>
#include <tensortrain/mpo.hpp>

namespace ttpy {

namespace {
template <class T>
tensortrain::Mat<T> matrix_arg(const py::handle& h) {
    auto a = py::cast<py::array_t<T, py::array::forcecast>>(h);
    if (a.ndim() != 2)
        throw std::invalid_argument(tensortrain::detail::cat("a local operator must be a 2-D array, got ", a.ndim(), "-D"));
    tensortrain::Mat<T> A(a.shape(0), a.shape(1));
    auto u = a.template unchecked<2>();
    for (Index j = 0; j < A.cols(); ++j)
        for (Index i = 0; i < A.rows(); ++i) A(i, j) = u(i, j);
    return A;
}

template <class T>
void bind_type(py::module_& m) {
    m.def(
        (std::string("mpo_from_terms_") + type_suffix<T>()).c_str(),
        [](const std::vector<Index>& dims, const py::list& terms, double rtol) {
            std::vector<tensortrain::OpTerm<T>> ts;
            for (auto t : terms) {
                auto tup = py::cast<py::tuple>(t);
                tensortrain::OpTerm<T> ot;
                ot.coef = py::cast<T>(tup[0]);
                for (auto op : py::cast<py::list>(tup[1])) {
                    auto p = py::cast<py::tuple>(op);
                    ot.ops.push_back({py::cast<Index>(p[0]), matrix_arg<T>(p[1])});
                }
                ts.push_back(std::move(ot));
            }
            ComputeScope scope;
            return tensortrain::mpo_from_terms<T>(dims, ts, rtol);
        },
        py::arg("dims"), py::arg("terms"), py::arg("rtol"));

    m.def(
        (std::string("eigsh_") + type_suffix<T>()).c_str(),
        [](const TTMatrix<T>& A, Index k, const std::vector<Index>& max_rank, const std::vector<double>& rtol,
           Index n_sweeps, double tol, Index krylov, Index init_rank, double penalty, std::uint64_t seed,
           const TensorTrain<T>* x0, const py::object& callback) {
            tensortrain::DmrgOptions o;
            o.k = k;
            o.max_rank = max_rank;
            o.rtol = rtol;
            o.n_sweeps = n_sweeps;
            o.tol = tol;
            o.krylov = krylov;
            o.init_rank = init_rank;
            o.penalty = penalty;
            o.seed = seed;
            o.callback = progress_callback<tensortrain::DmrgProgress>(callback, [](py::dict& info, const auto& p) {
                info["state"] = p.state;
                info["sweep"] = p.sweep;
                info["energy"] = p.energy;
                info["truncation_error"] = p.truncation;
                info["max_rank"] = p.max_rank;
            });
            tensortrain::DmrgResult<T> r;
            {
                ComputeScope scope;
                r = tensortrain::eigsh<T>(A, o, x0);
            }
            py::dict out;
            out["energy"] = r.energy;
            out["state"] = std::move(r.state);
            out["energies"] = r.energies;
            out["states"] = std::move(r.states);
            out["sweep_energies"] = r.sweep_energies;
            out["truncation_errors"] = r.truncation_errors;
            out["n_sweeps"] = r.n_sweeps;
            out["converged"] = r.converged;
            out["stop_reason"] = r.stop_reason;
            return out;
        },
        py::arg("A"), py::arg("k"), py::arg("max_rank"), py::arg("rtol"), py::arg("n_sweeps"), py::arg("tol"),
        py::arg("krylov"), py::arg("init_rank"), py::arg("penalty"), py::arg("seed"), py::arg("x0").none(true),
        py::arg("callback"));

    m.def(
        (std::string("solve_") + type_suffix<T>()).c_str(),
        [](const TTMatrix<T>& A, const TensorTrain<T>& b, double rtol, Index max_rank, Index n_sweeps,
           Index residual_rank, Index dense_limit, std::uint64_t seed, const TensorTrain<T>* x0,
           const py::object& callback) {
            tensortrain::AmenOptions o;
            o.rtol = rtol;
            o.max_rank = max_rank;
            o.n_sweeps = n_sweeps;
            o.residual_rank = residual_rank;
            o.dense_limit = dense_limit;
            o.seed = seed;
            o.callback = progress_callback<tensortrain::AmenProgress>(callback, [](py::dict& info, const auto& p) {
                info["sweep"] = p.sweep;
                info["residual"] = p.residual;
                info["max_rank"] = p.max_rank;
            });
            tensortrain::AmenResult<T> r;
            {
                ComputeScope scope;
                r = tensortrain::solve<T>(A, b, o, x0);
            }
            py::dict out;
            out["x"] = std::move(r.x);
            out["residuals"] = r.residuals;
            out["n_sweeps"] = r.n_sweeps;
            out["converged"] = r.converged;
            out["stop_reason"] = r.stop_reason;
            return out;
        },
        py::arg("A"), py::arg("b"), py::arg("rtol"), py::arg("max_rank"), py::arg("n_sweeps"),
        py::arg("residual_rank"), py::arg("dense_limit"), py::arg("seed"),
        py::arg("x0").none(true), py::arg("callback"));
}
}  // namespace

void bind_dmrg(py::module_& m) { bind_type<double>(m); }

}  // namespace ttpy
