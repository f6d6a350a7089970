"""Run one peer on one workload and write its timings and outputs.

    python bench/peer_worker.py <peer> <workload> --out DIR [--quick] [--repeats 5]
                                [--threads 2] [--cases ID,ID]
    python bench/peer_worker.py <peer> --probe

Runs under the peer's own Python (bench/.venvs/<venv>/bin/python for peers whose
stack conflicts with ours). Reads the shared inputs from bench/.data, times every
case the peer supports (1 warm-up + `repeats` timed runs; only the adapter's run()
is inside the timer) and writes
    DIR/<peer>_<workload>.json         versions, per-case times / status / error
    DIR/<peer>_<workload>_out.npz      the outputs (cores, numbers, arrays)
Accuracy is NOT judged here: bench/run.py checks the outputs with its own numpy code.

Cases with a list of `seeds` (W3 cross) run once per seed (`measure_seeded`): the adapter is
called with seed=s, its finish() returns {"cores": [...], "extra": {...}} (evaluation counts,
stop reason); the cores are saved as `<case>@s<seed>` and the extras go into the json.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback


def _set_threads(n: int):
    for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[v] = str(n)


def measure(run, repeats: int, min_run_s: float = 0.02, max_inner: int = 10000):
    """1 warm-up call, then `repeats` timed runs. A call faster than 1 ms is looped
    inside each timed run (inner calls, ~min_run_s per run) and the per-call time is
    reported, so timer resolution and Python overhead of the timer do not dominate."""
    import gc
    t0 = time.perf_counter()
    out = run()                      # warm-up
    warm = time.perf_counter() - t0
    inner = 1
    if warm < 1e-3:
        t0 = time.perf_counter()
        out = run()                  # calibration (a second warm-up)
        one = max(time.perf_counter() - t0, 1e-7)
        inner = int(min(max_inner, max(1, min_run_s / one)))
    times = []
    gc_was = gc.isenabled()
    for _ in range(repeats):
        gc.collect()
        gc.disable()
        try:
            t0 = time.perf_counter()
            for _ in range(inner):
                out = run()
            times.append((time.perf_counter() - t0) / inner)
        finally:
            if gc_was:
                gc.enable()
    return out, times, inner, warm


SLOW_RUN_S = 20.0   # seeded cases: a first run longer than this counts as timed (see below)


def _timed(run):
    import gc
    gc_was = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        t0 = time.perf_counter()
        out = run()
        return out, time.perf_counter() - t0
    finally:
        if gc_was:
            gc.enable()


def measure_seeded(fn, args, kw, seeds, repeats, slow_s=SLOW_RUN_S):
    """A case run once per seed (W3 cross). 1 warm-up run (first seed), then for every seed
    ceil(repeats / len(seeds)) (at least 2) timed runs, so that >= `repeats` timed runs are
    pooled over the seeds. When the warm-up itself takes longer than `slow_s` seconds, it is
    kept as the first seed's timed run (the one-off warm-up share is negligible at that
    length) and every seed runs once: this bounds very slow peers to len(seeds) runs.
    Returns (results, outputs): results = dict(status, times (pooled), seeds={seed: {...}})."""
    per_seed = max(2, -(-repeats // max(len(seeds), 1)))
    res = {"status": "ok", "times": [], "inner": 1, "seeds": {}}
    outputs = {}
    slow = False
    for i, seed in enumerate(seeds):
        rec = {}
        try:
            run, finish = fn(*args, seed=seed, **kw)
            times = []
            if i == 0:
                t0 = time.perf_counter()
                out = run()                     # warm-up
                res["warmup_s"] = warm = time.perf_counter() - t0
                if warm > slow_s:
                    slow = True
                    times.append(warm)
            n = 1 if slow else per_seed
            while len(times) < n:
                out, t = _timed(run)
                times.append(t)
            fin = finish(out)
            rec = {"status": "ok", "times": times, "extra": fin.get("extra", {})}
            outputs[f"@s{seed}"] = fin["cores"]
            res["times"] += times
        except NotImplementedError as e:
            rec = {"status": "unsupported", "error": str(e)}
        except Exception as e:
            rec = {"status": "error", "error": f"{type(e).__name__}: {e}",
                   "traceback": traceback.format_exc(limit=4)}
        res["seeds"][str(seed)] = rec
        print(f"    seed {seed}: {rec['status']}"
              + (f" {min(rec['times']):.4g} s, evals {rec['extra'].get('unique')} unique / "
                 f"{rec['extra'].get('total')} total" if rec["status"] == "ok"
                 else f" {rec.get('error', '')}"), file=sys.stderr, flush=True)
    bad = [r for r in res["seeds"].values() if r["status"] != "ok"]
    if bad:
        res["status"] = bad[0]["status"]
        res["error"] = "; ".join(f"seed {s}: {r.get('error', '')}" for s, r in res["seeds"].items()
                                 if r["status"] != "ok")
    res["slow"] = slow
    return res, outputs


def run_cases(peer: str, workload: str, quick: bool, repeats: int, only_ids=None):
    """Returns (info, results, outputs): results[case_id] = dict(status, times, ...)."""
    import importlib
    import numpy as np
    from peers import PEERS
    import cases as cases_mod
    from data import Data

    mod = importlib.import_module(PEERS[peer]["module"])
    info = {"peer": peer, "version": mod.version(), "numpy": np.__version__,
            "python": sys.version.split()[0], "executable": sys.executable}
    data = Data(workload, quick)
    results, outputs = {}, {}
    for case in cases_mod.cases(workload, quick):
        cid = case["id"]
        if only_ids and cid not in only_ids:
            continue
        fn = getattr(mod, case["op"], None)
        if fn is None:
            continue  # not supported by this peer: no row
        args, kw = cases_mod.args(case, data)
        if case.get("seeds"):
            results[cid], outs = measure_seeded(fn, args, kw, case["seeds"], repeats)
            for suffix, cores in outs.items():
                outputs[cid + suffix] = cores
            r = results[cid]
            print(f"[{peer}] {cid}: {r['status']}"
                  + (f" median {sorted(r['times'])[len(r['times']) // 2]:.4g} s"
                     if r["times"] else "") + (f" {r.get('error', '')}" if r["status"] != "ok"
                                               else ""), file=sys.stderr, flush=True)
            continue
        try:
            run, finish = fn(*args, **kw)
            raw, times, inner, warm = measure(run, repeats)
            out = finish(raw)
            results[cid] = {"status": "ok", "times": times, "inner": inner, "warmup_s": warm}
            outputs[cid] = out
        except NotImplementedError as e:
            results[cid] = {"status": "unsupported", "error": str(e)}
        except Exception as e:  # a failure is a result, not a crash of the whole run
            results[cid] = {"status": "error", "error": f"{type(e).__name__}: {e}",
                            "traceback": traceback.format_exc(limit=4)}
        print(f"[{peer}] {cid}: {results[cid]['status']}"
              + (f" median {sorted(results[cid]['times'])[len(results[cid]['times']) // 2]:.4g} s"
                 if results[cid]["status"] == "ok" else f" {results[cid].get('error', '')}"),
              file=sys.stderr, flush=True)
    return info, results, outputs


def save_outputs(path: str, outputs: dict):
    import numpy as np
    arrays = {}
    for cid, out in outputs.items():
        if isinstance(out, (list, tuple)):
            for k, g in enumerate(out):
                arrays[f"{cid}__core{k}"] = np.asarray(g)
        else:
            arrays[f"{cid}__value"] = np.asarray(out)
    np.savez(path, **arrays)


def load_outputs(path: str) -> dict:
    import numpy as np
    out = {}
    with np.load(path) as z:
        files = z.files
        for name in files:
            cid, _, what = name.rpartition("__")
            if what == "value":
                v = z[name]
                out[cid] = float(v) if v.ndim == 0 else v
        for name in files:
            cid, _, what = name.rpartition("__")
            if what.startswith("core"):
                out.setdefault(cid, [])
        for cid in [c for c, v in out.items() if isinstance(v, list)]:
            k = 0
            while f"{cid}__core{k}" in files:
                out[cid].append(z[f"{cid}__core{k}"])
                k += 1
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("peer")
    ap.add_argument("workload", nargs="?")
    ap.add_argument("--out")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--cases", default="")
    ap.add_argument("--probe", action="store_true")
    a = ap.parse_args()
    _set_threads(a.threads)   # before numpy / the peer is imported
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    if a.probe:
        import importlib
        from peers import PEERS
        mod = importlib.import_module(PEERS[a.peer]["module"])
        import numpy as np
        print(json.dumps({"peer": a.peer, "version": mod.version(), "numpy": np.__version__,
                          "ops": [op for op in ("tt_svd", "read_pass", "round_sum", "matvec",
                                                "dot", "norm", "batch_eval", "cross")
                                  if hasattr(mod, op)]}))
        return
    only = set(c for c in a.cases.split(",") if c) or None
    info, results, outputs = run_cases(a.peer, a.workload, a.quick, a.repeats, only)
    try:
        from threadpoolctl import threadpool_info
        info["threadpools"] = [{k: p.get(k) for k in ("internal_api", "num_threads", "version",
                                                       "architecture")}
                               for p in threadpool_info()]
    except Exception:
        pass
    os.makedirs(a.out, exist_ok=True)
    base = os.path.join(a.out, f"{a.peer}_{a.workload}")
    save_outputs(base + "_out.npz", outputs)
    with open(base + ".json", "w") as f:
        json.dump({"info": info, "results": results}, f, indent=1)


if __name__ == "__main__":
    main()
