"""Sweep solvers side by side: tensortrain against its PyPI peers on DMRG, AMEn and ALS (issue 4).

    PYTHONPATH=python python bench/sweeps.py [--quick] [--only dmrg,amen,als] [--repeats 3]
        [--heisenberg 20,50,100] [--peers tensortrain,quimb,...] [--timeout 1800] [--threads 2]

Every library runs in its own process under its own Python (bench/sweep_peers.py; venvs from
bench/setup_peers.sh) on inputs written once here (bench/.data/sweeps/*.npz). The accuracy of
every result is computed here with plain numpy (bench/ttnumpy.py), never by the library:

- dmrg: open spin-1/2 Heisenberg chain, sum_i S_i . S_{i+1}, ground energy at bond dimension D;
  |<x, H x> / <x, x> - E_ref| of the returned state (H: a numpy MPO built here), E_ref from
  shared/reference/values.json; "to 1e-6" is the first sweep at which the library's own energy
  is within 1e-6 of E_ref (its trace).
- amen: A x = b with b = ones; ||A x - b|| / ||b|| on the explicit TT of the difference (and for
  the 1-D QTT case the error against the exact discrete solution x(1 - x) / 2).
- als: fit of 1/(1 + sum x^2) from random samples; relative 2-norm error on other samples.

Prints one markdown table per workload and writes bench/results/<tag>.md and .json. The exit
code is 1 when a tensortrain result errors or misses its accuracy target.
"""
import argparse
import os
import sys


def _parse():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true",
                    help="small sizes: Heisenberg L = 20 at D = 32, QTT 2^12 and 3-D 2^5 per axis")
    ap.add_argument("--only", default="dmrg,amen,als", help="workloads (comma-separated)")
    ap.add_argument("--repeats", type=int, default=3,
                    help="timed runs per case (median reported; DMRG with L >= 100: one)")
    ap.add_argument("--heisenberg", default=None,
                    help="chain lengths (comma-separated; default 20,50,100, --quick 20)")
    ap.add_argument("--peers", default="", help="libraries to run (default: all)")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per library and case")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--tag", default="sweeps", help="file stem in bench/results")
    return ap.parse_args()


ARGS = _parse() if __name__ == "__main__" else None
if ARGS is not None:  # before numpy is imported, here and in every worker (inherited)
    for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_v] = str(ARGS.threads)

import json  # noqa: E402
import pathlib  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import ttnumpy  # noqa: E402

WORKER = HERE / "sweep_peers.py"
DATA = HERE / ".data" / "sweeps"
VENVS = HERE / ".venvs"
REF = HERE.parents[1] / "shared" / "reference" / "values.json"
TARGET_DMRG = 1e-6

# library -> virtual environment (None: the Python running this script)
VENV = {"tensortrain": None, "teneva": None, "tenpy": "physics", "tenpy-nosym": "physics",
        "quimb": "physics", "ttpy": "ttpy", "torchtt": "torch"}
LIBRARIES = {"dmrg": ["tensortrain", "tenpy", "tenpy-nosym", "quimb"],
             "amen": ["tensortrain", "ttpy", "torchtt"],
             "als": ["tensortrain", "teneva"]}


# ------------------------------------------------------------------------ inputs
def heisenberg_mpo(L):
    """Cores (r, m, n, r) of sum_i Sx Sx + Sy Sy + Sz Sz, basis (up, down), built here in numpy.
    Bond state 4: nothing placed yet, 1-3: the first operator of a pair placed, 0: done."""
    I, Sz = np.eye(2), np.diag([0.5, -0.5])
    Sp = np.array([[0.0, 1.0], [0.0, 0.0]])
    W = np.zeros((5, 2, 2, 5))
    W[4, :, :, 4] = W[0, :, :, 0] = I
    W[4, :, :, 1], W[4, :, :, 2], W[4, :, :, 3] = 0.5 * Sp, 0.5 * Sp.T, Sz
    W[1, :, :, 0], W[2, :, :, 0], W[3, :, :, 0] = Sp.T, Sp, Sz
    return [W[4:]] + [W] * (L - 2) + [W[..., :1]]


def laplace_cores(d, n, h):
    """sum_k I x .. x T x .. x I, T = tridiag(-1, 2, -1) / h^2: TT-matrix of rank 2 (numpy)."""
    I, T = np.eye(n), (2 * np.eye(n) - np.eye(n, k=1) - np.eye(n, k=-1)) / h**2
    W = np.zeros((2, n, n, 2))
    W[1, :, :, 1] = W[0, :, :, 0] = I
    W[1, :, :, 0] = T
    return [W[1:]] + [W] * (d - 2) + [W[..., :1]]


def qtt_laplace_cores(n_bits, ndim):
    """tensortrain's QTT Dirichlet Laplacian times (n + 1)^2 (h = 1 / (n + 1), n = 2^n_bits),
    exported so that every library solves with the same matrix."""
    import tensortrain as tt
    A = tt.qtt.laplacian(n_bits, ndim=ndim) * float((2**n_bits + 1) ** 2)
    return [np.array(g) for g in A.cores]


def ones_cores(shape):
    return [np.ones((1, n, 1)) for n in shape]


def invsq(idx, n):
    x = idx / (n - 1.0)
    return 1.0 / (1.0 + np.sum(x * x, axis=1))


def _save(name, **arrays):
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"{name}.npz"
    np.savez(path, **arrays)
    return str(path)


def _named(prefix, cores):
    return {f"{prefix}{k}": g for k, g in enumerate(cores)}


def make_cases(workloads, quick, lengths, repeats):
    """The cases, their inputs written to bench/.data/sweeps (cheap to regenerate each run)."""
    cases = []
    if "dmrg" in workloads:
        ref = json.loads(REF.read_text())["heisenberg_obc_e0"]
        for L in lengths:
            rv = ref.get(str(L))
            if rv is None:
                print(f"no reference energy for L = {L} in {REF}: skipped", file=sys.stderr)
                continue
            e_ref, unc = (rv["value"], rv.get("abs_uncertainty", 0.0)) if isinstance(rv, dict) else (rv, 0.0)
            D = 32 if quick else 100
            cases.append({"id": f"dmrg.L{L}", "kind": "dmrg", "L": L, "D": D, "e_ref": e_ref,
                          "e_unc": unc, "repeats": 1 if L >= 100 else repeats,
                          "title": f"Heisenberg L = {L}, D = {D}"})
    if "amen" in workloads:
        d, n = 10, 32
        A, b = laplace_cores(d, n, 1.0 / (n + 1)), ones_cores([n] * d)
        cases.append({"id": "amen.laplace", "kind": "amen", "rtol": 1e-6,
                      "inputs": _save("laplace", **_named("A", A), **_named("b", b)),
                      "title": f"Laplace d = {d}, n = {n}, h = 1/{n + 1}, b = ones"})
        # rtol 1e-6, but for n = 2^16 and 2^20 in 1-D about 100 cond(A) eps (cond = 4 (n+1)^2 / pi^2):
        # double precision gets no further there
        for nb, nd, rtol in ([(12, 1, 1e-6), (5, 3, 1e-6)] if quick else
                             [(12, 1, 1e-6), (16, 1, 1e-5), (20, 1, 1e-2), (5, 3, 1e-6), (7, 3, 1e-6)]):
            A = qtt_laplace_cores(nb, nd)
            cases.append({"id": f"amen.qtt{nd}d.b{nb}", "kind": "amen", "rtol": rtol, "n_bits": nb,
                          "ndim": nd, "inputs": _save(f"qtt{nd}d_b{nb}", **_named("A", A),
                                                      **_named("b", ones_cores([2] * (nb * nd)))),
                          "title": f"QTT Poisson {nd}-D, (2^{nb})^{nd} points" if nd > 1
                          else f"QTT Poisson 1-D, 2^{nb} points"})
    if "als" in workloads:
        d, n = 10, 32
        I_train = np.random.default_rng(0).integers(0, n, (20000, d))
        I_test = np.random.default_rng(1).integers(0, n, (10000, d))
        path = _save("als", I_train=I_train, y_train=invsq(I_train, n), I_test=I_test,
                     y_test=invsq(I_test, n), shape=np.array([n] * d))
        for r in (3, 6):
            cases.append({"id": f"als.r{r}", "kind": "als", "rank": r, "sweeps": 10, "inputs": path,
                          "title": f"ALS 1/(1 + sum x^2), d = {d}, n = {n}, 2e4 samples, rank {r}"})
    return cases


# ------------------------------------------------------------------------ checks
def check(case, cores, extra):
    """(accuracy figure, ok, note) of a result, by ttnumpy / plain numpy; ok is None where the
    workload has no target (ALS)."""
    if case["kind"] == "dmrg":
        e = ttnumpy.expectation(heisenberg_mpo(case["L"]), cores)
        err = abs(e - case["e_ref"])
        note = ""
        if abs(extra["energy"] - e) > 1e-9 * abs(e):
            note = f"own energy {extra['energy']:.10f}; "
        return err, err < TARGET_DMRG + case["e_unc"], note
    with np.load(case["inputs"]) as z:
        inp = {k: z[k] for k in z.files}
    if case["kind"] == "amen":
        A = [inp[f"A{k}"] for k in range(len(cores))]
        b = [inp[f"b{k}"] for k in range(len(cores))]
        res = ttnumpy.diff_norm(ttnumpy.matvec(A, cores), b) / ttnumpy.norm(b)
        note = ""
        if case.get("ndim") == 1:
            n = 2 ** case["n_bits"]
            x = np.arange(1, n + 1) / (n + 1.0)
            u = x * (1 - x) / 2
            fwd = np.linalg.norm(ttnumpy.full(cores).ravel() - u) / np.linalg.norm(u)
            note = f"error vs exact {fwd:.1e}; "
        return res, res <= case["rtol"], note
    y = ttnumpy.evaluate(cores, inp["I_test"])
    err = float(np.linalg.norm(y - inp["y_test"]) / np.linalg.norm(inp["y_test"]))
    train = ttnumpy.evaluate(cores, inp["I_train"]) - inp["y_train"]
    return err, None, f"train error {np.linalg.norm(train) / np.linalg.norm(inp['y_train']):.1e}; "


# ------------------------------------------------------------------------ workers
def python_for(library):
    venv = VENV[library]
    return sys.executable if venv is None else str(VENVS / venv / "bin" / "python")


def run_worker(library, case, raw):
    """One library on one case in its own process: (record, cores)."""
    py = python_for(library)
    if not os.path.exists(py):
        return {"status": "not installed", "error": f"{py} missing (bash bench/setup_peers.sh)"}, []
    prefix = os.path.join(raw, f"{library}_{case['id']}")
    cmd = [py, str(WORKER), library, json.dumps(case), prefix,
           "--repeats", str(case.get("repeats", ARGS.repeats)), "--threads", str(ARGS.threads)]
    t0 = time.time()
    try:
        p = subprocess.run(cmd, timeout=ARGS.timeout, capture_output=True, text=True)
    except subprocess.TimeoutExpired:
        return {"status": "timeout", "error": f"timed out after {ARGS.timeout:.0f} s"}, []
    if p.returncode != 0 or not os.path.exists(prefix + ".json"):
        tail = (p.stderr or p.stdout).strip().splitlines()[-3:]
        return {"status": "error", "error": f"worker exit {p.returncode}: {' | '.join(tail)}"}, []
    rec = json.loads(pathlib.Path(prefix + ".json").read_text())
    rec["wall_s"] = time.time() - t0
    with np.load(prefix + ".npz") as z:
        cores = [z[f"x{k}"] for k in range(len(z.files))]
    return rec, cores


# ------------------------------------------------------------------------ report
def fmt_t(s):
    if s is None:
        return ""
    return f"{s:.3g} s" if s >= 1 else f"{s * 1e3:.3g} ms"


def fmt_ratio(x):
    return f"{x:.2f}" if x >= 0.01 else f"{x:.1e}"


def time_to_target(case, trace):
    for t, e in trace:
        if abs(e - case["e_ref"]) < TARGET_DMRG:
            return t
    return None


def row_for(case, library, rec, cores):
    row = {"case": case["id"], "library": library, "status": rec["status"],
           "version": rec.get("version", ""), "settings": rec.get("settings", ""),
           "error": rec.get("error", ""), "threadpools": rec.get("threadpools", []),
           "python": rec.get("python", ""), "numpy": rec.get("numpy", "")}
    if rec["status"] != "ok":
        return row
    ts = rec["times"]
    ex = rec["extra"]
    acc, ok, note = check(case, cores, ex)
    row.update(times=ts, median=statistics.median(ts), min=min(ts), max=max(ts), accuracy=acc,
               ok=ok if ok is None else bool(ok), max_rank=ttnumpy.max_rank(cores), extra=ex,
               sweeps=ex.get("half_sweeps", ex.get("sweeps")),
               note=note + (f"stop: {ex['stop']}" if ex.get("stop") else ""))
    if case["kind"] == "dmrg":
        row["to_target"] = time_to_target(case, ex["trace"])
    return row


def table(case_list, rows):
    kind = case_list[0]["kind"]
    acc = {"dmrg": "\\|E - E_ref\\|", "amen": "rel. residual", "als": "test error"}[kind]
    sw = {"dmrg": "half-sweeps", "amen": "sweeps", "als": "sweeps"}[kind]
    extra = " to 1e-6 |" if kind == "dmrg" else ""
    out = [f"| case | library | median (min-max) |{extra} {acc} | max rank | {sw} | peer/tensortrain | check "
           "| note |",
           "|---|---|---|" + ("---|" if extra else "") + "---|---|---|---|---|---|"]
    for case in case_list:
        rs = [r for r in rows if r["case"] == case["id"]]
        ours = next((r for r in rs if r["library"] == "tensortrain" and r["status"] == "ok"), None)
        for i, r in enumerate(rs):
            title = case["title"] if i == 0 else ""
            if r["status"] != "ok":
                out.append(f"| {title} | {r['library']} | {r['status']} |" + (" |" if extra else "")
                           + f" | | | | | {r['error'][:160]} |")
                continue
            ratio = fmt_ratio(r["median"] / ours["median"]) if ours else ""
            spread = f"{fmt_t(r['median'])} ({fmt_t(r['min'])} - {fmt_t(r['max'])})" \
                if len(r["times"]) > 1 else fmt_t(r["median"])
            to = f" {fmt_t(r['to_target']) or 'not reached'} |" if extra else ""
            mark = {True: "ok", None: "", False: "missed 1e-6" if kind == "dmrg" else "missed rtol"}[r["ok"]]
            out.append(f"| {title} | {r['library']} | {spread} |{to} {r['accuracy']:.1e} | {r['max_rank']} | "
                       f"{r['sweeps'] if r['sweeps'] is not None else ''} | {ratio} | {mark} | "
                       f"{r['note'].rstrip('; ')} |")
    return "\n".join(out)


def machine():
    cpu = platform.processor() or "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"date": time.strftime("%Y-%m-%d %H:%M"), "cpu": cpu, "logical_cpus": os.cpu_count(),
            "load_average": os.getloadavg(), "threads": ARGS.threads, "python": sys.version.split()[0]}


def main():
    workloads = [w for w in ARGS.only.split(",") if w]
    bad = set(workloads) - set(LIBRARIES)
    if bad:
        sys.exit(f"unknown workloads {sorted(bad)} (dmrg, amen, als)")
    lengths = [int(x) for x in (ARGS.heisenberg or ("20" if ARGS.quick else "20,50,100")).split(",") if x]
    wanted = set(p for p in ARGS.peers.split(",") if p) or set(VENV)
    info = machine()
    print(f"# Sweep solvers, {info['date']}: {info['cpu']} ({info['logical_cpus']} logical CPUs, load "
          f"{info['load_average'][0]:.2f}); {ARGS.threads} threads for every library "
          f"(OMP/OPENBLAS/MKL_NUM_THREADS, torch.set_num_threads)", flush=True)
    cases = make_cases(workloads, ARGS.quick, lengths, ARGS.repeats)
    rows = []
    with tempfile.TemporaryDirectory(prefix="sweeps-") as raw:
        for case in cases:
            for lib in LIBRARIES[case["kind"]]:
                if lib not in wanted:
                    continue
                rec, cores = run_worker(lib, case, raw)
                row = row_for(case, lib, rec, cores)
                rows.append(row)
                print(f"  {case['id']} {lib}: {row['status']}"
                      + (f" {fmt_t(row['median'])}, accuracy {row['accuracy']:.1e}" if row["status"] == "ok"
                         else f" {row['error'][:200]}"), file=sys.stderr, flush=True)
    md = [f"Sweep solvers, {info['date']}, {info['cpu']} ({info['logical_cpus']} logical CPUs), "
          f"{ARGS.threads} threads for every library; median of the timed runs after one warm-up "
          f"(DMRG: warm-up on L = 10; L >= 100 timed once). Accuracy by bench/ttnumpy.py.", ""]
    for kind in ("dmrg", "amen", "als"):
        cl = [c for c in cases if c["kind"] == kind]
        if cl:
            md += [f"## {kind}", "", table(cl, rows), ""]
    md += ["## settings", ""]
    seen = set()
    for r in rows:
        if r["settings"] and (r["library"], r["settings"]) not in seen:
            seen.add((r["library"], r["settings"]))
            md.append(f"- {r['library']} {r['version']} ({r['case']}): `{r['settings']}`")
    text = "\n".join(md)
    print("\n" + text)
    out = HERE / "results"
    out.mkdir(exist_ok=True)
    (out / f"{ARGS.tag}.md").write_text(text + "\n")
    (out / f"{ARGS.tag}.json").write_text(json.dumps({"machine": info, "args": vars(ARGS), "cases": cases,
                                                      "rows": rows}, indent=1, default=float))
    failed = [r for r in rows if r["library"] == "tensortrain"
              and (r["status"] == "error" or (r["status"] == "ok" and r["ok"] is False))]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
