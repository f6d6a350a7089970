// SPDX-License-Identifier: BSD-3-Clause
// Build/run-time configuration and registration of LAPACK/BLAS kernels from PyCapsules
// (scipy.linalg.cython_lapack / cython_blas publish theirs in __pyx_capi__).
#include "common.hpp"

#include <tensortrain/linalg.hpp>
#include <tensortrain/memory.hpp>

#ifndef TENSORTRAIN_BUILD_FLAGS
#define TENSORTRAIN_BUILD_FLAGS "unknown"
#endif

namespace ttpy {

namespace {
void* capsule_ptr(const py::dict& d, const char* name) {
    if (!d.contains(name)) return nullptr;
    py::object cap = d[name];
    if (!PyCapsule_CheckExact(cap.ptr())) return nullptr;
    void* p = PyCapsule_GetPointer(cap.ptr(), PyCapsule_GetName(cap.ptr()));
    if (!p) PyErr_Clear();
    return p;
}

template <class T>
bool register_type(const py::dict& lapack, const py::dict& blas, const char* pre, const char* orgqr) {
    using K = tensortrain::linalg::Kernels<T>;
    K k;
    k.gemm = reinterpret_cast<typename K::gemm_t>(capsule_ptr(blas, (std::string(pre) + "gemm").c_str()));
    k.gesdd = capsule_ptr(lapack, (std::string(pre) + "gesdd").c_str());
    k.geqrf = reinterpret_cast<typename K::geqrf_t>(capsule_ptr(lapack, (std::string(pre) + "geqrf").c_str()));
    k.orgqr = reinterpret_cast<typename K::orgqr_t>(capsule_ptr(lapack, (std::string(pre) + orgqr).c_str()));
    if (!k.gemm || !k.gesdd || !k.geqrf || !k.orgqr) return false;
    // optional (older scipy may lack it): the recursive panel QR of householder.hpp
    k.geqrt3 = reinterpret_cast<typename K::geqrt3_t>(capsule_ptr(lapack, (std::string(pre) + "geqrt3").c_str()));
    tensortrain::linalg::kernels<T> = k;
    return true;
}
}  // namespace

void bind_config(py::module_& m) {
    m.def(
        "_register_lapack",
        [](const py::dict& lapack, const py::dict& blas, const std::string& provider) {
            bool ok = register_type<float>(lapack, blas, "s", "orgqr") &&
                      register_type<double>(lapack, blas, "d", "orgqr") &&
                      register_type<std::complex<double>>(lapack, blas, "z", "ungqr");
            if (ok) tensortrain::linalg::provider_name() = provider;
            return ok;
        },
        py::arg("lapack"), py::arg("blas"), py::arg("provider"),
        "Register LAPACK/BLAS kernels given as dicts of PyCapsules (scipy's __pyx_capi__).");
    m.def(
        "_register_blas_threads",
        [](std::uintptr_t set, std::uintptr_t get) {
            auto& c = tensortrain::linalg::blas_thread_control();
            c.set = reinterpret_cast<void (*)(int)>(set);
            c.get = reinterpret_cast<int (*)()>(get);
        },
        py::arg("set_fn"), py::arg("get_fn"),
        "Register the BLAS's set/get-number-of-threads functions (addresses as integers).");
    m.def("_unregister_lapack", []() {
        tensortrain::linalg::blas_thread_control() = {};
        tensortrain::linalg::kernels<float> = {};
        tensortrain::linalg::kernels<double> = {};
        tensortrain::linalg::kernels<std::complex<double>> = {};
        tensortrain::linalg::provider_name() = "Eigen (built-in kernels)";
    });
    m.def("_config", []() {
        py::dict d;
        d["version"] = TENSORTRAIN_VERSION_STRING;
        d["linalg"] = tensortrain::linalg::provider_name();
        d["openmp"] = tensortrain::openmp_enabled();
        d["max_threads"] = tensortrain::max_threads();
        d["eigen_version"] = std::to_string(EIGEN_WORLD_VERSION) + "." + std::to_string(EIGEN_MAJOR_VERSION) + "." +
                             std::to_string(EIGEN_MINOR_VERSION);
        d["eigen_simd"] = std::string(Eigen::SimdInstructionSetsInUse());
        d["build_flags"] = std::string(TENSORTRAIN_BUILD_FLAGS);
        d["blas_thread_control"] = tensortrain::linalg::blas_thread_control().set != nullptr;
        d["blas_gemm_threshold"] = tensortrain::linalg::blas_gemm_threshold().load();
        d["max_full_entries"] = tensortrain::max_full_entries();
        return d;
    });
    m.def(
        "_tune_malloc", [](std::size_t mmap_threshold, std::size_t trim_threshold) {
            return tensortrain::tune_malloc(mmap_threshold, trim_threshold);
        },
        py::arg("mmap_threshold"), py::arg("trim_threshold"),
        "Raise glibc's mmap and trim thresholds (see memory.hpp); False where unsupported.");
    m.def("set_num_threads", &tensortrain::set_num_threads, py::arg("n"),
          "Set the number of OpenMP threads the engine uses.");
    m.def("get_num_threads", &tensortrain::max_threads, "Number of OpenMP threads the engine uses.");
    m.def(
        "_set_max_full_entries", [](double v) { tensortrain::max_full_entries() = v; }, py::arg("entries"));
    m.def(
        "_set_sweep_blas_threads", [](int n) { tensortrain::linalg::sweep_blas_threads() = n; }, py::arg("n"));
    m.def(
        "_set_blas_gemm_threshold", [](long long v) { tensortrain::linalg::blas_gemm_threshold() = v; },
        py::arg("flops"));
}

}  // namespace ttpy
