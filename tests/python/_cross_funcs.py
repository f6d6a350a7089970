"""Module-level functions for the cross tests (picklable for process pools and Dask)."""

import numpy as np


def inv_sum(idx):
    """1 / (1 + i1 + ... + id): a Hilbert-type tensor."""
    return 1.0 / (1.0 + idx.sum(axis=1))


def smooth(idx):
    """1 / (2 + mean of cos(i_k (k+1) / 3)): low rank, not separable."""
    k = np.arange(1, idx.shape[1] + 1)
    return 1.0 / (2.0 + np.cos(idx * k / 3.0).mean(axis=1))
