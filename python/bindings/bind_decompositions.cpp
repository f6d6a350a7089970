// SPDX-License-Identifier: BSD-3-Clause
// TT-SVD, rounding and orthogonalization.
#include "common.hpp"

#include <tensortrain/orthogonalize.hpp>
#include <tensortrain/round.hpp>
#include <tensortrain/tt_svd.hpp>

namespace ttpy {

namespace {
tensortrain::SvdOptions make_opts(double rtol, long long max_rank) {
    tensortrain::SvdOptions o;
    o.rtol = rtol;
    o.max_rank = max_rank;
    tensortrain::check_svd_options(o);
    return o;
}

template <class T>
void bind_type(py::module_& m) {
    m.def(
        (std::string("tt_svd_") + type_suffix<T>()).c_str(),
        [](const py::array_t<T, py::array::c_style | py::array::forcecast>& a, double rtol, long long max_rank) {
            const auto opts = make_opts(rtol, max_rank);
            std::vector<Index> shape(a.shape(), a.shape() + a.ndim());
            tensortrain::SvdResult<T> r;
            {
                ComputeScope scope;
                r = tensortrain::tt_svd<T>(a.data(), shape, opts);
            }
            return py::make_tuple(std::move(r.tt), r.truncation_error, r.norm);
        },
        py::arg("a"), py::arg("rtol"), py::arg("max_rank"));
    m.def(
        "round",
        [](const TensorTrain<T>& x, double rtol, long long max_rank) {
            const auto opts = make_opts(rtol, max_rank);
            tensortrain::RoundResult<T> r;
            {
                ComputeScope scope;
                r = tensortrain::round(x, opts);
            }
            return py::make_tuple(std::move(r.tt), r.truncation_error, r.norm);
        },
        py::arg("x"), py::arg("rtol"), py::arg("max_rank"));
    m.def(
        "orthogonalize",
        [](const TensorTrain<T>& x, Index center) {
            TT_REQUIRE(center >= 0 && center < x.ndim(), "orthogonalize: center must be in [0, ", x.ndim(),
                       "), got ", center);
            TensorTrain<T> y = x;
            ComputeScope scope;
            tensortrain::left_orthogonalize(y, center);
            tensortrain::right_orthogonalize(y, center);
            return y;
        },
        py::arg("x"), py::arg("center"));
}
}  // namespace

void bind_decompositions(py::module_& m) {
    bind_type<float>(m);
    bind_type<double>(m);
    bind_type<std::complex<double>>(m);
}

}  // namespace ttpy
