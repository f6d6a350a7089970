"""Peer adapters. Each module exposes NAME, version() and any of the operation
functions tt_svd, read_pass, round_sum, matvec, dot, norm, batch_eval, cross; see
peers/numpy_.py for the (run, finish) protocol (cross: peers/tensortrain_.py). PEERS maps a peer name to its
module and to the virtual environment whose Python runs it (None: the Python
that runs bench/run.py)."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
VENVS = os.path.join(os.path.dirname(HERE), ".venvs")

PEERS = {
    "tensortrain": {"module": "peers.tensortrain_", "venv": None},
    "numpy": {"module": "peers.numpy_", "venv": None},
    "teneva": {"module": "peers.teneva_", "venv": None},
    "tensorly": {"module": "peers.tensorly_", "venv": None},
    "torchtt": {"module": "peers.torchtt_", "venv": "torch"},
    "ttpy": {"module": "peers.ttpy_", "venv": "ttpy"},
    "tntorch": {"module": "peers.tntorch_", "venv": "torch"},        # W3 cross only
    "tensortrain-maxvol": {"module": "peers.tensortrain_maxvol", "venv": None},  # W3, method="maxvol"
    "tensortrain-dmrg": {"module": "peers.tensortrain_dmrg", "venv": None},  # W3, method="dmrg"
}

OPS = ("tt_svd", "read_pass", "round_sum", "matvec", "dot", "norm", "batch_eval", "cross")


def python_for(name, default):
    venv = PEERS[name]["venv"]
    if venv is None:
        return default
    return os.path.join(VENVS, venv, "bin", "python")
