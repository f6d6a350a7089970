"""show_config, threads, the LAPACK route, and the tour."""

import subprocess
import sys

import numpy as np

import tensortrain as tt


def test_config_reports_linalg_and_threads(capsys):
    c = tt.config()
    assert c["version"] == tt.__version__
    assert isinstance(c["max_threads"], int) and c["max_threads"] >= 1
    tt.show_config()
    out = capsys.readouterr().out
    assert "linear algebra" in out and "OpenMP" in out and "build" in out


def test_set_num_threads_roundtrip():
    n = tt.get_num_threads()
    tt.set_num_threads(1)
    assert tt.get_num_threads() == 1
    x = tt.random((4,) * 10, 8, seed=1)
    v1 = x[np.zeros((5000, 10), dtype=np.int64)]
    tt.set_num_threads(n)
    v2 = x[np.zeros((5000, 10), dtype=np.int64)]
    np.testing.assert_array_equal(v1, v2)


def test_eigen_and_lapack_routes_agree():
    """The same TT-SVD through scipy's LAPACK and through Eigen's kernels (a fresh process)."""
    code = (
        "import numpy as np, tensortrain as tt;"
        "g=np.linspace(0,1,4);a=1/(1+sum(np.meshgrid(*([g]*7),indexing='ij')));"
        "x=tt.tt_svd(a,rtol=1e-10);print(tt.config()['linalg']);print(x.ranks);"
        "print(np.linalg.norm(x.full()-a)/np.linalg.norm(a))"
    )
    outs = []
    for env in ({}, {"TENSORTRAIN_LINALG": "eigen"}, {"TENSORTRAIN_ARCH": "baseline"}):
        import os

        e = dict(os.environ, **env)
        r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=e, check=True)
        outs.append(r.stdout.splitlines())
    assert "Eigen" in outs[1][0]
    assert outs[0][1] == outs[1][1] == outs[2][1]
    assert all(float(o[2]) <= 1e-10 for o in outs)


def test_module_variant_is_reported():
    import os

    code = "import tensortrain as tt; print(tt.config()['module'])"
    e = dict(os.environ, TENSORTRAIN_ARCH="baseline")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=e, check=True)
    assert r.stdout.strip() == "_core"
    assert tt.config()["module"] in ("_core", "_core_avx2")


def test_tour_runs():
    r = subprocess.run([sys.executable, "-m", "tensortrain", "--d", "8"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "Done." in r.stdout and "relative error" in r.stdout
