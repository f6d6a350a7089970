"""Build and run-time configuration; picks the fastest available LAPACK at import."""

from __future__ import annotations

import os

from . import _core

_LINALG_SOURCE = "Eigen (built-in kernels)"


def _register_scipy_lapack() -> str:
    """Hand scipy's LAPACK/BLAS (OpenBLAS in its wheels) to the engine, if scipy is present.

    scipy.linalg.cython_lapack and cython_blas publish their Fortran routines as PyCapsules;
    the engine keeps the function pointers. Set TENSORTRAIN_LINALG=eigen to keep Eigen's kernels.
    """
    if os.environ.get("TENSORTRAIN_LINALG", "").lower() == "eigen":
        return "Eigen (built-in kernels; TENSORTRAIN_LINALG=eigen)"
    try:
        import scipy
        from scipy.linalg import cython_blas, cython_lapack
    except Exception:  # scipy is optional
        return "Eigen (built-in kernels; install scipy for an optimized LAPACK)"
    provider = f"scipy {scipy.__version__} LAPACK/BLAS"
    try:
        deps = scipy.show_config(mode="dicts")["Build Dependencies"]
        lapack = deps.get("lapack", {})
        provider += f" ({lapack.get('name', '?')} {lapack.get('version', '')})".rstrip()
    except Exception:
        pass
    ok = _core._register_lapack(cython_lapack.__pyx_capi__, cython_blas.__pyx_capi__, provider)
    if not ok:
        return "Eigen (built-in kernels; scipy's LAPACK lacked a routine)"
    _register_blas_threads()
    return provider


def _register_blas_threads() -> None:
    """Let the engine keep scipy's OpenBLAS single-threaded during its own OpenMP loops.

    threadpoolctl (a dependency of the ``fast`` extra) finds the OpenBLAS that scipy loaded; we
    take its set/get-num-threads entry points. Without it the BLAS threads are left alone.
    """
    try:
        import ctypes

        from threadpoolctl import ThreadpoolController
    except Exception:
        return
    for lib in ThreadpoolController().lib_controllers:
        path = getattr(lib, "filepath", "") or ""
        if getattr(lib, "internal_api", "") != "openblas" or "scipy" not in os.path.basename(os.path.dirname(path)):
            continue
        try:
            dll = ctypes.CDLL(path)
        except OSError:
            continue
        for pre, suf in (("scipy_", ""), ("", ""), ("scipy_", "64_"), ("", "64_")):
            try:
                setf = getattr(dll, f"{pre}openblas_set_num_threads{suf}")
                getf = getattr(dll, f"{pre}openblas_get_num_threads{suf}")
            except AttributeError:
                continue
            addr = lambda f: ctypes.cast(f, ctypes.c_void_p).value  # noqa: E731
            _core._register_blas_threads(addr(setf), addr(getf))
            return


_MALLOC = "glibc defaults"


def _tune_malloc() -> str:
    """Keep freed buffers of up to 16 MiB in the process (glibc; see cpp/.../memory.hpp).

    Sweeps free and reallocate core-sized buffers at every step; with glibc's defaults each one
    comes back as fresh zero pages from the kernel (25% of the time of rounding). Up to 64 MiB of
    free heap stays mapped. TENSORTRAIN_MALLOC_TUNING=0 leaves the allocator alone.
    """
    if os.environ.get("TENSORTRAIN_MALLOC_TUNING", "1") == "0":
        return "glibc defaults (TENSORTRAIN_MALLOC_TUNING=0)"
    if _core._tune_malloc(16 << 20, 64 << 20):
        return "tuned: mmap threshold 16 MiB, trim threshold 64 MiB"
    return "not tunable here (not glibc)"


def _init() -> None:
    global _LINALG_SOURCE, _MALLOC
    _LINALG_SOURCE = _register_scipy_lapack()
    _MALLOC = _tune_malloc()


def config() -> dict:
    """The configuration as a dict: version, linear-algebra kernels, threads, build flags."""
    from ._loader import chosen

    d = dict(_core._config())
    d["linalg_source"] = _LINALG_SOURCE
    d["malloc"] = _MALLOC
    d["module"] = chosen()
    return d


def show_config() -> None:
    """Print which LAPACK/BLAS is in use, the OpenMP thread count and the build flags."""
    c = config()
    print("tensortrain", c["version"])
    print(f"  engine module  : tensortrain.{c['module']} ({c['eigen_simd']})")
    print(f"  linear algebra : {c['linalg']}")
    print(f"  OpenMP         : {'on' if c['openmp'] else 'off'}, {c['max_threads']} thread(s)")
    print(f"  BLAS threads   : {'1 inside engine calls (OpenMP parallelizes)' if c['blas_thread_control'] else 'left to the BLAS'}")
    print(f"  malloc         : {c['malloc']}")
    print(f"  Eigen          : {c['eigen_version']}")
    print(f"  build          : {c['build_flags']}")
    print(f"  dense guard    : to_full refuses results over {c['max_full_entries']:.3g} entries")


def set_num_threads(n: int) -> None:
    """Set the number of OpenMP threads used by the engine (BLAS threads are set by the BLAS)."""
    if not isinstance(n, (int,)) or n < 1:
        raise ValueError(f"the number of threads must be an integer >= 1, got {n!r}")
    _core.set_num_threads(int(n))


def get_num_threads() -> int:
    """Number of OpenMP threads the engine uses."""
    return int(_core.get_num_threads())
