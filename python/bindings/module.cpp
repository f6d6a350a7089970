// SPDX-License-Identifier: BSD-3-Clause
// tensortrain._core: assembles the bindings, one bind_<concept> per file.
#include "common.hpp"

namespace ttpy {
void bind_als(py::module_& m);  // bind_als.cpp
void bind_fit(py::module_& m);  // bind_fit.cpp
void bind_riemannian(py::module_& m);  // bind_riemannian.cpp
void bind_exp_machine(py::module_& m);  // bind_exp_machine.cpp
}

#ifndef TENSORTRAIN_MODULE_NAME
#define TENSORTRAIN_MODULE_NAME _core
#endif

PYBIND11_MODULE(TENSORTRAIN_MODULE_NAME, m) {
    m.doc() = "tensortrain engine (C++/Eigen). Use the tensortrain package, not this module directly.";
    py::register_exception<tensortrain::SizeError>(m, "SizeError", PyExc_ValueError);
    py::register_exception<tensortrain::LinalgError>(m, "LinAlgError", PyExc_RuntimeError);
    py::register_exception<tensortrain::Error>(m, "TensorTrainError", PyExc_RuntimeError);
    ttpy::bind_config(m);
    ttpy::bind_tensor_train(m);
    ttpy::bind_tt_matrix(m);
    ttpy::bind_decompositions(m);
    ttpy::bind_arithmetic(m);
    ttpy::bind_cross(m);
    ttpy::bind_dmrg(m);
    ttpy::bind_als(m);
    ttpy::bind_fit(m);
    ttpy::bind_riemannian(m);
    ttpy::bind_exp_machine(m);
}
