"""FeNN-DMA's N-MNIST classifier: core == ISS with every hidden spike recorded (rows from DDR),
the weights file, the CLI. The full-length 50-sample check is slow."""

import json
import subprocess
import sys

import numpy as np
import pytest

from riscv_soc.errors import DataError
from riscv_soc.workloads import nmnist


def test_short_samples_match_the_core():
    run = nmnist.run(nmnist.random_weights(3), nmnist.input_spikes(3, seed=3, steps=60))
    assert run.differences == ()
    assert run.hidden_spikes_mean > 100


@pytest.mark.slow
def test_fifty_full_samples_match_the_core():
    run = nmnist.run(nmnist.random_weights(0), nmnist.input_spikes(50))
    assert run.differences == () and run.samples == 50


def test_weights_file(tmp_path):
    w = nmnist.random_weights(1)
    arrays = {k: getattr(w, k) for k in nmnist.SHAPES}
    np.savez(tmp_path / "w.npz", **arrays)
    np.testing.assert_array_equal(nmnist.load_weights(tmp_path / "w.npz").out_bias, w.out_bias)
    arrays["hidden_out"] = arrays["hidden_out"][:, :5]
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(DataError, match=r"hidden_out shape \(512, 5\), want \(512, 10\)"):
        nmnist.load_weights(tmp_path / "bad.npz")


def test_cli():
    cmd = [
        sys.executable,
        "-m",
        "riscv_soc.cli",
        "bench",
        "fenn-nmnist",
        "--samples",
        "1",
        "--json",
    ]
    run = json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)
    assert run["differences"] == [] and run["latency_ms"] > 0
