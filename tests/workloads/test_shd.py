"""FeNN-DMA's SHD classifier: core == ISS (readout, final state, counts) on SHD-like input, the
weights file, the CLI. The full-length 50-sample check is slow."""

import json
import subprocess
import sys

import numpy as np
import pytest

from riscv_soc.errors import DataError
from riscv_soc.workloads import shd


def test_short_samples_match_the_core():
    spikes = shd.input_spikes(3, seed=2, steps=120)
    run = shd.run(shd.random_weights(2), spikes)
    assert run.differences == ()
    assert run.hidden_spikes_mean > 100 and run.cycles_mean > 0


@pytest.mark.slow
def test_fifty_full_samples_match_the_core():
    run = shd.run(shd.random_weights(0), shd.input_spikes(50))
    assert run.differences == () and run.samples == 50


def test_weights_file(tmp_path):
    w = shd.random_weights(1)
    arrays = {k: getattr(w, k) for k in shd.SHAPES}
    np.savez(tmp_path / "w.npz", **arrays)
    loaded = shd.load_weights(tmp_path / "w.npz")
    np.testing.assert_array_equal(loaded.hidden_hidden_delay, w.hidden_hidden_delay)
    arrays["in_hidden_delay"] = arrays["in_hidden_delay"] + 10
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(DataError, match=r"in_hidden_delay outside \[0, 62\]"):
        shd.load_weights(tmp_path / "bad.npz")
    arrays["in_hidden_delay"] = w.in_hidden_delay / 2 + 0.25
    np.savez(tmp_path / "half.npz", **arrays)
    with pytest.raises(DataError, match="in_hidden_delay holds non-integer delays"):
        shd.load_weights(tmp_path / "half.npz")
    del arrays["hidden_out"]
    np.savez(tmp_path / "short.npz", **arrays)
    with pytest.raises(DataError, match="missing arrays"):
        shd.load_weights(tmp_path / "short.npz")


def test_cli(tmp_path):
    cmd = [sys.executable, "-m", "riscv_soc.cli", "bench", "fenn-shd", "--samples", "1", "--json"]
    run = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
    assert run["differences"] == [] and run["latency_ms"] > 0
    bad = subprocess.run(
        [*cmd[:5], "--weights", str(tmp_path / "none.npz")], capture_output=True, text=True
    )
    assert bad.returncode == 2 and "none.npz" in bad.stderr and bad.stderr.count("\n") == 1
    w = shd.random_weights(1)
    arrays = {k: getattr(w, k) for k in shd.SHAPES}
    arrays["hidden_out"] = arrays["hidden_out"][:, :5]
    np.savez(tmp_path / "narrow.npz", **arrays)
    bad = subprocess.run(
        [*cmd[:5], "--weights", str(tmp_path / "narrow.npz")], capture_output=True, text=True
    )
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1
    assert "narrow.npz: hidden_out shape (256, 5), want (256, 20)" in bad.stderr
