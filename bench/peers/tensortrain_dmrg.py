"""tensortrain's two-site DMRG-cross as a second W3 row ("tensortrain-dmrg"):
tensortrain.cross(..., method="dmrg"), everything else as in peers/tensortrain_.py. Ratios
in the table are against the default method ("amen", the row "tensortrain")."""
from peers.tensortrain_ import _cross, version  # noqa: F401

NAME = "tensortrain-dmrg"


def cross(f, shape, rtol, max_rank, seed=0):
    return _cross(f, shape, rtol, max_rank, seed, "dmrg")
