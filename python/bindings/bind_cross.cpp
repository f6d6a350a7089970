// SPDX-License-Identifier: BSD-3-Clause
// maxvol, rectangular maxvol and TT-cross. The Python function is called back with the GIL held;
// the engine runs with it released. KeyboardInterrupt inside (or between) calls stops the run
// with stop_reason "interrupted".
#include "callback.hpp"
#include "common.hpp"

#include <tensortrain/cross.hpp>

namespace ttpy {

namespace {

template <class T>
py::tuple maxvol_result(tensortrain::MaxvolResult<T>&& r) {
    py::array_t<std::int64_t> rows((py::ssize_t)r.rows.size());
    for (std::size_t q = 0; q < r.rows.size(); ++q) rows.mutable_at((py::ssize_t)q) = r.rows[q];
    py::array_t<T> coef({(py::ssize_t)r.coef.rows(), (py::ssize_t)r.coef.cols()});
    auto c = coef.template mutable_unchecked<2>();
    for (Index j = 0; j < r.coef.cols(); ++j)
        for (Index i = 0; i < r.coef.rows(); ++i) c(i, j) = r.coef(i, j);
    return py::make_tuple(rows, coef, r.iters);
}

template <class T>
tensortrain::Mat<T> to_mat(const py::array_t<T, py::array::forcecast>& a) {
    if (a.ndim() != 2) throw std::invalid_argument(tensortrain::detail::cat("expected a 2-D array, got ", a.ndim(), "-D"));
    tensortrain::Mat<T> A(a.shape(0), a.shape(1));
    auto u = a.template unchecked<2>();
    for (Index j = 0; j < A.cols(); ++j)
        for (Index i = 0; i < A.rows(); ++i) A(i, j) = u(i, j);
    return A;
}

// Wraps a Python callable (M x d int64 array -> M values) as the engine's batch function.
template <class T>
tensortrain::BatchFunction<T> python_batch(const py::function& f, Index d) {
    return [f, d](const std::int64_t* idx, Index M, T* out) {
        py::gil_scoped_acquire gil;
        if (PyErr_CheckSignals() != 0) {
            if (PyErr_ExceptionMatches(PyExc_KeyboardInterrupt)) {
                PyErr_Clear();
                throw tensortrain::Interrupted();
            }
            throw py::error_already_set();
        }
        py::array_t<std::int64_t> arr({(py::ssize_t)M, (py::ssize_t)d});
        std::copy_n(idx, M * d, arr.mutable_data());
        py::object res;
        try {
            res = f(arr);
        } catch (py::error_already_set& e) {
            if (e.matches(PyExc_KeyboardInterrupt)) throw tensortrain::Interrupted();
            throw;
        }
        py::array_t<T, py::array::forcecast> v;
        try {
            v = py::array_t<T, py::array::forcecast>::ensure(res);
        } catch (...) {
        }
        if (!v || v.ndim() != 1 || v.shape(0) != (py::ssize_t)M) {
            std::string got = v ? tensortrain::detail::cat(v.ndim(), "-D array of shape (", v.ndim() ? v.shape(0) : 0,
                                                          v.ndim() > 1 ? ", ...)" : ")")
                                : std::string(py::str(py::type::of(res)));
            throw std::invalid_argument(tensortrain::detail::cat(
                "cross: f must return a 1-D array of ", M, " values for an (", M, ", ", d, ") index array; got ", got));
        }
        std::copy_n(v.data(), M, out);
    };
}

template <class T>
void bind_type(py::module_& m) {
    using Cache = tensortrain::CrossCache<T>;
    py::class_<Cache>(m, (std::string("CrossCache_") + type_suffix<T>()).c_str())
        .def(py::init([](const std::vector<Index>& shape) { return Cache(shape); }), py::arg("shape"))
        .def_property_readonly("shape", &Cache::shape)
        .def("__len__", &Cache::size)
        .def("items",
             [](const Cache& c) {
                 std::vector<std::int64_t> idx;
                 std::vector<T> vals;
                 c.items(idx, vals);
                 const py::ssize_t n = (py::ssize_t)vals.size(), d = (py::ssize_t)c.shape().size();
                 py::array_t<std::int64_t> I({n, d});
                 std::copy(idx.begin(), idx.end(), I.mutable_data());
                 py::array_t<T> V(n);
                 std::copy(vals.begin(), vals.end(), V.mutable_data());
                 return py::make_tuple(I, V);
             })
        .def("insert", [](Cache& c, const py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>& idx,
                          const py::array_t<T, py::array::forcecast>& vals) {
            const Index d = (Index)c.shape().size();
            if (idx.ndim() != 2 || idx.shape(1) != d || vals.ndim() != 1 || vals.shape(0) != idx.shape(0))
                throw std::invalid_argument(tensortrain::detail::cat(
                    "CrossCache.insert needs indices of shape (M, ", d, ") and M values"));
            for (py::ssize_t q = 0; q < idx.shape(0); ++q) {
                for (Index k = 0; k < d; ++k) {
                    const auto i = idx.at(q, k);
                    if (i < 0 || i >= c.shape()[(std::size_t)k])
                        throw std::out_of_range(tensortrain::detail::cat("index ", i, " is out of range for mode ", k,
                                                                         " of size ", c.shape()[(std::size_t)k]));
                }
                if (!std::isfinite((double)vals.at(q)))
                    throw std::invalid_argument("CrossCache.insert: values must be finite");
                c.insert(idx.data(q, 0), vals.at(q));
            }
        });

    m.def(
        (std::string("maxvol_") + type_suffix<T>()).c_str(),
        [](const py::array_t<T, py::array::forcecast>& a, double tol, Index max_iters) {
            auto A = to_mat<T>(a);
            tensortrain::MaxvolOptions o;
            o.tol = tol;
            o.max_iters = max_iters;
            TT_REQUIRE(max_iters >= 0, "maxvol: max_iters must be >= 0, got ", max_iters);
            py::gil_scoped_release nogil;
            auto r = tensortrain::maxvol(A, o);
            py::gil_scoped_acquire gil;
            return maxvol_result(std::move(r));
        },
        py::arg("a"), py::arg("tol"), py::arg("max_iters"));
    m.def(
        (std::string("rect_maxvol_") + type_suffix<T>()).c_str(),
        [](const py::array_t<T, py::array::forcecast>& a, Index K, double tol) {
            auto A = to_mat<T>(a);
            tensortrain::MaxvolOptions o;
            o.tol = tol;
            py::gil_scoped_release nogil;
            auto r = tensortrain::rect_maxvol(A, K, o);
            py::gil_scoped_acquire gil;
            return maxvol_result(std::move(r));
        },
        py::arg("a"), py::arg("K"), py::arg("tol"));

    m.def(
        (std::string("cross_") + type_suffix<T>()).c_str(),
        [](const py::function& f, const std::vector<Index>& shape, const std::string& method, double rtol,
           Index max_rank, Index n_sweeps, long long max_evals, Index kick, std::uint64_t seed, Index batch_size,
           Index n_test, const py::object& callback, Cache* cache) {
            tensortrain::CrossOptions o;
            o.method = method;
            o.rtol = rtol;
            o.max_rank = max_rank;
            o.n_sweeps = n_sweeps;
            o.max_evals = max_evals;
            o.kick = kick;
            o.seed = seed;
            o.batch_size = batch_size;
            o.n_test = n_test;
            o.callback = progress_callback<tensortrain::CrossProgress>(callback, [](py::dict& info, const auto& p) {
                info["sweep"] = p.sweep;
                info["change"] = p.change;
                info["error"] = p.error;
                info["test_error"] = p.test_error >= 0 ? py::cast(p.test_error) : py::none();
                info["n_evals"] = p.n_evals;
                info["max_rank"] = p.max_rank;
            });
            auto bf = python_batch<T>(f, (Index)shape.size());
            tensortrain::CrossResult<T> r;
            {
                py::gil_scoped_release nogil;
                tensortrain::linalg::BlasThreadGuard blas{1};
                r = tensortrain::cross<T>(bf, shape, o, cache);
            }
            py::dict out;
            out["tt"] = std::move(r.tt);
            out["stop_reason"] = r.stop_reason;
            out["converged"] = r.converged;
            out["n_evals"] = r.n_evals;
            out["n_requests"] = r.n_requests;
            out["n_cache_hits"] = r.n_cache_hits;
            out["n_sweeps"] = r.n_sweeps;
            out["change_history"] = r.change_history;
            out["error_history"] = r.error_history;
            out["test_error_history"] = r.test_error_history;
            return out;
        },
        py::arg("f"), py::arg("shape"), py::arg("method"), py::arg("rtol"), py::arg("max_rank"), py::arg("n_sweeps"),
        py::arg("max_evals"), py::arg("kick"), py::arg("seed"), py::arg("batch_size"), py::arg("n_test"),
        py::arg("callback"), py::arg("cache").none(true));
}
}  // namespace

void bind_cross(py::module_& m) {
    bind_type<float>(m);
    bind_type<double>(m);
}

}  // namespace ttpy
