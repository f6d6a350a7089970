// SPDX-License-Identifier: BSD-3-Clause
// The kernel registry and GEMM: each routine runs on an optimized BLAS/LAPACK when one was
// registered (function pointers taken from a linked LAPACK, or from scipy's cython_lapack
// capsules by the Python module) and on Eigen's own kernels otherwise.
#pragma once

#include "common.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>

namespace tensortrain {
namespace linalg {

// Fortran LAPACK/BLAS signatures (LP64 integers).
template <class T>
struct Kernels {
    using R = real_t<T>;
    using gemm_t = void (*)(const char*, const char*, const int*, const int*, const int*, const T*, const T*,
                            const int*, const T*, const int*, const T*, T*, const int*);
    // real: (jobz,m,n,a,lda,s,u,ldu,vt,ldvt,work,lwork,iwork,info)
    using gesdd_real_t = void (*)(const char*, const int*, const int*, T*, const int*, R*, T*, const int*, T*,
                                  const int*, T*, const int*, int*, int*);
    // complex: (jobz,m,n,a,lda,s,u,ldu,vt,ldvt,work,lwork,rwork,iwork,info)
    using gesdd_cplx_t = void (*)(const char*, const int*, const int*, T*, const int*, R*, T*, const int*, T*,
                                  const int*, T*, const int*, R*, int*, int*);
    using geqrf_t = void (*)(const int*, const int*, T*, const int*, T*, T*, const int*, int*);
    using orgqr_t = void (*)(const int*, const int*, const int*, T*, const int*, const T*, T*, const int*, int*);
    // (m,n,a,lda,t,ldt,info): recursive QR of a panel with its compact-WY triangular factor
    using geqrt3_t = void (*)(const int*, const int*, T*, const int*, T*, const int*, int*);

    gemm_t gemm = nullptr;
    void* gesdd = nullptr;  // gesdd_real_t or gesdd_cplx_t
    geqrf_t geqrf = nullptr;
    orgqr_t orgqr = nullptr;  // orgqr for real, ungqr for complex
    geqrt3_t geqrt3 = nullptr;  // optional: panels of our blocked QR (householder.hpp)
};

template <class T>
inline Kernels<T> kernels{};

// Name of the provider registered for the kernels ("Eigen" when none).
inline std::string& provider_name() {
    static std::string name = "Eigen (built-in kernels)";
    return name;
}

// Thread control of the registered BLAS (optional). The engine parallelizes with OpenMP at its
// own level and calls BLAS from inside those loops, so BLAS must not spawn threads of its own
// meanwhile: two pools on the same cores only wait for each other.
struct BlasThreadControl {
    void (*set)(int) = nullptr;
    int (*get)() = nullptr;
};
inline BlasThreadControl& blas_thread_control() {
    static BlasThreadControl c;
    return c;
}

// Sets the BLAS thread count for a scope and restores it afterwards (no-op without control).
class BlasThreadGuard {
  public:
    explicit BlasThreadGuard(int n) {
        auto& c = blas_thread_control();
        if (c.set && c.get) {
            const int cur = c.get();
            if (cur != n) {
                saved_ = cur;
                c.set(n);
            }
        }
    }
    ~BlasThreadGuard() {
        if (saved_ > 0) blas_thread_control().set(saved_);
    }
    BlasThreadGuard(const BlasThreadGuard&) = delete;
    BlasThreadGuard& operator=(const BlasThreadGuard&) = delete;

  private:
    int saved_ = -1;
};

// BLAS threads for sequential sweeps (rounding, orthogonalization), whose dense kernels are
// large enough to split but run outside any engine parallel loop. 0 means "as many as OpenMP".
// Default 1: measured faster than 2 for the 800 x 80 QR/SVD of W2 rounding (0.18 s vs 0.35 s).
inline std::atomic<int>& sweep_blas_threads() {
    static std::atomic<int> n{1};
    return n;
}

template <class T>
inline bool have_lapack() {
    return kernels<T>.gesdd != nullptr && kernels<T>.geqrf != nullptr && kernels<T>.orgqr != nullptr;
}

// Products smaller than this many multiply-adds stay in Eigen: a BLAS call costs more.
inline std::atomic<long long>& blas_gemm_threshold() {
    static std::atomic<long long> t{48LL * 48 * 48};
    return t;
}

namespace detail {
template <class T>
using StridedMap = Eigen::Map<Mat<T>, 0, Eigen::OuterStride<>>;
template <class T>
using ConstStridedMap = Eigen::Map<const Mat<T>, 0, Eigen::OuterStride<>>;

template <class T, class F>
void with_op(char op, const T* a, Index rows, Index cols, Index ld, F&& f) {
    ConstStridedMap<T> A(a, rows, cols, Eigen::OuterStride<>(ld));
    if (op == 'N') f(A);
    else if (op == 'T') f(A.transpose());
    else f(A.adjoint());
}
}  // namespace detail

// C = alpha * op(A) * op(B) + beta * C, column-major with leading dimensions, as BLAS gemm.
// op is 'N', 'T' or 'C'. op(A) is m x k, op(B) is k x n, C is m x n.
template <class T>
void gemm(char ta, char tb, Index m, Index n, Index k, T alpha, const T* A, Index lda, const T* B, Index ldb,
          T beta, T* C, Index ldc) {
    if (m == 0 || n == 0) return;
    if (kernels<T>.gemm && (long long)m * n * k >= blas_gemm_threshold().load() && m < INT32_MAX &&
        n < INT32_MAX && k < INT32_MAX) {
        int im = (int)m, in = (int)n, ik = (int)std::max<Index>(k, 1), ilda = (int)lda, ildb = (int)ldb,
            ildc = (int)ldc;
        kernels<T>.gemm(&ta, &tb, &im, &in, &ik, &alpha, A, &ilda, B, &ildb, &beta, C, &ildc);
        return;
    }
    detail::StridedMap<T> Cm(C, m, n, Eigen::OuterStride<>(ldc));
    if (k == 0) {
        if (beta == T(0)) Cm.setZero();
        else Cm *= beta;
        return;
    }
    const Index ar = ta == 'N' ? m : k, ac = ta == 'N' ? k : m;
    const Index br = tb == 'N' ? k : n, bc = tb == 'N' ? n : k;
    detail::with_op<T>(ta, A, ar, ac, lda, [&](const auto& opA) {
        detail::with_op<T>(tb, B, br, bc, ldb, [&](const auto& opB) {
            if (beta == T(0)) Cm.noalias() = alpha * (opA * opB);
            else {
                Cm *= beta;
                Cm.noalias() += alpha * (opA * opB);
            }
        });
    });
}

// gemm for small products in sequential code (environment sweeps of dot): the BLAS's
// small-matrix kernels beat Eigen there (dot of rank-20 trains: 32 vs 56 us), while inside
// parallel loops many tiny BLAS calls do not pay (hence the general threshold above).
template <class T>
void gemm_small(char ta, char tb, Index m, Index n, Index k, T alpha, const T* A, Index lda, const T* B, Index ldb,
                T beta, T* C, Index ldc) {
    if (kernels<T>.gemm && m > 0 && n > 0 && k > 0 && m < INT32_MAX && n < INT32_MAX && k < INT32_MAX) {
        int im = (int)m, in = (int)n, ik = (int)k, ilda = (int)lda, ildb = (int)ldb, ildc = (int)ldc;
        kernels<T>.gemm(&ta, &tb, &im, &in, &ik, &alpha, A, &ilda, B, &ildb, &beta, C, &ildc);
        return;
    }
    gemm<T>(ta, tb, m, n, k, alpha, A, lda, B, ldb, beta, C, ldc);
}

}  // namespace linalg
}  // namespace tensortrain

#ifdef TENSORTRAIN_HAVE_LAPACK
// C++ builds with TENSORTRAIN_BLAS=ON link a system LAPACK (find_package(LAPACK)); its Fortran
// routines are registered here at static initialization, so C++ users get the same fast path
// the Python module takes from scipy.
extern "C" {
void sgemm_(const char*, const char*, const int*, const int*, const int*, const float*, const float*, const int*,
            const float*, const int*, const float*, float*, const int*);
void dgemm_(const char*, const char*, const int*, const int*, const int*, const double*, const double*, const int*,
            const double*, const int*, const double*, double*, const int*);
void zgemm_(const char*, const char*, const int*, const int*, const int*, const std::complex<double>*,
            const std::complex<double>*, const int*, const std::complex<double>*, const int*,
            const std::complex<double>*, std::complex<double>*, const int*);
void sgesdd_(const char*, const int*, const int*, float*, const int*, float*, float*, const int*, float*, const int*,
             float*, const int*, int*, int*);
void dgesdd_(const char*, const int*, const int*, double*, const int*, double*, double*, const int*, double*,
             const int*, double*, const int*, int*, int*);
void zgesdd_(const char*, const int*, const int*, std::complex<double>*, const int*, double*, std::complex<double>*,
             const int*, std::complex<double>*, const int*, std::complex<double>*, const int*, double*, int*, int*);
void sgeqrf_(const int*, const int*, float*, const int*, float*, float*, const int*, int*);
void dgeqrf_(const int*, const int*, double*, const int*, double*, double*, const int*, int*);
void zgeqrf_(const int*, const int*, std::complex<double>*, const int*, std::complex<double>*,
             std::complex<double>*, const int*, int*);
void sorgqr_(const int*, const int*, const int*, float*, const int*, const float*, float*, const int*, int*);
void dorgqr_(const int*, const int*, const int*, double*, const int*, const double*, double*, const int*, int*);
void zungqr_(const int*, const int*, const int*, std::complex<double>*, const int*, const std::complex<double>*,
             std::complex<double>*, const int*, int*);
void sgeqrt3_(const int*, const int*, float*, const int*, float*, const int*, int*);
void dgeqrt3_(const int*, const int*, double*, const int*, double*, const int*, int*);
void zgeqrt3_(const int*, const int*, std::complex<double>*, const int*, std::complex<double>*, const int*, int*);
// OpenBLAS's thread control, when the linked library is OpenBLAS (weak: absent elsewhere).
void openblas_set_num_threads(int) __attribute__((weak));
int openblas_get_num_threads() __attribute__((weak));
}

namespace tensortrain {
namespace linalg {
inline bool use_linked_lapack() {
    kernels<float> = {&sgemm_, reinterpret_cast<void*>(&sgesdd_), &sgeqrf_, &sorgqr_, &sgeqrt3_};
    kernels<double> = {&dgemm_, reinterpret_cast<void*>(&dgesdd_), &dgeqrf_, &dorgqr_, &dgeqrt3_};
    kernels<std::complex<double>> = {&zgemm_, reinterpret_cast<void*>(&zgesdd_), &zgeqrf_, &zungqr_, &zgeqrt3_};
    provider_name() = "linked LAPACK/BLAS (TENSORTRAIN_BLAS)";
    if (&openblas_set_num_threads != nullptr && &openblas_get_num_threads != nullptr)
        blas_thread_control() = {&openblas_set_num_threads, &openblas_get_num_threads};
    return true;
}
namespace detail {
inline const bool linked_lapack_registered = use_linked_lapack();
}  // namespace detail
}  // namespace linalg
}  // namespace tensortrain
#endif
