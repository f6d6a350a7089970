"""Chooses the compiled engine module for this CPU.

The package ships ``_core`` (portable x86-64 / any architecture) and, on x86-64, ``_core_avx2``
(AVX2 + FMA kernels). The best one the CPU supports is bound to ``tensortrain._core``.
``TENSORTRAIN_ARCH=baseline`` forces the portable module.
"""

from __future__ import annotations

import importlib
import os
import sys

_CHOSEN = "_core"


def _cpu_has_avx2_fma() -> bool:
    try:
        from numpy._core._multiarray_umath import __cpu_features__ as feats
    except Exception:  # older numpy
        try:
            from numpy.core._multiarray_umath import __cpu_features__ as feats
        except Exception:
            feats = None
    if feats is not None:
        return bool(feats.get("AVX2")) and bool(feats.get("FMA3"))
    try:
        with open("/proc/cpuinfo") as f:
            flags = f.read()
        return " avx2" in flags and " fma" in flags
    except OSError:
        return False


def load_core() -> None:
    global _CHOSEN
    pkg = sys.modules[__package__]
    name = "_core"
    if os.environ.get("TENSORTRAIN_ARCH", "").lower() != "baseline" and _cpu_has_avx2_fma():
        try:
            importlib.import_module(f"{__package__}._core_avx2")
            name = "_core_avx2"
        except ImportError:
            pass
    mod = importlib.import_module(f"{__package__}.{name}")
    sys.modules[f"{__package__}._core"] = mod
    pkg._core = mod
    _CHOSEN = name


def chosen() -> str:
    """Name of the compiled module in use."""
    return _CHOSEN
