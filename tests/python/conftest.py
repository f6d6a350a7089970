import numpy as np
import pytest


def dense_from_cores(cores):
    """Ground truth: contract the cores with numpy, independently of the engine."""
    out = np.ones((1, 1))
    shape = []
    for c in cores:
        r0, n, r1 = c.shape
        out = (out.reshape(-1, r0) @ c.reshape(r0, n * r1)).reshape(-1, r1)
        shape.append(n)
    return out.reshape(shape)


def random_cores(shape, ranks, rng, dtype=np.float64):
    cores = []
    for k, n in enumerate(shape):
        c = rng.standard_normal((ranks[k], n, ranks[k + 1]))
        if np.dtype(dtype).kind == "c":
            c = c + 1j * rng.standard_normal(c.shape)
        cores.append(c.astype(dtype))
    return cores


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
