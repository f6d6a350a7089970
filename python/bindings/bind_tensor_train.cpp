// SPDX-License-Identifier: BSD-3-Clause
// TensorTrain<T> objects: construction from numpy cores, core views, evaluation, dense output.
#include "common.hpp"

#include <tensortrain/arithmetic.hpp>
#include <tensortrain/evaluate.hpp>
#include <tensortrain/random.hpp>

namespace ttpy {

namespace {
template <class T>
void bind_tt_type(py::module_& m) {
    using TT = TensorTrain<T>;
    const std::string name = std::string("TensorTrain_") + type_suffix<T>();
    py::class_<TT>(m, name.c_str())
        .def(py::init([](const py::list& cores) {
                 std::vector<Core<T>> cs;
                 std::size_t k = 0;
                 for (auto c : cores)
                     cs.push_back(core_from_array<T>(py::cast<py::array_t<T, py::array::forcecast>>(c), 3, k++));
                 return TT(std::move(cs));
             }),
             py::arg("cores"))
        .def("cores",
             [](py::object self) {
                 const TT& tt = self.cast<const TT&>();
                 py::list out;
                 for (auto& c : tt.cores()) out.append(fortran_view<T>(c.data(), {c.r0(), c.n(), c.r1()}, self));
                 return out;
             })
        .def_property_readonly("shape", [](const TT& t) { return t.shape(); })
        .def_property_readonly("ranks", [](const TT& t) { return t.ranks(); })
        .def_property_readonly("ndim", [](const TT& t) { return t.ndim(); })
        .def_property_readonly("num_params", [](const TT& t) { return t.num_params(); })
        .def("all_finite", [](const TT& t) { return t.all_finite(); })
        .def("copy", [](const TT& t) { return TT(t); });

    m.def(
        "to_full",
        [](const TT& t) {
            tensortrain::Vec<T> v;
            {
                ComputeScope scope;
                v = tensortrain::to_full(t);
            }
            return vec_to_array<T>(std::move(v));
        },
        py::arg("tt"));
    m.def(
        "evaluate",
        [](const TT& t, const py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>& idx) {
            if (idx.ndim() != 2 || idx.shape(1) != t.ndim())
                throw std::invalid_argument(tensortrain::detail::cat(
                    "indices must be an (M, ", t.ndim(), ") integer array, got shape ",
                    tensortrain::detail::vec_str(std::vector<py::ssize_t>(idx.shape(), idx.shape() + idx.ndim()))));
            tensortrain::Vec<T> v;
            {
                ComputeScope scope;
                v = tensortrain::evaluate(t, idx.data(), idx.shape(0));
            }
            return vec_to_array<T>(std::move(v));
        },
        py::arg("tt"), py::arg("indices"));
    m.def(
        "contract",
        [](const TT& t, const std::vector<py::array_t<T, py::array::forcecast>>& w) {
            std::vector<tensortrain::Vec<T>> ws;
            for (auto& a : w) {
                if (a.ndim() != 1) throw std::invalid_argument("contract: weights must be 1-D arrays");
                ws.emplace_back(Eigen::Map<const tensortrain::Vec<T>, 0, Eigen::InnerStride<>>(
                    a.data(), a.shape(0), Eigen::InnerStride<>(a.strides(0) / (py::ssize_t)sizeof(T))));
            }
            ComputeScope scope;
            return tensortrain::contract(t, ws);
        },
        py::arg("tt"), py::arg("weights"));
    m.def(
        (std::string("random_tt_") + type_suffix<T>()).c_str(),
        [](const std::vector<Index>& shape, const std::vector<Index>& ranks, std::uint64_t seed) {
            return tensortrain::random_tt<T>(shape, ranks, seed);
        },
        py::arg("shape"), py::arg("ranks"), py::arg("seed"));
    m.def(
        "kron", [](const TT& a, const TT& b) { return tensortrain::kron(a, b); }, py::arg("x"), py::arg("y"));
    if constexpr (!tensortrain::is_complex_v<T>) {
        m.def(
            "cast_float32", [](const TT& a) { return a.template cast<float>(); }, py::arg("x"));
        m.def(
            "cast_float64", [](const TT& a) { return a.template cast<double>(); }, py::arg("x"));
    }
    m.def(
        "cast_complex128", [](const TT& a) { return a.template cast<std::complex<double>>(); }, py::arg("x"));
}
}  // namespace

void bind_tensor_train(py::module_& m) {
    bind_tt_type<float>(m);
    bind_tt_type<double>(m);
    bind_tt_type<std::complex<double>>(m);
    m.def("capped_ranks", &tensortrain::capped_ranks, py::arg("shape"), py::arg("max_rank"));
}

}  // namespace ttpy
