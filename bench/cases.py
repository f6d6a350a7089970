"""Benchmark cases of workloads W1, W2, W3, W4 (shared by run.py and peer_worker.py).

A case names an operation (the adapter function of that name), the data it reads
and its parameters. `args(case, data)` builds the positional arguments and keyword
parameters handed to an adapter; the accuracy check in run.py reads the same data.
"""
from __future__ import annotations

from data import SPECS, W3_LABELS, grid_key, w3_function


def _fmt_shape(n, d):
    return f"{n}^{d}"


def cases(workload: str, quick: bool) -> list[dict]:
    spec = SPECS[quick][workload]
    out = []
    if workload == "W1":
        grids = spec["grids"]
        rtol = spec["rtols"][0]
        # the 1st and 4th grids (4^10 and 4^12 at full size) also run at max_rank 4
        capped = {grids[0], grids[3]}
        for n, d in grids:
            key = grid_key(n, d)
            out.append(dict(id=f"W1.svd.{key}", workload="W1", op="tt_svd",
                            label=f"TT-SVD 1/(1+sum x) {_fmt_shape(n, d)}, rtol {rtol:g}",
                            input=key, rtol=rtol, max_rank=None))
            if (n, d) in capped:
                out.append(dict(id=f"W1.svd.{key}.r4", workload="W1", op="tt_svd",
                                label=f"TT-SVD 1/(1+sum x) {_fmt_shape(n, d)}, rtol {rtol:g}, max_rank 4",
                                input=key, rtol=rtol, max_rank=4))
        rs = spec["randtt"]
        out.append(dict(id="W1.svd.randtt", workload="W1", op="tt_svd",
                        label=f"TT-SVD random TT {rs['n']}^{rs['d']} (r={rs['r']}) + 1e-10 noise, rtol {rtol:g}",
                        input="randtt", rtol=rtol, max_rank=None))
        for n, d in grids:
            key = grid_key(n, d)
            out.append(dict(id=f"W1.read.{key}", workload="W1", op="read_pass",
                            label=f"one read pass (np.sum) {_fmt_shape(n, d)}", input=key))
        out.append(dict(id="W1.read.randtt", workload="W1", op="read_pass",
                        label=f"one read pass (np.sum) random TT {rs['n']}^{rs['d']}", input="randtt"))
    elif workload == "W2":
        d, n, r = spec["d"], spec["n"], spec["r"]
        tag = f"d={d} n={n} r={r}"
        out.append(dict(id="W2.XX.1e-8", workload="W2", op="round_sum",
                        label=f"round(X+X) rtol 1e-8 ({tag}; exact rank {r})",
                        x="X", y="X", rtol=1e-8, max_rank=None))
        out.append(dict(id="W2.XX.1e-6", workload="W2", op="round_sum",
                        label=f"round(X+X) rtol 1e-6 ({tag}; exact rank {r})",
                        x="X", y="X", rtol=1e-6, max_rank=None))
        out.append(dict(id="W2.XY.r40", workload="W2", op="round_sum",
                        label=f"round(X+Y) max_rank {r}, rtol 1e-12 ({tag})",
                        x="X", y="Y", rtol=1e-12, max_rank=r))
    elif workload == "W4":
        d, rA, rx, M = spec["d"], spec["rA"], spec["rx"], spec["M"]
        out.append(dict(id="W4.matvec", workload="W4", op="matvec",
                        label=f"TT-matrix x TT exact (d={d}, {spec['m']}x{spec['n']}, ranks {rA}, {rx})",
                        a="A", x="x"))
        out.append(dict(id="W4.dot", workload="W4", op="dot",
                        label=f"dot(x, y) (d={d}, n={spec['n']}, r={rx})", x="x", y="y"))
        out.append(dict(id="W4.norm", workload="W4", op="norm",
                        label=f"norm(x) (d={d}, n={spec['n']}, r={rx})", x="x"))
        out.append(dict(id="W4.eval", workload="W4", op="batch_eval",
                        label=f"batch evaluation of {M:,} entries (d={d}, r={rx})", x="x", idx="idx"))
    elif workload == "W3":
        for name, fs in spec["funcs"].items():
            cap = f", max rank {fs['max_rank']}" if fs["max_rank"] else ""
            out.append(dict(id=f"W3.cross.{name}", workload="W3", op="cross",
                            label=f"cross {W3_LABELS[name]}, d={fs['d']} n={fs['n']}, "
                                  f"rtol {fs['rtol']:g}{cap}",
                            func=name, shape=[fs["n"]] * fs["d"], rtol=fs["rtol"],
                            max_rank=fs["max_rank"], seeds=list(spec["seeds"])))
    else:
        raise ValueError(workload)
    return out


def args(case: dict, data) -> tuple[tuple, dict]:
    """Positional inputs and keyword parameters for the adapter function `case['op']`."""
    op = case["op"]
    if op == "tt_svd":
        hint_key = f"ranks__{case['input']}__{case['rtol']:g}"
        hint = [int(v) for v in data[hint_key]] if hint_key in data.arrays else None
        return (data[case["input"]],), dict(rtol=case["rtol"], max_rank=case["max_rank"],
                                             ranks_hint=hint)
    if op == "read_pass":
        return (data[case["input"]],), {}
    if op == "round_sum":
        return (data.cores(case["x"]), data.cores(case["y"])), dict(rtol=case["rtol"],
                                                                    max_rank=case["max_rank"])
    if op == "matvec":
        return (data.cores(case["a"]), data.cores(case["x"])), {}
    if op == "dot":
        return (data.cores(case["x"]), data.cores(case["y"])), {}
    if op == "norm":
        return (data.cores(case["x"]),), {}
    if op == "batch_eval":
        return (data.cores(case["x"]), data[case["idx"]]), {}
    if op == "cross":   # + seed=..., given by peer_worker.measure_seeded
        return (w3_function(case["func"], data.quick), list(case["shape"])), \
            dict(rtol=case["rtol"], max_rank=case["max_rank"])
    raise ValueError(op)
