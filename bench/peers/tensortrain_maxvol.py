"""tensortrain's one-site cross with random rank kicks as a third W3 row ("tensortrain-maxvol"):
tensortrain.cross(..., method="maxvol"), everything else as in peers/tensortrain_.py. Ratios
in the table are against the default method ("amen", the row "tensortrain")."""
from peers.tensortrain_ import _cross, version  # noqa: F401

NAME = "tensortrain-maxvol"


def cross(f, shape, rtol, max_rank, seed=0):
    return _cross(f, shape, rtol, max_rank, seed, "maxvol")
