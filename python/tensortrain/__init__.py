"""tensortrain: tensor-train (TT) decompositions with a C++/Eigen engine.

The TT format stores a d-way array ``A[i1, ..., id]`` as a product of small matrices
``G1[:, i1, :] @ G2[:, i2, :] @ ... @ Gd[:, id, :]``. Start with :func:`tt_svd` (dense to TT),
:func:`round` (recompress), the :class:`TensorTrain` and :class:`TTMatrix` classes and their
operators, and :func:`show_config`.
"""

from ._loader import load_core as _load_core

_load_core()  # binds tensortrain._core to the best compiled variant for this CPU

from . import _config  # noqa: E402
from ._config import config, get_num_threads, set_num_threads, show_config
from ._core import LinAlgError, SizeError, TensorTrainError
from .completion import FitResult, als_fit
from .cross import (
    ChebyshevTT,
    CrossCache,
    CrossResult,
    apply,
    cross,
    cross_function,
    grid,
    integrate,
    maxvol,
    rect_maxvol,
)
from .io import FormatError, load, save
from .optima import argmax, argmin, top_k
from .sweeps import EigshResult, SolveResult, eigsh, mpo_from_terms, solve
from .tt import (
    TensorTrain,
    TruncationInfo,
    TTMatrix,
    dot,
    eye,
    hadamard,
    kron,
    linear_combination,
    log_norm,
    matvec,
    norm,
    ones,
    orthogonalize,
    random,
    random_matrix,
    rank_one,
    round,
    tt_svd,
    zeros,
)

from . import datasets, models, qtt, riemannian  # noqa: E402  (need the classes above)
from .riemannian import CompletionResult, TangentSpace, TangentVector, complete  # noqa: E402

_config._init()

__version__ = "0.1.0"

__all__ = [
    "cross",
    "cross_function",
    "CrossResult",
    "CrossCache",
    "maxvol",
    "rect_maxvol",
    "grid",
    "ChebyshevTT",
    "integrate",
    "apply",
    "top_k",
    "argmax",
    "argmin",
    "als_fit",
    "FitResult",
    "complete",
    "CompletionResult",
    "TangentSpace",
    "TangentVector",
    "riemannian",
    "linear_combination",
    "mpo_from_terms",
    "eigsh",
    "EigshResult",
    "solve",
    "SolveResult",
    "datasets",
    "models",
    "qtt",
    "TensorTrain",
    "TTMatrix",
    "TruncationInfo",
    "tt_svd",
    "round",
    "dot",
    "norm",
    "log_norm",
    "hadamard",
    "matvec",
    "kron",
    "orthogonalize",
    "random",
    "random_matrix",
    "zeros",
    "ones",
    "eye",
    "rank_one",
    "save",
    "load",
    "config",
    "show_config",
    "set_num_threads",
    "get_num_threads",
    "FormatError",
    "SizeError",
    "LinAlgError",
    "TensorTrainError",
]
