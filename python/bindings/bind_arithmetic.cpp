// SPDX-License-Identifier: BSD-3-Clause
// Arithmetic on trains and TT-matrices.
#include "common.hpp"

#include <tensortrain/arithmetic.hpp>

namespace ttpy {

namespace {
template <class T>
void bind_type(py::module_& m) {
    using TT = TensorTrain<T>;
    using TM = TTMatrix<T>;
    m.def(
        "add",
        [](const TT& x, const TT& y, T a, T b) {
            ComputeScope scope;
            return tensortrain::add(x, y, a, b);
        },
        py::arg("x"), py::arg("y"), py::arg("alpha"), py::arg("beta"));
    m.def(
        "scale", [](const TT& x, T a) { return tensortrain::scale(x, a); }, py::arg("x"), py::arg("alpha"));
    m.def(
        "hadamard",
        [](const TT& x, const TT& y) {
            ComputeScope scope;
            return tensortrain::hadamard(x, y);
        },
        py::arg("x"), py::arg("y"));
    m.def(
        "dot_scaled",
        [](const TT& x, const TT& y) {
            tensortrain::Scaled<T> s;
            {
                ComputeScope scope;
                s = tensortrain::dot_scaled(x, y);
            }
            return py::make_tuple(s.mantissa, s.exponent);
        },
        py::arg("x"), py::arg("y"));
    m.def(
        "norm",
        [](const TT& x) {
            ComputeScope scope;
            return (double)tensortrain::norm(x);
        },
        py::arg("x"));
    m.def(
        "log_norm",
        [](const TT& x) {
            ComputeScope scope;
            return tensortrain::log_norm(x);
        },
        py::arg("x"));
    m.def(
        "matvec",
        [](const TM& a, const TT& x) {
            ComputeScope scope;
            return tensortrain::matvec(a, x);
        },
        py::arg("a"), py::arg("x"));
    m.def(
        "matmul",
        [](const TM& a, const TM& b) {
            ComputeScope scope;
            return tensortrain::matmul(a, b);
        },
        py::arg("a"), py::arg("b"));
    m.def(
        "matvec_dense",
        [](const TM& a, const py::array_t<T, py::array::c_style | py::array::forcecast>& x) {
            tensortrain::Vec<T> y;
            {
                ComputeScope scope;
                y = tensortrain::matvec_dense(a, x.data(), (Index)x.size());
            }
            return vec_to_array<T>(std::move(y));
        },
        py::arg("a"), py::arg("x"));
}
}  // namespace

void bind_arithmetic(py::module_& m) {
    bind_type<float>(m);
    bind_type<double>(m);
    bind_type<std::complex<double>>(m);
}

}  // namespace ttpy
