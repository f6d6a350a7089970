// SPDX-License-Identifier: BSD-3-Clause
// Shared conversions between numpy arrays and engine objects. No algorithms here.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

// Only the headers every binding needs; each bind_<concept>.cpp includes its own concept, so
// editing one engine header recompiles only the bindings that use it.
#include <tensortrain/blas.hpp>
#include <tensortrain/parallel.hpp>
#include <tensortrain/tensor_train.hpp>
#include <tensortrain/tt_matrix.hpp>
#include <tensortrain/version.hpp>

#include <complex>
#include <cstdint>
#include <string>

namespace py = pybind11;

namespace ttpy {

using tensortrain::Core;
using tensortrain::Index;
using tensortrain::TensorTrain;
using tensortrain::TTMatrix;

template <class T>
const char* type_suffix() {
    if constexpr (std::is_same_v<T, float>) return "float32";
    else if constexpr (std::is_same_v<T, double>) return "float64";
    else return "complex128";
}

// Numpy view of a column-major buffer owned by `owner`.
template <class T>
py::array fortran_view(const T* data, std::vector<Index> shape, py::handle owner) {
    std::vector<py::ssize_t> sh(shape.begin(), shape.end()), st(shape.size());
    py::ssize_t s = sizeof(T);
    for (std::size_t k = 0; k < shape.size(); ++k) {
        st[k] = s;
        s *= (py::ssize_t)shape[k];
    }
    return py::array_t<T>(sh, st, data, owner);
}

// A core from any numpy array of ndim `ndim` (3 for trains, 4 for TT-matrices); copies into
// column-major storage. `k` is the core's position, for messages.
template <class T>
Core<T> core_from_array(const py::array_t<T, py::array::forcecast>& a, int ndim, std::size_t k) {
    if (a.ndim() != ndim)
        throw std::invalid_argument(tensortrain::detail::cat("core ", k, " must be a ", ndim, "-D array, got ",
                                                             a.ndim(), "-D"));
    for (int j = 0; j < ndim; ++j)
        if (a.shape(j) < 1)
            throw std::invalid_argument(tensortrain::detail::cat("core ", k, " has an empty dimension (size ",
                                                                 a.shape(j), " along axis ", j, ")"));
    const Index r0 = a.shape(0), r1 = a.shape(ndim - 1);
    Index n = 1;
    for (int j = 1; j < ndim - 1; ++j) n *= a.shape(j);
    Core<T> c(r0, n, r1);
    // Fortran order: walk the array with its strides.
    auto u = a.unchecked();
    T* out = c.data();
    if (ndim == 3) {
        for (Index b = 0; b < r1; ++b)
            for (Index i = 0; i < n; ++i)
                for (Index a0 = 0; a0 < r0; ++a0) *out++ = u(a0, i, b);
    } else {
        const Index m = a.shape(1), nn = a.shape(2);
        for (Index b = 0; b < r1; ++b)
            for (Index j = 0; j < nn; ++j)
                for (Index i = 0; i < m; ++i)
                    for (Index a0 = 0; a0 < r0; ++a0) *out++ = u(a0, i, j, b);
    }
    return c;
}

// Scope of one engine computation: the GIL is released and the BLAS runs single-threaded
// (the engine's own OpenMP loops provide the parallelism).
struct ComputeScope {
    py::gil_scoped_release nogil;
    tensortrain::linalg::BlasThreadGuard blas{1};
};

template <class T>
py::array vec_to_array(tensortrain::Vec<T>&& v) {
    auto* heap = new tensortrain::Vec<T>(std::move(v));
    py::capsule free_when_done(heap, [](void* p) { delete reinterpret_cast<tensortrain::Vec<T>*>(p); });
    return py::array_t<T>({(py::ssize_t)heap->size()}, {(py::ssize_t)sizeof(T)}, heap->data(), free_when_done);
}

void bind_config(py::module_& m);
void bind_tensor_train(py::module_& m);
void bind_tt_matrix(py::module_& m);
void bind_decompositions(py::module_& m);
void bind_arithmetic(py::module_& m);
void bind_cross(py::module_& m);
void bind_dmrg(py::module_& m);

}  // namespace ttpy
