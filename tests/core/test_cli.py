"""`snnsoc quantise` and `snnsoc run --backend core`: a real SpikingStudent end to end, and one-line
errors with exit status 2 for bad input."""

import json

import numpy as np
import pytest
import torch

from riscv_soc import core
from riscv_soc.cli import main
from snn.models import SpikingStudent, save_student


def _cli(capsys, *argv):
    with pytest.raises(SystemExit) as exit_info:
        main(list(argv))
    out = capsys.readouterr()
    return exit_info.value.code, out.out, out.err


@pytest.fixture(scope="module")
def student_path(tmp_path_factory):
    torch.manual_seed(0)
    arch = {
        "inputs": 12,
        "hidden": [40],
        "outputs": 4,
        "recurrent": True,
        "num_steps": 10,
        "weight_bits": 8,
    }
    path = tmp_path_factory.mktemp("s") / "student.pt"
    save_student(SpikingStudent(arch), path)
    return path


def test_quantise_and_run_a_student(capsys, tmp_path, student_path):
    code, out, _ = _cli(
        capsys,
        "quantise",
        str(student_path),
        "-o",
        str(tmp_path / "b.npz"),
        "--rounding",
        "sr",
        "--nir",
        str(tmp_path / "q.nir"),
    )
    assert code in (0, None) and "hidden0: s" in out and (tmp_path / "q.nir").exists()
    rng = np.random.default_rng(0)
    spikes = (rng.random((5, 10, 12)) < 0.4).astype(np.uint8)
    labels, groups = rng.integers(0, 4, 5), np.array([0, 0, 1, 1, 1])
    np.savez(tmp_path / "d.npz", spikes=spikes, labels=labels, groups=groups)
    code, out, _ = _cli(
        capsys,
        "run",
        str(tmp_path / "b.npz"),
        "--backend",
        "core",
        "--data",
        str(tmp_path / "d.npz"),
        "--out",
        str(tmp_path / "r.npz"),
        "--seed",
        "3",
    )
    assert code in (0, None) and "accuracy" in out
    summary = json.loads((tmp_path / "r.json").read_text())
    saved = core.load_result(tmp_path / "r.npz")
    from riscv_soc.quant import load_bundle

    again = core.run(load_bundle(tmp_path / "b.npz"), spikes, seed=3)
    assert core.diff_results(saved, again) == []
    assert (
        saved.spikes["hidden0"].shape == (5, 10, 40) and saved.state["readout_V"].dtype == np.int16
    )
    assert summary["accuracy"] == float(np.mean(again.predictions == labels))
    assert set(summary["group_accuracy"]) == {"0", "1"} and "worst_group_accuracy" in summary


def test_errors_are_one_line_exit_2(capsys, tmp_path, student_path):
    _cli(capsys, "quantise", str(student_path), "-o", str(tmp_path / "b.npz"))
    bad = tmp_path / "bad.npz"
    np.savez(bad, spikes=np.zeros((2, 10, 13), np.uint8))
    code, _, err = _cli(
        capsys, "run", str(tmp_path / "b.npz"), "--data", str(bad), "--out", str(tmp_path / "r.npz")
    )
    assert code == 2 and err.count("\n") == 1 and "expected [samples, steps >= 1, 12 inputs]" in err
    data = (tmp_path / "b.npz").read_bytes()
    (tmp_path / "cut.npz").write_bytes(data[:100])
    code, _, err = _cli(
        capsys,
        "run",
        str(tmp_path / "cut.npz"),
        "--data",
        str(bad),
        "--out",
        str(tmp_path / "r.npz"),
    )
    assert code == 2 and "cut.npz: not a readable bundle" in err and err.count("\n") == 1
    code, _, err = _cli(capsys, "quantise", str(tmp_path / "missing.nir"), "-o", str(bad))
    assert code == 2 and "missing.nir: no such NIR file" in err
