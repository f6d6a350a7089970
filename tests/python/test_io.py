"""save/load: round trips, the documented layout readable by numpy alone, corrupted files."""

import numpy as np
import pytest

import tensortrain as tt


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.complex128])
def test_roundtrip(tmp_path, dtype):
    x = tt.random((3, 4, 5), 3, seed=1, dtype=dtype)
    p = tmp_path / "x.npz"
    tt.save(p, x)
    y = tt.load(p)
    assert isinstance(y, tt.TensorTrain) and y.dtype == np.dtype(dtype)
    for a, b in zip(x.cores, y.cores):
        np.testing.assert_array_equal(a, b)
    x.save(tmp_path / "m.npz")
    assert tt.TensorTrain.load(tmp_path / "m.npz").ranks == x.ranks


def test_ttmatrix_roundtrip(tmp_path):
    A = tt.random_matrix((2, 3), (3, 4), 2, seed=3)
    tt.save(tmp_path / "a.npz", A)
    B = tt.load(tmp_path / "a.npz")
    assert isinstance(B, tt.TTMatrix) and B.row_dims == (2, 3) and B.col_dims == (3, 4)
    np.testing.assert_array_equal(A.full(), B.full())


def test_layout_readable_by_numpy_alone(tmp_path):
    x = tt.random((3, 4, 5), 2, seed=2)
    tt.save(tmp_path / "x.npz", x)
    z = np.load(tmp_path / "x.npz")
    assert str(z["format"]) == "tensortrain" and int(z["format_version"]) == 1
    assert list(z["shape"]) == [3, 4, 5] and list(z["ranks"]) == list(x.ranks)
    cores = [z[f"core_{k}"] for k in range(3)]
    full = np.einsum("aib,bjc,ckd->ijk", *cores)
    np.testing.assert_allclose(full, x.full(), rtol=1e-13)


def test_corrupted_and_truncated_files(tmp_path):
    x = tt.random((3, 4, 5), 2, seed=2)
    p = tmp_path / "x.npz"
    tt.save(p, x)
    data = p.read_bytes()
    (tmp_path / "trunc.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(tt.FormatError):
        tt.load(tmp_path / "trunc.npz")
    (tmp_path / "junk.npz").write_bytes(b"not a zip file at all")
    with pytest.raises(tt.FormatError):
        tt.load(tmp_path / "junk.npz")
    np.savez(tmp_path / "foreign.npz", a=np.ones(3))
    with pytest.raises(tt.FormatError, match="missing"):
        tt.load(tmp_path / "foreign.npz")
    z = dict(np.load(p))
    z["core_1"] = np.ones((2, 4, 3))
    np.savez(tmp_path / "bad.npz", **z)
    with pytest.raises(tt.FormatError, match="core 1"):
        tt.load(tmp_path / "bad.npz")
    z = dict(np.load(p))
    z["core_2"] = np.full((2, 5, 1), np.nan)
    np.savez(tmp_path / "nan.npz", **z)
    with pytest.raises(ValueError, match="NaN"):
        tt.load(tmp_path / "nan.npz")
    with pytest.raises(FileNotFoundError):
        tt.load(tmp_path / "missing.npz")
    with pytest.raises(TypeError):
        tt.save(tmp_path / "y.npz", np.ones(3))
