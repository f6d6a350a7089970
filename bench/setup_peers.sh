#!/usr/bin/env bash
# Install the benchmark peers (see bench/README.md and shared BENCHMARKS.md).
#
#   bash bench/setup_peers.sh            # everything (skips what already works)
#   bash bench/setup_peers.sh --force    # rebuild the virtual environments
#   PEERS="main torch" bash bench/setup_peers.sh   # a subset: main torch ttpy physics
#
#   main  : teneva, tensorly (+ threadpoolctl) into the current Python (numpy 2.x)
#   torch : bench/.venvs/torch  torch==2.13.0 (CPU wheel on local disk) + torchtt built
#           with its C++ extension (--no-build-isolation after torch is present);
#           tntorch (W3 cross; pure Python, optional: a failure only skips that peer)
#   ttpy  : bench/.venvs/ttpy   Python 3.11, numpy<1.26, setuptools<60, six, Cython<3;
#           Debian gfortran libopenblas-dev liblapack-dev; ttpy 1.2.1 built from the sdist
#           with FFLAGS/F90FLAGS=-fallow-argument-mismatch -I<build temp dir>;
#           scipy<1.12 (ttpy's tt.cross imports scipy.linalg; 1.11 is built for numpy 1.25)
#   physics: bench/.venvs/physics  physics-tenpy, quimb, threadpoolctl (the DMRG peers of
#           bench/sweeps.py); checked by an L = 10 Heisenberg ground state in each
#
# A peer that fails to install is reported and skipped; bench/run.py then lists it as
# "not run" (bench/sweeps.py: "not installed"). Heavy steps run under `nice -n 19`.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VENVS="$HERE/.venvs"
PY="${PYTHON:-python3}"
TTPY_PYTHON="${TTPY_PYTHON:-python3.11}"
PEERS="${PEERS:-main torch ttpy physics}"
FORCE=0
[[ "${1:-}" == "--force" ]] && FORCE=1
NICE="nice -n 19"
export PIP_DISABLE_PIP_VERSION_CHECK=1
mkdir -p "$VENVS"

say()  { printf '\n==> %s\n' "$*"; }
warn() { printf '\n!!! %s\n' "$*" >&2; FAILED+=("$1"); }
FAILED=()
declare -A SECS

timed() {  # timed NAME cmd...
  local name="$1"; shift
  local t0=$SECONDS
  "$@"; local rc=$?
  SECS[$name]=$(( SECONDS - t0 ))
  return $rc
}

# ------------------------------------------------------------------ main env
setup_main() {
  say "teneva, tensorly, threadpoolctl into $($PY -c 'import sys; print(sys.executable)')"
  $NICE $PY -m pip install -q teneva tensorly threadpoolctl || return 1
  $PY - <<'EOF' || return 1
import numpy, teneva, tensorly
from tensorly.decomposition import tensor_train
import numpy as np
a = np.random.default_rng(0).standard_normal((4, 5, 6))
y = teneva.svd(a, e=1e-12)
assert np.allclose(teneva.full(y), a)
f = tensor_train(a, rank=[1, 4, 6, 1]).factors
print(f"ok: numpy {numpy.__version__}, teneva {teneva.__version__}, tensorly {tensorly.__version__}")
EOF
}

# ------------------------------------------------------------------ torch env
ensure_tntorch() {  # W3 peer; optional
  local V="$VENVS/torch"
  "$V/bin/python" -c "import tntorch" 2>/dev/null && return 0
  say "tntorch into $V"
  "$V/bin/pip" install -q tntorch || { echo "tntorch install failed (peer skipped)" >&2; return 0; }
}

setup_torch() {
  local V="$VENVS/torch"
  if [[ $FORCE == 0 && -x "$V/bin/python" ]] && "$V/bin/python" -c \
      "import torchtt, sys; sys.exit(0 if torchtt.cpp_enabled() else 1)" 2>/dev/null; then
    say "torchtt already installed with its C++ extension in $V"; ensure_tntorch; return 0
  fi
  say "venv $V: torch==2.13.0, then torchtt --no-build-isolation"
  rm -rf "$V"
  $PY -m venv "$V" || return 1
  "$V/bin/pip" install -q torch==2.13.0 || return 1          # the CPU wheel on local disk
  "$V/bin/pip" install -q numpy setuptools wheel threadpoolctl || return 1
  $NICE "$V/bin/pip" install -q torchtt --no-build-isolation || return 1
  "$V/bin/python" - <<'EOF' || return 1
import torch, torchtt, numpy
assert torchtt.cpp_enabled(), "torchtt runs without its C++ extension"
x = torchtt.randn([3, 4, 5], [1, 2, 2, 1])
print(f"ok: torch {torch.__version__}, numpy {numpy.__version__}, torchtt C++ extension on")
EOF
  ensure_tntorch
}

# ------------------------------------------------------------------- ttpy env
ttpy_works() {
  "$VENVS/ttpy/bin/python" - <<'EOF' 2>/dev/null
import numpy as np
for n, v in (("float", float), ("int", int), ("complex", complex), ("bool", bool)):
    if not hasattr(np, n):
        setattr(np, n, v)
import tt
x = tt.rand(np.array([4] * 6), 6, 3)
A = tt.eye(4, 6)
y = tt.matvec(A, x)
assert abs((y - x).norm()) < 1e-10 * x.norm()
print(f"ok: ttpy with numpy {np.__version__}")
EOF
}

setup_ttpy() {
  local V="$VENVS/ttpy" B="$VENVS/ttpy-build"
  if [[ $FORCE == 0 && -x "$V/bin/python" ]] && ttpy_works; then
    say "ttpy already installed in $V"
    "$V/bin/python" -c "import scipy" 2>/dev/null || "$V/bin/pip" install -q "scipy<1.12" || return 1
    return 0
  fi
  say "Debian packages gfortran libopenblas-dev liblapack-dev"
  if ! command -v gfortran >/dev/null || ! dpkg -s libopenblas-dev liblapack-dev >/dev/null 2>&1; then
    if [[ $(id -u) == 0 ]]; then
      apt-get update -q >/dev/null || return 1
      DEBIAN_FRONTEND=noninteractive $NICE apt-get install -y -q gfortran libopenblas-dev liblapack-dev \
        >/dev/null || return 1
    else
      echo "need root for apt-get install gfortran libopenblas-dev liblapack-dev" >&2; return 1
    fi
  fi
  command -v "$TTPY_PYTHON" >/dev/null || { echo "$TTPY_PYTHON not found" >&2; return 1; }
  say "venv $V ($($TTPY_PYTHON --version)): numpy<1.26 setuptools<60 six Cython<3"
  rm -rf "$V" "$B"
  "$TTPY_PYTHON" -m venv "$V" || return 1
  "$V/bin/pip" install -q "numpy<1.26" "setuptools<60" six wheel "cython<3" threadpoolctl \
    "scipy<1.12" || return 1
  mkdir -p "$B"
  say "ttpy 1.2.1 sdist"
  # (pip prepares the sdist's metadata with numpy.distutils, hence Cython and no isolation)
  (cd "$B" && "$V/bin/pip" download -q --no-deps --no-binary :all: --no-build-isolation \
      ttpy==1.2.1 -d .) || return 1
  tar -xzf "$B"/ttpy-1.2.1.tar.gz -C "$B" || return 1
  local SRC="$B/ttpy-1.2.1"
  # numpy.distutils puts the Fortran .mod files in build/temp.<plat>-<X.Y> but passes
  # -Ibuild/temp.<plat>-3.1 on Python 3.11 (shortened name): add the real folder.
  local TMPD
  TMPD="$SRC/build/$("$V/bin/python" -c \
    'import sysconfig, sys; print("temp.%s-%d.%d" % ((sysconfig.get_platform(),) + sys.version_info[:2]))')"
  export FFLAGS="-fallow-argument-mismatch -fPIC -I$TMPD"
  export F90FLAGS="$FFLAGS"
  say "python setup.py build (log: $B/build.log)"
  (cd "$SRC" && $NICE "$V/bin/python" setup.py build >"$B/build.log" 2>&1) \
    || { tail -20 "$B/build.log" >&2; return 1; }
  say "python setup.py install (log: $B/install.log)"
  (cd "$SRC" && $NICE "$V/bin/python" setup.py install >"$B/install.log" 2>&1) \
    || { tail -20 "$B/install.log" >&2; return 1; }
  (cd / && ttpy_works) || return 1
}

# ---------------------------------------------------------------- physics env
physics_works() {  # open Heisenberg chain, L = 10: E0 = -4.258035207282883 in both libraries
  "$VENVS/physics/bin/python" - <<'EOF'
import warnings
warnings.filterwarnings("ignore")
import quimb, quimb.tensor as qtn, tenpy
from tenpy.algorithms import dmrg
from tenpy.models.spins import SpinChain
from tenpy.networks.mps import MPS
E0 = -4.258035207282883
q = qtn.DMRG2(qtn.MPO_ham_heis(10, cyclic=False), bond_dims=[8, 16, 32], cutoffs=1e-12)
q.solve(tol=1e-10)
M = SpinChain({"L": 10, "S": 0.5, "Jx": 1, "Jy": 1, "Jz": 1, "bc_MPS": "finite", "conserve": "Sz"})
psi = MPS.from_product_state(M.lat.mps_sites(), ["up", "down"] * 5, bc="finite")
E = dmrg.run(psi, M, {"trunc_params": {"chi_max": 32, "svd_min": 1e-12}, "mixer": True})["E"]
assert abs(q.energy - E0) < 1e-8 and abs(E - E0) < 1e-8, (q.energy, E)
print(f"ok: tenpy {tenpy.__version__}, quimb {quimb.__version__} (L = 10 ground energies to 1e-8)")
EOF
}

setup_physics() {
  local V="$VENVS/physics"
  if [[ $FORCE == 0 && -x "$V/bin/python" ]] && physics_works 2>/dev/null; then
    say "physics-tenpy and quimb already installed in $V"; return 0
  fi
  say "venv $V: physics-tenpy quimb threadpoolctl"
  rm -rf "$V"
  $PY -m venv "$V" || return 1
  $NICE "$V/bin/pip" install -q physics-tenpy quimb threadpoolctl || return 1
  physics_works
}

for p in $PEERS; do
  case $p in
    main)  timed main  setup_main  || warn main  "teneva/tensorly install failed" ;;
    torch) timed torch setup_torch || warn torch "torchtt (bench/.venvs/torch) install failed" ;;
    ttpy)  timed ttpy  setup_ttpy  || warn ttpy  "ttpy (bench/.venvs/ttpy) build failed" ;;
    physics) timed physics setup_physics \
               || warn physics "physics-tenpy/quimb (bench/.venvs/physics) install failed" ;;
    *) echo "unknown peer group $p (main torch ttpy physics)" >&2; exit 2 ;;
  esac
done

say "summary"
for k in "${!SECS[@]}"; do echo "  $k: ${SECS[$k]} s"; done
if ((${#FAILED[@]})); then
  echo "  failed: ${FAILED[*]} (bench/run.py and bench/sweeps.py skip those peers)"
  exit 1
fi
echo "  all peers installed"
