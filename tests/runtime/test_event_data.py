"""`snnsoc run --data FILE|FOLDER`: SHD-format and N-MNIST-format files written here load, bin and
run through the core and the ISS, which agree bit for bit; the N-MNIST one feeds a NIR CNN that
`snnsoc quantise` reads from a .nir file."""

import json

import nir
import numpy as np
import pytest
from naive.event_writers import write_nmnist_folder, write_shd
from naive.firmware_nets import input_lif_li
from naive.nir_cnn import DT, cnn_graph

from riscv_soc import core
from riscv_soc.cli import main
from riscv_soc.core import load_result
from riscv_soc.quant import QuantConfig, quantise, save_bundle


def _cli(capsys, *argv):
    with pytest.raises(SystemExit) as exit_info:
        main([str(a) for a in argv])
    out = capsys.readouterr()
    return exit_info.value.code, out.out, out.err


def _run_both(capsys, tmp_path, bundle_path, data, *options):
    results = {}
    for backend in ("core", "iss"):
        out = tmp_path / f"{backend}.npz"
        code, text, err = _cli(
            capsys, "run", bundle_path, "--backend", backend, "--data", data, "--out", out, *options
        )
        assert code in (0, None), err
        assert "accuracy" in text
        results[backend] = load_result(out)
    return results


def test_shd_file_runs_on_core_and_iss(capsys, tmp_path):
    rng = np.random.default_rng(0)
    samples = [(np.sort(rng.random(300)) * 0.02, rng.integers(0, 700, 300)) for _ in range(3)]
    shd = write_shd(tmp_path / "shd_test.h5", samples, [4, 11, 19], np.float32)
    bundle = quantise(input_lif_li(rng, 700, 40, 20, steps=10), QuantConfig(weight_bits=8))
    save_bundle(bundle, tmp_path / "b.npz")
    runs = _run_both(capsys, tmp_path, tmp_path / "b.npz", shd, "--dt", 2e-3, "--steps", 10)
    assert runs["core"].readout.shape == (3, 20)
    assert core.diff_results(runs["core"], runs["iss"], activity=False) == []
    assert runs["core"].spikes["h"].any()
    summary = json.loads((tmp_path / "iss.json").read_text())
    assert summary["samples"] == 3


def test_nmnist_folder_runs_a_cnn_on_core_and_iss(capsys, tmp_path):
    rng = np.random.default_rng(1)

    def sample():
        n = 400
        return list(
            zip(
                rng.integers(0, 34, n).tolist(),
                rng.integers(0, 34, n).tolist(),
                rng.integers(0, 2, n).tolist(),
                np.sort(rng.integers(0, 8000, n)).tolist(),
                strict=True,
            )
        )

    root = write_nmnist_folder(tmp_path / "Test", {1: [sample()], 7: [sample()]})
    nir.write(tmp_path / "cnn.nir", cnn_graph(size=34, channels=2))
    code, _, err = _cli(
        capsys,
        "quantise",
        tmp_path / "cnn.nir",
        "--dt",
        DT,
        "--steps",
        8,
        "--weight-bits",
        8,
        "-o",
        tmp_path / "cnn.npz",
    )
    assert code in (0, None), err
    runs = _run_both(capsys, tmp_path, tmp_path / "cnn.npz", root)  # the bundle's dt and steps
    assert runs["core"].spikes["if1"].shape == (2, 8, 4 * 34 * 34)
    assert core.diff_results(runs["core"], runs["iss"], activity=False) == []
    assert runs["core"].spikes["if2"].any()


def test_event_data_of_the_wrong_width_is_one_line(capsys, tmp_path):
    rng = np.random.default_rng(2)
    shd = write_shd(tmp_path / "s.h5", [([0.0], [1])], [0])
    save_bundle(quantise(input_lif_li(rng, 12, 8, 4, steps=4)), tmp_path / "b.npz")
    code, _, err = _cli(
        capsys, "run", tmp_path / "b.npz", "--data", shd, "--out", tmp_path / "o.npz"
    )
    assert code == 2 and "s.h5" in err and "700" in err and "12 inputs" in err
    assert len(err.strip().splitlines()) == 1
    code, _, err = _cli(
        capsys, "run", tmp_path / "b.npz", "--data", shd, "--steps", 0, "--out", tmp_path / "o.npz"
    )
    assert code == 2 and "num_steps=0 must be an integer >= 1" in err
