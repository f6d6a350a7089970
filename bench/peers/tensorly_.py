"""tensorly peer (PyPI `tensorly`, numpy backend).

tensorly.decomposition.tensor_train takes ranks, not a tolerance: for a case given
only by rtol it receives the ranks the plain numpy TT-SVD found at that rtol
(ranks_hint, computed when the data were generated), for a capped case max_rank.
tensorly has no TT rounding, TT-matrix x TT, TT dot/norm or batch evaluation."""
import numpy as np
import tensorly as tl
from tensorly.decomposition import tensor_train

NAME = "tensorly"
tl.set_backend("numpy")


def version():
    return tl.__version__


def tt_svd(dense, rtol, max_rank, ranks_hint=None):
    a = np.ascontiguousarray(dense)
    if max_rank is not None:
        rank = int(max_rank)
    elif ranks_hint is not None:
        rank = list(ranks_hint)
    else:
        raise NotImplementedError("tensorly needs ranks")
    return (lambda: tensor_train(a, rank=rank)), \
        (lambda out: [np.asarray(g) for g in out.factors])
