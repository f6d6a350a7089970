"""Cross with an executor: throughput of 4 workers vs 1 on a function that sleeps 1 ms per point.

    PYTHONPATH=python python bench/executor_throughput.py [--points 10000] [--n 32] [--d 8]

Runs tensortrain.cross on an n^d grid (fixed budget, so every run evaluates the same points)
with a process pool of 1 and of 4 workers, and with a local Dask cluster (2 processes x
2 threads vs 1 x 1), and prints evaluations per second and the ratio. Each call of f (one per
cross step, hundreds to a few thousand points on the default grid) is cut into chunks over the
workers; Dask adds about 10 ms per call, so small grids (--n 12 --d 6) show less than 3x for
Dask. The sleeping function stands for an expensive simulation: the workers wait, they do not
compute, so 4 of them fit on this 2-core machine.
"""
import argparse
import concurrent.futures as cf
import time

import numpy as np

import tensortrain as tt


def slow(idx):
    time.sleep(1e-3 * len(idx))
    return 1.0 / (1.0 + idx.sum(axis=1))


def run(executor, budget, shape):
    t = time.perf_counter()
    res = tt.cross(slow, shape, rtol=1e-12, max_evals=budget, executor=executor, seed=1)
    return res.n_evals / (time.perf_counter() - t), res.n_evals


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--points", type=int, default=10000, help="evaluation budget of each run")
    p.add_argument("--n", type=int, default=32, help="mode size")
    p.add_argument("--d", type=int, default=8, help="number of modes")
    a = p.parse_args()
    shape = [a.n] * a.d
    rows = []
    for workers in (1, 4):
        with cf.ProcessPoolExecutor(workers) as ex:
            run(ex, 200, shape)  # start the workers
            rate, n = run(ex, a.points, shape)
        rows.append((f"process pool, {workers} worker(s)", rate, n))
    try:
        import distributed

        for nw, th in ((1, 1), (2, 2)):
            with distributed.LocalCluster(n_workers=nw, threads_per_worker=th, host="127.0.0.1",
                                          dashboard_address=None) as cl, distributed.Client(cl) as c:
                ex = c.get_executor()
                run(ex, 200, shape)
                rate, n = run(ex, a.points, shape)
            rows.append((f"dask local cluster, {nw} x {th} threads", rate, n))
    except ImportError:
        print("(distributed not installed: Dask rows skipped)")
    for name, rate, n in rows:
        print(f"{name:40s} {rate:8.0f} evals/s ({n} evaluations)")
    print(f"process pool 4 vs 1: {rows[1][1] / rows[0][1]:.2f}x")
    if len(rows) == 4:
        print(f"dask 4 vs 1:         {rows[3][1] / rows[2][1]:.2f}x")


if __name__ == "__main__":
    main()
