"""Completion benchmarks (issue 5): Riemannian CG against our ALS and teneva.als on the same
samples, in one process, 2 threads for every library (threadpoolctl for numpy's BLAS).

    PYTHONPATH=python python bench/completion.py [--quick] [--cases 4:10:u01,...] [--tag completion]

Cases
- random TT, d = 10, n = 20, rank r = 4, 6, 8, cores uniform in [0, 1] (and Gaussian cores,
  tt.random's), |Omega| = os d n r^2 samples (the issue's os = 10), 2000 test samples: time
  until the relative test error is <= 1e-6 (RCG: from its per-iteration test error; ALS:
  per-half-sweep validation error; teneva.als: its e_vld stop on the same test set), and the RCG
  test error after 60 iterations.
- f(x) = exp(-||x||) on the uniform grid of [0, 1]^5, n = 20, 20000 samples: rank-adaptive RCG up
  to rank 7, ALS (rank growth from the constant) at rank 7, teneva.als at rank 7: test error and
  time.
- matrix completion 1000 x 1000, rank 40, oversampling 3 (|Omega| = 3 (2 n r - r^2)): RCG time to
  a relative error of 1e-10 on held-out entries.
Writes bench/results/<tag>.md and prints it.
"""
from __future__ import annotations

import argparse
import datetime
import os
import pathlib
import platform
import sys
import time

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent


def _args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    ap.add_argument("--cases", default="4:10:u01,6:10:u01,8:10:u01,4:10:gauss,4:40:gauss",
                    help="random-TT cases rank:oversampling:cores (|Omega| = os d n r^2; cores u01: uniform "
                         "in [0, 1], gauss: tt.random's Gaussian cores), comma-separated")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--tag", default="completion")
    ap.add_argument("--no-teneva", action="store_true")
    return ap.parse_args()


ARGS = _args()
os.environ.setdefault("OMP_NUM_THREADS", str(ARGS.threads))
import tensortrain as tt  # noqa: E402

tt.set_num_threads(ARGS.threads)
try:
    from threadpoolctl import threadpool_limits  # noqa: E402

    _limits = threadpool_limits(ARGS.threads)
except ImportError:  # pragma: no cover
    _limits = None
try:
    import teneva  # noqa: E402
except ImportError:
    teneva = None
if ARGS.no_teneva:
    teneva = None

TARGET = 1e-6


def samples(shape, M, rng):
    return np.stack([rng.integers(0, n, size=M) for n in shape], axis=1)


def rel(a, b):
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


def fmt_t(s):
    if s is None:
        return "not reached"
    return f"{s:.3g} s" if s >= 1 else f"{s * 1e3:.3g} ms"


def traced(run, key):
    """run(callback) with a callback that records (seconds since the start, info[key])."""
    t0 = time.perf_counter()
    trace = []

    def cb(info):
        trace.append((time.perf_counter() - t0, info[key]))
        return False

    return run(cb), trace


def rcg_trace(I, y, shape, r, It, yt, **kw):
    return traced(lambda cb: tt.complete(I, y, shape, r, "rcg", test=(It, yt), callback=cb, **kw), "test_error")


def als_trace(I, y, shape, r, It, yt, **kw):
    return traced(lambda cb: tt.als_fit(I, y, shape, r, validation=(It, yt), callback=cb, **kw), "val_error")


def first_below(trace, target):
    for t, e in trace:
        if e <= target:
            return t
    return None


def teneva_run(I, y, shape, r, It, yt, nswp, e_vld=None, seed=0):
    info = {}
    Y0 = teneva.rand(list(shape), r, a=0.0, b=1.0, seed=seed)
    t0 = time.perf_counter()
    Y = teneva.als(I, y, Y0, nswp=nswp, info=info, I_vld=It, y_vld=yt, e_vld=e_vld)
    t = time.perf_counter() - t0
    return rel(teneva.get_many(Y, It), yt), t, info.get("nswp")


def random_tt_cases(lines):
    lines += ["## Random TT completion (d = 10, n = 20, |Omega| = os d n r^2, 2000 test samples)", "",
              "| r | cores, os (samples) | library | time to test error 1e-6 | iterations / sweeps | final test error | ratio to RCG |",
              "|---|---|---|---|---|---|---|"]
    d, n = (6, 10) if ARGS.quick else (10, 20)
    for case in ARGS.cases.split(","):
        r, os_, kind = int(case.split(":")[0]), float(case.split(":")[1]), case.split(":")[2]
        rng = np.random.default_rng(r)
        shape = (n,) * d
        if kind == "u01":
            rk = [1] + [r] * (d - 1) + [1]
            X = tt.TensorTrain([rng.uniform(0, 1, size=(rk[k], n, rk[k + 1])) for k in range(d)])
        else:
            X = tt.random(shape, r, seed=100 + r)
        M = int(os_ * d * n * r * r)
        I, It = samples(shape, M, rng), samples(shape, 2000, rng)
        y, yt = X[I], X[It]
        res, trace = rcg_trace(I, y, shape, r, It, yt, max_iter=150, tol=1e-13)
        t_rcg = first_below(trace, TARGET)
        e60 = trace[min(59, len(trace) - 1)][1] if trace else float("nan")
        lines.append(f"| {r} | {kind}, {os_:g} ({M}) | tensortrain RCG | {fmt_t(t_rcg)} | {res.n_iter} | {res.test_error[-1]:.1e} "
                     f"(after 60 it.: {e60:.1e}) | 1.00 |")
        # our ALS from complete()'s default start (the samples' mean plus a 1% random part; for
        # zero-mean data a Gaussian train), the start RCG uses
        init = tt.riemannian._default_start(I, y, shape, [1] + [r] * (d - 1) + [1], 0, np.float64)
        ares, atr = als_trace(I, y, shape, r, It, yt, n_sweeps=20, init=init, tol=0.0, patience=20)
        t_als = first_below(atr, TARGET)
        ratio = (f"{t_als / t_rcg:.2f}" if (t_als and t_rcg) else "")
        lines.append(f"| | | tensortrain ALS (same start) | {fmt_t(t_als)} | {ares.n_sweeps} half-sweeps | "
                     f"{ares.val_error[-1]:.1e} | {ratio} |")
        if teneva is not None:
            e, t, nswp = teneva_run(I, y, shape, r, It, yt, nswp=20, e_vld=TARGET)
            ok = e <= TARGET
            ratio = f"{t / t_rcg:.2f}" if (ok and t_rcg) else ""
            lines.append(f"| | | teneva.als (init in [0, 1]) | {fmt_t(t if ok else None)} | {nswp} sweeps | {e:.1e} | {ratio} |")
        print("\n".join(lines[-3:]), flush=True)
    lines.append("")


def function_case(lines):
    d, n, rmax = 5, 20, 7
    M = 3000 if ARGS.quick else 20000
    g = np.linspace(0, 1, n)
    rng = np.random.default_rng(7)
    shape = (n,) * d
    I, It = samples(shape, M, rng), samples(shape, 5000, rng)
    f = lambda J: np.exp(-np.sqrt(np.sum(g[J] ** 2, axis=1)))  # noqa: E731
    y, yt = f(I), f(It)
    lines += [f"## exp(-||x||) on [0, 1]^5, n = 20, {M} samples, 5000 test samples", "",
              "| library | settings | time | test error | max rank |", "|---|---|---|---|---|"]
    t0 = time.perf_counter()
    r = tt.complete(I, y, shape, rmax, "rcg", rank_adaptive=True, test=(It, yt), max_iter_stage=150)
    t = time.perf_counter() - t0
    lines.append(f"| tensortrain RCG | rank-adaptive 1..{rmax}, 150 it. per rank | {fmt_t(t)} | "
                 f"{rel(r.tt[It], yt):.1e} | {r.tt.max_rank} |")
    t0 = time.perf_counter()
    a = tt.als_fit(I, y, shape, rmax, n_sweeps=20, validation=(It, yt))
    t = time.perf_counter() - t0
    lines.append(f"| tensortrain ALS | rank {rmax}, constant start + rank growth, validation stop | {fmt_t(t)} | "
                 f"{rel(a.tt[It], yt):.1e} | {a.tt.max_rank} |")
    if teneva is not None:
        e, t, nswp = teneva_run(I, y, shape, rmax, It, yt, nswp=20)
        lines.append(f"| teneva.als | rank {rmax}, 20 sweeps | {fmt_t(t)} | {e:.1e} | {rmax} |")
    lines.append("")
    print("\n".join(lines[-6:]), flush=True)


def matrix_case(lines):
    m, r = (300, 10) if ARGS.quick else (1000, 40)
    rng = np.random.default_rng(11)
    A = rng.standard_normal((m, r)) @ rng.standard_normal((r, m))
    M = 3 * (2 * m * r - r * r)
    flat = rng.choice(m * m, size=M + 5000, replace=False)
    J = np.stack(np.unravel_index(flat, (m, m)), axis=1)
    I, It = J[:M], J[M:]
    y, yt = A[tuple(I.T)], A[tuple(It.T)]
    res, trace = rcg_trace(I, y, (m, m), r, It, yt, max_iter=1000, tol=1e-13)
    t10 = first_below(trace, 1e-10)
    lines += [f"## Matrix completion {m} x {m}, rank {r}, oversampling 3 ({M} samples)", "",
              "| library | time to held-out error 1e-10 | iterations | final held-out error | stop |",
              "|---|---|---|---|---|",
              f"| tensortrain RCG | {fmt_t(t10)} | {res.n_iter} | {res.test_error[-1]:.1e} | {res.stop_reason} |", ""]
    print("\n".join(lines[-5:]), flush=True)


def main():
    stamp = datetime.datetime.now().strftime("%Y-%m-%d %H:%M")
    lines = [f"Completion, {stamp}, {platform.processor() or platform.machine()} ({os.cpu_count()} logical CPUs), "
             f"{ARGS.threads} threads; tensortrain {tt.__version__}"
             + (f", teneva {teneva.__version__}" if teneva is not None else ", teneva not installed")
             + ". One run per entry (seeded data).", ""]
    random_tt_cases(lines)
    function_case(lines)
    matrix_case(lines)
    out = HERE / "results" / f"{ARGS.tag}.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    print(f"\nwritten {out}")


if __name__ == "__main__":
    main()
