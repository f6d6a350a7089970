"""Benchmark driver for workloads W1 (TT-SVD), W2 (rounding), W3 (black-box cross) and
W4 (operations).

    python bench/run.py [--quick] [--only W1,W2,W3,W4] [--peers tensortrain,numpy,...]
                        [--threads 2] [--repeats 5] [--timeout 1800] [--out bench/results]

Generates the shared inputs once (bench/.data, fixed seeds), runs every available
peer -- each in its own process under its own Python (bench/.venvs/* for peers whose
stack conflicts with ours), see bench/peer_worker.py -- and checks every result here
with bench/ttnumpy.py / dense numpy, independently of the library that produced it.
Writes a markdown table (printed and bench/results/latest.md) and a CSV
(bench/results/latest.csv). See bench/README.md.
"""
from __future__ import annotations

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def _parse():
    ap = argparse.ArgumentParser(description="tensortrain benchmarks W1, W2, W3, W4")
    ap.add_argument("--quick", action="store_true", help="small sizes (smoke run)")
    ap.add_argument("--only", default="W1,W2,W3,W4", help="comma-separated workloads")
    ap.add_argument("--peers",
                    default="tensortrain,tensortrain-maxvol,tensortrain-dmrg,numpy,teneva,tensorly,torchtt,ttpy,"
                            "tntorch",
                    help="comma-separated peers (tensortrain is the reference of the ratios)")
    ap.add_argument("--cases", default="", help="comma-separated case ids (default: all)")
    ap.add_argument("--threads", type=int, default=2,
                    help="OMP/OPENBLAS/MKL_NUM_THREADS for every library (default 2)")
    ap.add_argument("--repeats", type=int, default=5, help="timed runs after 1 warm-up (>= 5)")
    ap.add_argument("--timeout", type=float, default=1800,
                    help="seconds per peer and workload (W3: per peer and case)")
    ap.add_argument("--out", default=os.path.join(HERE, "results"), help="results folder")
    ap.add_argument("--tag", default="latest", help="file name stem of the results")
    ap.add_argument("--regen", action="store_true", help="regenerate the input data")
    ap.add_argument("--list", action="store_true", help="list the case ids and exit")
    ap.add_argument("--keep-raw", action="store_true",
                    help="keep the workers' json/npz under <out>/raw-<tag>/")
    return ap.parse_args()


ARGS = _parse()
for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = str(ARGS.threads)   # before numpy (and every peer) is imported

import csv  # noqa: E402
import datetime  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, HERE)
import cases as cases_mod  # noqa: E402
import data as data_mod  # noqa: E402
import ttnumpy as tn  # noqa: E402
from peer_worker import load_outputs  # noqa: E402
from peers import PEERS, python_for  # noqa: E402

WORKER = os.path.join(HERE, "peer_worker.py")


# --------------------------------------------------------------- machine info
def _first_line(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=20).stdout.splitlines()[0]
    except Exception:
        return "?"


def machine_info():
    cpu = "?"
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                cpu = line.split(":", 1)[1].strip()
    except Exception:
        pass
    blas = "?"
    try:
        cfg = np.__config__.CONFIG["Build Dependencies"]["blas"]
        blas = f"{cfg.get('name')} {cfg.get('version')}"
    except Exception:
        pass
    try:
        from threadpoolctl import threadpool_info
        pools = [f"{p.get('internal_api')} {p.get('version')} ({p.get('architecture')}, "
                 f"{p.get('num_threads')} threads)" for p in threadpool_info()]
        if pools:
            blas += " -- loaded: " + "; ".join(pools)
    except Exception:
        pass
    # measured dgemm rate (the "flops / GEMM rate" physical limit of BENCHMARKS.md)
    n = 2000
    a = np.random.default_rng(0).standard_normal((n, n))
    a @ a
    best = min(_timeit(lambda: a @ a) for _ in range(3))
    return {
        "date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "cpu": f"{cpu} ({os.cpu_count()} logical CPUs)",
        "threads": ARGS.threads,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "blas": blas,
        "compiler": _first_line(["c++", "--version"]),
        "gemm_gflops": 2 * n ** 3 / best / 1e9,
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", "(unset)"),
    }


def cpu_snapshot():
    """(busy jiffies of the whole machine, CPU seconds of this process + children)."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        busy = v[0] + v[1] + v[2] + v[5] + v[6] + (v[7] if len(v) > 7 else 0)
    except Exception:
        busy = None
    t = os.times()
    return busy, t.user + t.system + t.children_user + t.children_system, time.time()


def other_load(start, end):
    """Average number of cores used by OTHER processes between two snapshots."""
    if start[0] is None or end[0] is None:
        return None
    hz = os.sysconf("SC_CLK_TCK")
    busy = (end[0] - start[0]) / hz
    own = end[1] - start[1]
    wall = max(end[2] - start[2], 1e-9)
    return max(busy - own, 0.0) / wall


def _timeit(f):
    t0 = time.perf_counter()
    f()
    return time.perf_counter() - t0


# -------------------------------------------------------------------- peers
def probe(peer):
    py = python_for(peer, sys.executable)
    if not os.path.exists(py):
        return None, f"no environment ({os.path.relpath(py, HERE)} missing: run bench/setup_peers.sh)"
    try:
        r = subprocess.run([py, WORKER, peer, "--probe", "--threads", str(ARGS.threads)],
                           capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        return None, "probe timed out"
    if r.returncode != 0:
        last = (r.stderr.strip().splitlines() or ["?"])[-1]
        return None, f"import failed: {last}"
    return json.loads(r.stdout.strip().splitlines()[-1]), None


def run_worker(peer, workload, rawdir, case_ids=None):
    """One worker process: the peer on the workload's cases (all, --cases, or case_ids)."""
    py = python_for(peer, sys.executable)
    cmd = [py, WORKER, peer, workload, "--out", rawdir, "--repeats", str(ARGS.repeats),
           "--threads", str(ARGS.threads)]
    if ARGS.quick:
        cmd.append("--quick")
    if case_ids:
        cmd += ["--cases", ",".join(case_ids)]
    elif ARGS.cases:
        cmd += ["--cases", ARGS.cases]
    t0 = time.time()
    try:
        r = subprocess.run(cmd, timeout=ARGS.timeout, stdout=subprocess.PIPE, stderr=None)
    except subprocess.TimeoutExpired:
        return None, f"timed out after {ARGS.timeout:.0f} s", time.time() - t0
    if r.returncode != 0:
        return None, f"worker exited with {r.returncode}", time.time() - t0
    base = os.path.join(rawdir, f"{peer}_{workload}")
    with open(base + ".json") as f:
        res = json.load(f)
    res["outputs"] = load_outputs(base + "_out.npz")
    return res, None, time.time() - t0


def run_worker_per_case(peer, workload, rawdir, wcases):
    """W3: one worker process per case, so the timeout bounds each case and a peer that is
    too slow on one function still reports the others. Results merged as one worker's."""
    merged, errs, wall = None, {}, 0.0
    for c in wcases:
        sub = os.path.join(rawdir, c["id"])
        os.makedirs(sub, exist_ok=True)
        res, err, w = run_worker(peer, workload, sub, [c["id"]])
        wall += w
        if res is None:
            errs[c["id"]] = err
            continue
        if merged is None:
            merged = {"info": res["info"], "results": {}, "outputs": {}}
        merged["results"].update(res["results"])
        merged["outputs"].update(res["outputs"])
    if merged is None:
        return None, "; ".join(sorted(set(errs.values()))), wall
    for cid, err in errs.items():   # a timed-out / crashed case becomes an error row
        merged["results"][cid] = {"status": "failed", "error": err}
    return merged, None, wall


# ---------------------------------------------------------------- accuracy
class Checker:
    """Accuracy of an output, computed with bench/ttnumpy.py and dense numpy only."""

    def __init__(self, data):
        self.data = data
        self.cache = {}

    def _ref(self, key, f):
        if key not in self.cache:
            self.cache[key] = f()
        return self.cache[key]

    def check(self, case, out):
        """-> dict(err, max_rank, ok, note)"""
        op, d = case["op"], self.data
        if op == "tt_svd":
            dense = d[case["input"]]
            msg = tn.check_tt(out, dense.shape)
            if msg:
                return dict(err=float("nan"), max_rank=None, ok=False, note=msg)
            err = tn.rel_dense_error(out, dense)
            bound = case["rtol"] if case["max_rank"] is None else None
            return dict(err=err, max_rank=tn.max_rank(out), ok=_within(err, bound), note="")
        if op == "read_pass":
            dense = d[case["input"]]
            ref = self._ref(("sum", case["input"]),
                            lambda: float(np.sum(dense.astype(np.longdouble))))
            err = abs(out - ref) / abs(ref)
            return dict(err=err, max_rank=None, ok=_within(err, 1e-12), note="")
        if op == "round_sum":
            x, y = d.cores(case["x"]), d.cores(case["y"])
            shape = [g.shape[1] for g in x]
            msg = tn.check_tt(out, shape)
            if msg:
                return dict(err=float("nan"), max_rank=None, ok=False, note=msg)
            s = tn.add(x, y)
            ns = self._ref(("norm_sum", case["x"], case["y"]), lambda: tn.norm(s))
            err = tn.diff_norm(out, s) / ns
            bound = case["rtol"] if case["max_rank"] is None else None
            note = ""
            exact = max(tn.max_rank(x), tn.max_rank(y))
            if case["x"] == case["y"] and tn.max_rank(out) != exact:
                note = f"rank {tn.max_rank(out)}, exact answer has rank {exact}"
            return dict(err=err, max_rank=tn.max_rank(out), ok=_within(err, bound), note=note)
        if op == "matvec":
            a, x = d.cores(case["a"]), d.cores(case["x"])
            msg = tn.check_tt(out, [g.shape[1] for g in a])
            if msg:
                return dict(err=float("nan"), max_rank=None, ok=False, note=msg)
            ref = self._ref(("matvec",), lambda: tn.matvec(a, x))
            nref = self._ref(("matvec_norm",), lambda: tn.norm(ref))
            err = tn.diff_norm(out, ref) / nref
            return dict(err=err, max_rank=tn.max_rank(out), ok=_within(err, 1e-12), note="")
        if op == "dot":
            ref = self._ref(("dot",), lambda: tn.dot(d.cores(case["x"]), d.cores(case["y"])))
            err = abs(float(out) - ref) / abs(ref)
            return dict(err=err, max_rank=None, ok=_within(err, 1e-10), note="")
        if op == "norm":
            ref = self._ref(("norm", case["x"]), lambda: tn.norm(d.cores(case["x"])))
            err = abs(float(out) - ref) / ref
            return dict(err=err, max_rank=None, ok=_within(err, 1e-10), note="")
        if op == "batch_eval":
            idx = d[case["idx"]]
            ref = self._ref(("eval",), lambda: tn.evaluate(d.cores(case["x"]), idx))
            v = np.asarray(out, dtype=np.float64).reshape(-1)
            if v.shape != ref.shape:
                return dict(err=float("nan"), max_rank=None, ok=False,
                            note=f"{v.shape[0]} values for {ref.shape[0]} indices")
            err = float(np.linalg.norm(v - ref) / np.linalg.norm(ref))
            return dict(err=err, max_rank=None, ok=_within(err, 1e-12), note="")
        raise ValueError(op)

    def check_cross(self, case, outs):
        """W3: outs = {seed: cores}. Relative 2-norm error on the shared 10^4 test points
        (ttnumpy.evaluate of the cores vs. the function evaluated here, directly, with
        data.W3Function), worst over the seeds; the max rank over the seeds must not exceed
        the case's max_rank. -> dict(err, max_rank, ok, status, note, errs)"""
        name = case["func"]
        idx = self.data[f"idx__{name}"]
        ref = self._ref(("w3", name), lambda: data_mod.w3_function(name, self.data.quick)(idx))
        if not np.allclose(ref, self.data[f"ref__{name}"], rtol=1e-14, atol=0):
            raise RuntimeError(f"{name}: function values differ from those stored in the data")
        nref = float(np.linalg.norm(ref))
        errs, ranks, notes = {}, {}, []
        for seed, cores in sorted(outs.items()):
            msg = tn.check_tt(cores, case["shape"])
            if msg:
                errs[seed] = float("nan")
                notes.append(f"seed {seed}: {msg}")
                continue
            v = tn.evaluate(cores, idx)
            errs[seed] = float(np.linalg.norm(v - ref) / nref)
            ranks[seed] = tn.max_rank(cores)
        vals = list(errs.values())
        worst = float("nan") if not vals or any(not np.isfinite(e) for e in vals) else max(vals)
        mr = max(ranks.values()) if ranks else None
        ok = _within(worst, case["rtol"])
        status = "ok" if ok else "missed rtol"
        if case["max_rank"] is not None and mr is not None and mr > case["max_rank"]:
            ok, status = False, "rank > cap"
            notes.append(f"max rank {mr} > {case['max_rank']}")
        return dict(err=worst, max_rank=mr, ok=ok, status=status, note="; ".join(notes),
                    errs=errs)


def _within(err, bound):
    if not np.isfinite(err):
        return False
    if bound is None:
        return True
    return err <= bound * 1.01 + 1e-14


# ------------------------------------------------------------------- report
def fmt_t(s):
    if s is None:
        return ""
    if s >= 1:
        return f"{s:.3g} s"
    if s >= 1e-3:
        return f"{s * 1e3:.3g} ms"
    return f"{s * 1e6:.3g} us"


def fmt_e(e):
    if e is None:
        return ""
    if isinstance(e, float) and not np.isfinite(e):
        return "n/a"
    return f"{e:.1e}"


def main():
    peers = [p.strip() for p in ARGS.peers.split(",") if p.strip()]
    for p in peers:
        if p not in PEERS:
            sys.exit(f"unknown peer {p!r}; known: {', '.join(PEERS)}")
    workloads = [w.strip().upper() for w in ARGS.only.split(",") if w.strip()]
    for w in workloads:
        if w not in ("W1", "W2", "W3", "W4"):
            sys.exit(f"unknown workload {w!r} (this driver runs W1, W2, W3, W4)")
    if ARGS.list:
        for w in workloads:
            for c in cases_mod.cases(w, ARGS.quick):
                print(f"{c['id']:24s} {c['op']:10s} {c['label']}")
        return 0
    if ARGS.repeats < 5:
        print("note: fewer than 5 timed runs does not meet BENCHMARKS.md's rule",
              file=sys.stderr)

    info = machine_info()
    info["loadavg_start"] = open("/proc/loadavg").read().split()[0] if os.path.exists(
        "/proc/loadavg") else "?"
    print(f"[run] {info['date']}  {info['cpu']}  threads={ARGS.threads}  "
          f"dgemm {info['gemm_gflops']:.1f} GFLOP/s", file=sys.stderr)

    available, skipped = {}, {}
    for p in peers:
        pr, why = probe(p)
        if pr is None:
            skipped[p] = why
            print(f"[run] peer {p}: unavailable -- {why}", file=sys.stderr)
        else:
            available[p] = pr
            print(f"[run] peer {p}: {pr['version']} (numpy {pr['numpy']})", file=sys.stderr)

    rows, peer_env = [], {}
    busy_other = [0.0, 0.0]   # other processes' core-seconds / wall seconds, while workers ran
    rawroot = os.path.join(ARGS.out, f"raw-{ARGS.tag}") if ARGS.keep_raw else tempfile.mkdtemp(
        prefix="ttbench-")
    os.makedirs(rawroot, exist_ok=True)
    try:
        for w in workloads:
            data_mod.ensure(w, ARGS.quick, force=ARGS.regen)
            d = data_mod.Data(w, ARGS.quick)
            checker = Checker(d)
            wcases = [c for c in cases_mod.cases(w, ARGS.quick)
                      if not ARGS.cases or c["id"] in ARGS.cases.split(",")]
            per_peer = {}
            wops = {c["op"] for c in wcases}
            for p in available:
                if not wops & set(available[p].get("ops", wops)):
                    continue   # the peer supports none of this workload's operations
                print(f"[run] {w} / {p} ...", file=sys.stderr, flush=True)
                s0 = cpu_snapshot()
                if w == "W3":
                    res, err, wall = run_worker_per_case(p, w, rawroot, wcases)
                else:
                    res, err, wall = run_worker(p, w, rawroot)
                oc = other_load(s0, cpu_snapshot())
                if oc is not None:
                    busy_other[0] += oc * wall
                    busy_other[1] += wall
                per_peer[p] = (res, err)
                if res is not None:
                    peer_env[p] = res["info"]
            for c in wcases:
                tt_med = None
                res_tt = per_peer.get("tensortrain", (None, None))[0]
                if res_tt and res_tt["results"].get(c["id"], {}).get("status") == "ok":
                    tt_med = float(np.median(res_tt["results"][c["id"]]["times"]))
                for p in per_peer:
                    res, err = per_peer[p]
                    row = dict(workload=w, case=c["id"], label=c["label"], peer=p, status="",
                               median=None, min=None, max=None, inner=None, ratio=None,
                               max_rank=None, err=None, note="")
                    if res is None:
                        row.update(status="failed", note=err)
                        rows.append(row)
                        continue
                    r = res["results"].get(c["id"])
                    if r is None:
                        continue   # operation not supported by this peer
                    if c["op"] == "cross":
                        rows.append(cross_row(row, c, r, res, checker, tt_med,
                                              per_peer.get("tensortrain", (None, None))[0]))
                        continue
                    if r["status"] != "ok":
                        row.update(status=r["status"], note=r.get("error", "")[:200])
                        rows.append(row)
                        continue
                    t = r["times"]
                    row.update(median=float(np.median(t)), min=min(t), max=max(t),
                               inner=r.get("inner", 1), runs=len(t))
                    if tt_med:
                        row["ratio"] = row["median"] / tt_med
                    out = res["outputs"].get(c["id"])
                    try:
                        chk = checker.check(c, out)
                    except Exception as e:
                        chk = dict(err=float("nan"), max_rank=None, ok=False,
                                   note=f"check failed: {type(e).__name__}: {e}")
                    row.update(err=chk["err"], max_rank=chk["max_rank"],
                               status="ok" if chk["ok"] else "WRONG", note=chk["note"])
                    rows.append(row)
            del d, checker
    finally:
        if not ARGS.keep_raw:
            shutil.rmtree(rawroot, ignore_errors=True)

    info["other_cores"] = busy_other[0] / busy_other[1] if busy_other[1] > 0 else None
    md = report(info, available, skipped, peer_env, rows, workloads)
    print(md)
    os.makedirs(ARGS.out, exist_ok=True)
    with open(os.path.join(ARGS.out, f"{ARGS.tag}.md"), "w") as f:
        f.write(md)
    fields = ["workload", "case", "label", "peer", "status", "median", "min", "max", "runs",
              "inner", "ratio", "max_rank", "err", "note"]
    if "W3" in workloads:
        fields[-1:-1] = ["evals_unique", "evals_total", "evals_ratio"]
    with open(os.path.join(ARGS.out, f"{ARGS.tag}.csv"), "w", newline="") as f:
        wr = csv.DictWriter(f, fieldnames=fields, extrasaction="ignore")
        wr.writeheader()
        for row in rows:
            wr.writerow(row)
    with open(os.path.join(ARGS.out, f"{ARGS.tag}.json"), "w") as f:
        json.dump({"machine": info, "peers": peer_env, "skipped": skipped, "rows": rows,
                   "args": vars(ARGS)}, f, indent=1, default=str)
    bad = [r for r in rows if r["peer"] == "tensortrain" and r["status"] not in ("ok",)]
    return 1 if bad else 0


W3_HEADER = (
    "Black-box TT-cross, run once per seed (seeds 0, 1, 2, given to each library); times pooled "
    "over the seeds (median, min-max), error = worst over the seeds of the relative 2-norm "
    "error on the shared 10^4 random grid points (ttnumpy.evaluate vs. the function), max rank "
    "= largest over the seeds. Evaluations: points passed to the function, counted by the "
    "harness's wrapper: unique multi-indices / total including repeats (median over the "
    "seeds); the library's own count, where it reports one, is in the note. Times include "
    "the function evaluations.\n")


def _median_int(v):
    return int(round(float(np.median(v)))) if v else None


def cross_row(row, case, r, res, checker, tt_med, res_tt):
    """The W3 row of one peer: times pooled over seeds, accuracy per seed (check_cross),
    evaluation counts (median over seeds) and their ratio to tensortrain's."""
    seeds = r.get("seeds") or {}
    ok_seeds = {s: v for s, v in seeds.items() if v.get("status") == "ok"}
    if not ok_seeds:
        row.update(status=r.get("status", "error"), note=r.get("error", "")[:200])
        return row
    t = r["times"]
    row.update(median=float(np.median(t)), min=min(t), max=max(t), inner=1, runs=len(t))
    if tt_med:
        row["ratio"] = row["median"] / tt_med
    outs = {int(s): res["outputs"].get(f"{case['id']}@s{s}") for s in ok_seeds}
    try:
        chk = checker.check_cross(case, outs)
    except Exception as e:
        chk = dict(err=float("nan"), max_rank=None, ok=False, status="WRONG",
                   note=f"check failed: {type(e).__name__}: {e}", errs={})
    ex = [ok_seeds[s]["extra"] for s in sorted(ok_seeds, key=int)]
    uniq = _median_int([e["unique"] for e in ex if "unique" in e])
    tot = _median_int([e["total"] for e in ex if "total" in e])
    notes = []
    if len(ok_seeds) < len(seeds):
        notes.append("; ".join(f"seed {s}: {v.get('status')} {v.get('error', '')[:80]}"
                               for s, v in seeds.items() if v.get("status") != "ok"))
        chk["ok"], chk["status"] = False, r.get("status", "error")
    lib = [e["lib_evals"] for e in ex if e.get("lib_evals") is not None and e["lib_evals"] >= 0]
    req = [e["lib_requests"] for e in ex if e.get("lib_requests") is not None]
    if lib and req:
        notes.append(f"library's count {_median_int(lib):,} evals / {_median_int(req):,} requests")
    elif lib:
        notes.append(f"library's count {_median_int(lib):,}")
    stops = sorted({str(e["stop"]) for e in ex if e.get("stop") is not None})
    if stops:
        notes.append("stop: " + "/".join(stops))
    if chk["note"]:
        notes.append(chk["note"])
    if r.get("slow"):
        notes.append(f"slow: {len(t)} runs (1 per seed)")
    row.update(err=chk["err"], max_rank=chk["max_rank"], status=chk["status"],
               note="; ".join(notes), evals_unique=uniq, evals_total=tot,
               seeds={s: dict(err=chk["errs"].get(int(s)), **ok_seeds[s]["extra"],
                              times=ok_seeds[s]["times"]) for s in ok_seeds})
    if res_tt and row["peer"] != "tensortrain" and uniq:
        rt = res_tt["results"].get(case["id"], {})
        tu = _median_int([v["extra"]["unique"] for v in (rt.get("seeds") or {}).values()
                          if v.get("status") == "ok"])
        if tu:
            row["evals_ratio"] = uniq / tu
    elif row["peer"] == "tensortrain" and uniq:
        row["evals_ratio"] = 1.0
    return row


def report(info, available, skipped, peer_env, rows, workloads):
    L = []
    L.append(f"# tensortrain benchmarks ({'quick' if ARGS.quick else 'full'} sizes)\n")
    L.append(f"- date: {info['date']}")
    L.append(f"- CPU: {info['cpu']}; measured dgemm (n=2000): {info['gemm_gflops']:.1f} GFLOP/s")
    L.append(f"- threads: OMP_NUM_THREADS = OPENBLAS_NUM_THREADS = MKL_NUM_THREADS = "
             f"{info['threads']} for every library (torch.set_num_threads too)")
    L.append(f"- Python {info['python']}, numpy {info['numpy']}, BLAS: {info['blas']}")
    L.append(f"- compiler (c++): {info['compiler']}; OPENBLAS_CORETYPE {info['openblas_coretype']}")
    L.append(f"- timing: 1 warm-up + {ARGS.repeats} timed runs, median (min-max); calls under "
             f"1 ms are looped inside each run and reported per call")
    L.append("- accuracy: checked by bench/ttnumpy.py / dense numpy, not by the library")
    oc = info.get("other_cores")
    if oc is not None:
        L.append(f"- other processes used {oc:.2f} cores on average while the peers ran "
                 f"(load average at start {info['loadavg_start']})")
        if oc > 0.15:
            L.append(f"- **WARNING: the machine was not idle (other processes: {oc:.2f} cores). "
                     f"With {ARGS.threads} BLAS/OpenMP threads on {os.cpu_count()} cores, "
                     f"timings are disturbed (thread barriers wait for descheduled threads); "
                     f"rerun on an idle machine.**")
    for p, e in peer_env.items():
        tp = ""
        if e.get("threadpools"):
            tp = "; " + ", ".join(f"{t['internal_api']} {t['version']} x{t['num_threads']}"
                                  for t in e["threadpools"])
        L.append(f"- peer {p}: {e['version']} (Python {e['python']}, numpy {e['numpy']}{tp})")
    for p, why in skipped.items():
        L.append(f"- peer {p}: not run -- {why}")
    L.append("")
    for w in workloads:
        wrows = [r for r in rows if r["workload"] == w]
        if not wrows:
            continue
        L.append(f"## {w}\n")
        if w == "W3":
            L.append(W3_HEADER)
        L.append("| case | peer | median | (min-max) | peer/tensortrain | max rank | rel. error | check | note |"
                 if w != "W3" else
                 "| case | peer | median | (min-max) | peer/tensortrain | max rank | worst rel. error | "
                 "evals unique / total | unique evals peer/tensortrain | check | note |")
        L.append("|---|---|---|---|---|---|---|---|---|" if w != "W3" else
                 "|---|---|---|---|---|---|---|---|---|---|---|")
        last = None
        for r in wrows:
            label = r["label"] if r["case"] != last else ""
            last = r["case"]
            rng = f"({fmt_t(r['min'])} - {fmt_t(r['max'])})" if r["median"] is not None else ""
            ratio = f"{r['ratio']:.2f}" if r["ratio"] is not None else ""
            if w == "W3":
                ev = (f"{r['evals_unique']:,} / {r['evals_total']:,}"
                      if r.get("evals_unique") is not None else "")
                er = f"{r['evals_ratio']:.2f}" if r.get("evals_ratio") is not None else ""
                L.append(f"| {label} | {r['peer']} | {fmt_t(r['median'])} | {rng} | {ratio} | "
                         f"{r['max_rank'] if r['max_rank'] is not None else ''} | "
                         f"{fmt_e(r['err'])} | {ev} | {er} | {r['status']} | {r['note']} |")
                continue
            L.append(f"| {label} | {r['peer']} | {fmt_t(r['median'])} | {rng} | {ratio} | "
                     f"{r['max_rank'] if r['max_rank'] is not None else ''} | {fmt_e(r['err'])} | "
                     f"{r['status']} | {r['note']} |")
        L.append("")
    return "\n".join(L)


if __name__ == "__main__":
    sys.exit(main())
