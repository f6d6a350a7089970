"""Counting wrapper for the W3 black-box functions (used by every peer's cross adapter).

`CountingFunction(f, shape)` is called by the library instead of f. It passes the indices on
to f unchanged and records every batch as a compact uint8/uint16 copy (one pass over the
index array, small next to evaluating f itself), so that after the run
    .total    = number of points passed to f (duplicates included),
    .unique() = number of distinct multi-indices among them (rows hashed by np.unique),
    .calls    = number of calls of f (batches).
`reset()` starts a new count; an adapter calls it at the start of every timed run, so the
counts after the measurement are those of the last run (every run of one seed is the same
computation). Plain numpy >= 1.17 (also runs in the ttpy environment).
"""
from __future__ import annotations

import numpy as np


class CountingFunction:
    def __init__(self, f, shape):
        self.f = f
        self.d = len(shape)
        nmax = max(int(v) for v in shape)
        self._dt = np.uint8 if nmax <= 256 else (np.uint16 if nmax <= 65536 else np.int64)
        self.reset()

    def reset(self):
        self.batches = []
        self.total = 0
        self.calls = 0

    def __call__(self, idx):
        a = np.asarray(idx)
        if a.ndim == 1:          # one multi-index
            a = a.reshape(1, -1)
        self.batches.append(a.astype(self._dt))   # a copy: the library may reuse its buffer
        self.total += a.shape[0]
        self.calls += 1
        return self.f(a)

    def unique(self) -> int:
        """Distinct rows over all batches. Each row is hashed to 128 bits (two independent
        multiply-add hashes mod 2^64 with random odd multipliers; a collision of two
        distinct rows has probability ~2^-114), then the hashes are counted by np.unique."""
        rows = [b.reshape(b.shape[0], -1) for b in self.batches if b.shape[0]]
        if not rows:
            return 0
        d = rows[0].shape[1]
        rng = np.random.default_rng(12345)
        mult = rng.integers(1, 2 ** 63, size=(2, d), dtype=np.int64).astype(np.uint64)
        mult |= np.uint64(1)
        hashes = np.empty((sum(r.shape[0] for r in rows), 2), dtype=np.uint64)
        at = 0
        for r in rows:
            h = np.zeros((r.shape[0], 2), dtype=np.uint64)
            for k in range(d):
                col = r[:, k].astype(np.uint64) + np.uint64(1)
                h[:, 0] = (h[:, 0] ^ (h[:, 0] >> np.uint64(29))) + col * mult[0, k]
                h[:, 1] = h[:, 1] * np.uint64(0x9E3779B97F4A7C15) + col * mult[1, k]
            hashes[at:at + r.shape[0]] = h
            at += r.shape[0]
        v = np.ascontiguousarray(hashes).view(np.dtype((np.void, 16))).ravel()
        return int(np.unique(v).size)

    def stats(self) -> dict:
        return {"unique": self.unique(), "total": int(self.total), "calls": int(self.calls)}
