"""Exponential machines (issue 6) on the seed's synthetic problem, beside scikit-learn's
LogisticRegression and RandomForestClassifier on the same data, in one process.

    PYTHONPATH=python python bench/exp_machines.py [--quick] [--runs 4:30,8:60,30:600] [--starts 3,3,1] [--order 6] [--tag exp_machines]

Data: ``tensortrain.datasets.make_interactions`` with 30 features uniform in {-1, +1}, 20
interactions of ``--order`` (the seed: 6) features with weights uniform in (-1, 1), label = sign;
``--n`` training and ``--n`` test objects (the seed: 100k each).

For each ``rank:budget`` run (``--starts`` start seeds each, same data), the model starts at ``exp_machine.random_start`` (what the
estimators start from) and is trained epoch by epoch (``exp_machine.train_epochs`` with the
estimators' defaults: Riemannian SGD, batch 1024, mini-batch Armijo line search, retraction) until the training time (test
evaluation excluded) passes the budget; the table gives the test AUC at the end, the best test
AUC, and the time at which the AUC targets (0.69, 0.75, 0.91) were first reached. The same budget
is run with plain SGD on the cores at rank 8 (``--sgd-rank``): training objective reached per
second. Inference: median time of ``predict`` on the test set at rank 8.
Writes bench/results/<tag>.md and prints it.
"""
from __future__ import annotations

import argparse
import datetime
import os
import pathlib
import platform
import time

import numpy as np

HERE = pathlib.Path(__file__).resolve().parent


def _args():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small sizes (a smoke run)")
    ap.add_argument("--runs", default="4:30,8:60,30:600", help="rank:budget_seconds, comma-separated")
    ap.add_argument("--order", type=int, default=6)
    ap.add_argument("--n", type=int, default=100_000, help="training objects (and as many test objects)")
    ap.add_argument("--batch-size", type=int, default=1024, help="the estimators' batch_size='auto' at 100k samples")
    ap.add_argument("--sgd-rank", type=int, default=8)
    ap.add_argument("--dropout", type=float, default=1.0, help="keep probability of a feature (the estimators' dropout)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0, help="data seed, and the first start seed")
    ap.add_argument("--starts", default="3,3,1", help="start seeds per --runs entry (rank 4, 8, 30): the spread is large")
    ap.add_argument("--tag", default="exp_machines")
    return ap.parse_args()


ARGS = _args()
os.environ.setdefault("OMP_NUM_THREADS", str(ARGS.threads))
import tensortrain as tt  # noqa: E402
from tensortrain import exp_machine as em  # noqa: E402
from tensortrain.datasets import make_interactions  # noqa: E402
from sklearn.ensemble import RandomForestClassifier  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402

tt.set_num_threads(ARGS.threads)
TARGETS = (0.69, 0.75, 0.91)


def train(W, X, y, Xt, yt, budget, solver, batch_size, seed):
    """Epochs until the training time passes the budget; (history, W)."""
    step, t_train, hist = 1.0, 0.0, []
    rng = np.random.default_rng(seed)
    while t_train < budget:
        t0 = time.perf_counter()
        W, curve, step = em.train_epochs(W, X, y, solver=solver, batch_size=batch_size, n_epochs=1, step=step,
                                         keep_prob=ARGS.dropout,
                                         seed=int(rng.integers(2**31)))
        t_train += time.perf_counter() - t0
        auc = roc_auc_score(yt, em.predict(W, Xt))
        hist.append((t_train, curve[-1], auc))
        print(f"  {solver} r={max(W.ranks)} t={t_train:6.1f}s objective={curve[-1]:.4f} auc={auc:.4f}", flush=True)
    return hist, W


def main():
    n = 5000 if ARGS.quick else ARGS.n
    runs = [tuple(float(v) for v in r.split(":")) for r in ARGS.runs.split(",")]
    if ARGS.quick:
        runs = [(4, 5.0)]
    X, y = make_interactions(2 * n, n_features=30, n_interactions=20, order=ARGS.order, random_state=ARGS.seed)
    X, Xt, y, yt = X[:n], X[n:], y[:n], y[n:]
    rows = []

    t0 = time.perf_counter()
    lr = LogisticRegression(max_iter=1000).fit(X, y)
    t_lr = time.perf_counter() - t0
    t0 = time.perf_counter()
    auc_lr = roc_auc_score(yt, lr.decision_function(Xt))
    rows.append(("LogisticRegression", auc_lr, t_lr, time.perf_counter() - t0, "", ""))
    print(rows[-1], flush=True)

    t0 = time.perf_counter()
    rf = RandomForestClassifier(n_estimators=100, n_jobs=ARGS.threads, random_state=ARGS.seed).fit(X, y)
    t_rf = time.perf_counter() - t0
    t0 = time.perf_counter()
    auc_rf = roc_auc_score(yt, rf.predict_proba(Xt)[:, 1])
    rows.append(("RandomForest (100 trees)", auc_rf, t_rf, time.perf_counter() - t0, "", ""))
    print(rows[-1], flush=True)

    ypm = np.where(y > 0, 1.0, -1.0)
    sgd_note = ""
    starts = [int(v) for v in ARGS.starts.split(",")]
    for i, (rank, budget) in enumerate(runs):
        rank = int(rank)
        first = None  # (history, start) of the first start seed: the core-SGD comparison runs from it
        for s in range(starts[min(i, len(starts) - 1)] if not ARGS.quick else 1):
            # the estimator's start (init="random"; "linear" is the same here: no linear signal)
            W0 = em.random_start((2,) * X.shape[1], rank, seed=ARGS.seed + s)
            hist, W = train(W0, X, ypm, Xt, yt, budget, "riemannian-sgd", ARGS.batch_size, ARGS.seed + s)
            reached = []
            for target in TARGETS:
                hit = next((h[0] for h in hist if h[2] >= target), None)
                reached.append(f"{target}: {hit:.1f} s" if hit is not None else f"{target}: -")
            ts = []
            for _ in range(5):
                t0 = time.perf_counter()
                em.predict(W, Xt)
                ts.append(time.perf_counter() - t0)
            best = max(h[2] for h in hist)
            rows.append((f"ExM rank {rank}, Riemannian SGD, start {ARGS.seed + s}", hist[-1][2], hist[-1][0],
                         float(np.median(ts)), f"best {best:.4f}, objective {hist[-1][1]:.4f}", "; ".join(reached)))
            print(rows[-1], flush=True)
            first = first or (hist, W0)
        hist, W0 = first
        if rank == ARGS.sgd_rank:
            hs, _ = train(W0, X, ypm, Xt, yt, budget, "sgd", ARGS.batch_size, ARGS.seed)
            rows.append((f"ExM rank {rank}, SGD on the cores, start {ARGS.seed}", hs[-1][2], hs[-1][0], float("nan"),
                         f"best {max(h[2] for h in hs):.4f}, objective {hs[-1][1]:.4f}", ""))
            # objective reached per second: the first time each solver's objective went below a level
            lvl = max(min(h[1] for h in hist), min(h[1] for h in hs))
            tr = next(h[0] for h in hist if h[1] <= lvl)
            tc = next(h[0] for h in hs if h[1] <= lvl)
            sgd_note = (f"Training objective {lvl:.4f} at rank {rank}: Riemannian SGD after {tr:.1f} s, "
                        f"core SGD after {tc:.1f} s (ratio {tc / tr:.2f}).")
            print(sgd_note, flush=True)

    lines = [
        f"### Exponential machines (`exp_machines.py --tag {ARGS.tag}`), "
        f"{datetime.datetime.now():%Y-%m-%d %H:%M}",
        "",
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, {ARGS.threads} threads; "
        f"make_interactions: 30 features, 20 interactions of order {ARGS.order}, {n} train / {n} test objects, "
        f"batch size {ARGS.batch_size}, dropout (keep probability) {ARGS.dropout}.",
        "",
        "| method | test AUC | train time (s) | inference on the test set (s) | notes | AUC targets first reached |",
        "|---|---|---|---|---|---|",
    ]
    for name, auc, tr, ti, note, reached in rows:
        lines.append(f"| {name} | {auc:.4f} | {tr:.1f} | {ti:.3f} | {note} | {reached} |")
    if sgd_note:
        lines += ["", sgd_note]
    text = "\n".join(lines) + "\n"
    out = HERE / "results" / f"{ARGS.tag}.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
