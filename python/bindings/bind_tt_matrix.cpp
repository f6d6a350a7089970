// SPDX-License-Identifier: BSD-3-Clause
// TTMatrix<T> objects: cores (r0, m, n, r1), dense conversion, transpose.
#include "common.hpp"

#include <tensortrain/arithmetic.hpp>

namespace ttpy {

namespace {
template <class T>
void bind_ttm_type(py::module_& m) {
    using TM = TTMatrix<T>;
    const std::string name = std::string("TTMatrix_") + type_suffix<T>();
    py::class_<TM>(m, name.c_str())
        .def(py::init([](const py::list& cores) {
                 std::vector<Core<T>> cs;
                 std::vector<Index> rows, cols;
                 std::size_t k = 0;
                 for (auto c : cores) {
                     auto a = py::cast<py::array_t<T, py::array::forcecast>>(c);
                     cs.push_back(core_from_array<T>(a, 4, k++));
                     rows.push_back(a.shape(1));
                     cols.push_back(a.shape(2));
                 }
                 return TM(TensorTrain<T>(std::move(cs)), rows, cols);
             }),
             py::arg("cores"))
        .def(py::init([](const TensorTrain<T>& tt, const std::vector<Index>& rows, const std::vector<Index>& cols) {
                 return TM(tt, rows, cols);
             }),
             py::arg("tt"), py::arg("row_dims"), py::arg("col_dims"))
        .def("cores",
             [](py::object self) {
                 const TM& a = self.cast<const TM&>();
                 py::list out;
                 for (Index k = 0; k < a.ndim(); ++k) {
                     const auto& c = a.tt().core(k);
                     out.append(
                         fortran_view<T>(c.data(), {c.r0(), a.row_dims()[k], a.col_dims()[k], c.r1()}, self));
                 }
                 return out;
             })
        .def_property_readonly("tt", [](const TM& a) { return a.tt(); })
        .def_property_readonly("row_dims", [](const TM& a) { return a.row_dims(); })
        .def_property_readonly("col_dims", [](const TM& a) { return a.col_dims(); })
        .def_property_readonly("ranks", [](const TM& a) { return a.ranks(); })
        .def_property_readonly("ndim", [](const TM& a) { return a.ndim(); });

    m.def(
        "to_dense",
        [](const TM& a) {
            tensortrain::Mat<T> M;
            {
                ComputeScope scope;
                M = tensortrain::to_dense(a);
            }
            // Column-major result exposed as a (rows, cols) array.
            auto* heap = new tensortrain::Mat<T>(std::move(M));
            py::capsule owner(heap, [](void* p) { delete reinterpret_cast<tensortrain::Mat<T>*>(p); });
            return fortran_view<T>(heap->data(), {heap->rows(), heap->cols()}, owner);
        },
        py::arg("a"));
    m.def(
        "transpose", [](const TM& a) { return tensortrain::transpose(a); }, py::arg("a"));
    m.def(
        "kron", [](const TM& a, const TM& b) { return tensortrain::kron(a, b); }, py::arg("a"), py::arg("b"));
}
}  // namespace

void bind_tt_matrix(py::module_& m) {
    bind_ttm_type<float>(m);
    bind_ttm_type<double>(m);
    bind_ttm_type<std::complex<double>>(m);
}

}  // namespace ttpy
