"""`snnsoc compile` and `snnsoc run --backend iss`: FWDIR and on-the-fly compilation give the
core's results; user errors print one line and exit 2."""

import json

import numpy as np
import pytest
from naive.firmware_nets import family_bundle, spikes_for

from riscv_soc import core
from riscv_soc.cli import main
from riscv_soc.core import load_result
from riscv_soc.quant import save_bundle


def _cli(capsys, *argv):
    with pytest.raises(SystemExit) as exit_info:
        main([str(a) for a in argv])
    out = capsys.readouterr()
    return exit_info.value.code, out.out, out.err


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cli")
    bundle = family_bundle("sparse_cubalif")
    save_bundle(bundle, tmp / "net.npz")
    spikes = spikes_for(bundle, 4)
    np.savez(tmp / "data.npz", spikes=spikes, labels=np.arange(4) % 3, groups=np.arange(4) % 2)
    return tmp, bundle, spikes


def test_compile_then_run_on_every_backend(capsys, files):
    tmp, bundle, spikes = files
    code, out, _ = _cli(capsys, "compile", tmp / "net.npz", "-o", tmp / "fw", "--profile")
    assert code in (0, None) and out.startswith(f"wrote {tmp / 'fw'}: 10 files, code ")
    assert "  llm: 8 of 2048 bytes per lane (2 regions)" in out
    results = {}
    for backend, network, *extra in (
        ("core", "net.npz"),
        ("iss", "fw"),
        ("iss", "net.npz"),
        ("core", "fw"),
        ("iss", "fw", "--batch", "3"),
    ):
        name = f"{backend}_{network.split('.')[0]}{len(extra)}.npz"
        code, out, _ = _cli(
            capsys,
            "run",
            tmp / network,
            "--backend",
            backend,
            "--data",
            tmp / "data.npz",
            "--out",
            tmp / name,
            *extra,
        )
        assert code in (0, None) and "4 samples, accuracy" in out
        results[name] = load_result(tmp / name)
    want = core.run(bundle, spikes, seed=0)
    for name, got in results.items():
        assert core.diff_results(want, got, activity=False) == [], name
    summary = json.loads((tmp / "iss_fw0.json").read_text())
    assert summary["backend"] == "iss" and summary["activity_totals"]["cycles"] > 0
    assert "profile_h_synaptic" in summary["activity_totals"]


def test_compile_records_only_the_populations_asked_for(capsys, files):
    tmp, bundle, spikes = files
    code, _, _ = _cli(capsys, "compile", tmp / "net.npz", "-o", tmp / "fw_out", "--record", "none")
    assert code in (0, None)
    manifest = json.loads((tmp / "fw_out" / "manifest.json").read_text())
    assert manifest["io"]["record"]["populations"] == {}
    assert manifest["io"]["record"]["not_recorded"] == ["h"]
    assert manifest["options"]["record"] == []
    code, _, _ = _cli(
        capsys,
        "run",
        tmp / "fw_out",
        "--backend",
        "iss",
        "--data",
        tmp / "data.npz",
        "--out",
        tmp / "r_out.npz",
    )
    got = load_result(tmp / "r_out.npz")
    want = core.run(bundle, spikes, seed=0)
    assert core.diff_results(want, got, activity=False) == ["spikes_h: only in first run"]


def test_one_step_rule_on_every_backend(capsys, files):
    """A bundle runs the data's steps (the ISS compiles for them); FWDIR only its own steps."""
    tmp, bundle, _ = files
    steps = bundle.num_steps + 3
    spikes = np.random.default_rng(2).random((2, steps, bundle.n_inputs)) < 0.3
    np.savez(tmp / "longer.npz", spikes=spikes.astype(np.uint8))
    _cli(capsys, "compile", tmp / "net.npz", "-o", tmp / "fw_steps")
    want = core.run(bundle, spikes.astype(np.uint8), seed=0)
    for backend in ("core", "iss"):
        argv = ("--backend", backend, "--data", tmp / "longer.npz", "--out", tmp / "r.npz")
        code, _, _ = _cli(capsys, "run", tmp / "net.npz", *argv)
        assert code in (0, None)
        assert core.diff_results(want, load_result(tmp / "r.npz"), activity=False) == []
        code, _, err = _cli(capsys, "run", tmp / "fw_steps", *argv)
        assert code == 2 and err.count("\n") == 1, err
        assert f"{steps} steps per sample, but this firmware was compiled for " in err
        assert f"snnsoc quantise --steps {steps}" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("compile", "{tmp}/missing.npz", "-o", "{tmp}/x"), "no such bundle file"),
        (("compile", "{tmp}/net.npz", "-o", "{tmp}/x", "--weights", "sram"), "weights='sram'"),
        (("compile", "{tmp}/net.npz", "-o", "{tmp}/x", "--ddr-mib", "3"), "--ddr-mib 3"),
        (("compile", "{tmp}/net.npz", "-o", "{tmp}/x", "--target", "fpga"), "target='fpga'"),
        (
            ("compile", "{tmp}/net.npz", "-o", "{tmp}/x", "--record", "h,hh"),
            "record: 'hh' is not a spiking population",
        ),
        (
            (
                "run",
                "{tmp}",
                "--backend",
                "iss",
                "--data",
                "{tmp}/data.npz",
                "--out",
                "{tmp}/r.npz",
            ),
            "no manifest",
        ),
        (
            (
                "run",
                "{tmp}/net.npz",
                "--backend",
                "fpga",
                "--data",
                "{tmp}/data.npz",
                "--out",
                "{tmp}/r.npz",
            ),
            "--backend 'fpga'",
        ),
        (
            (
                "run",
                "{tmp}/net.npz",
                "--backend",
                "core",
                "--data",
                "{tmp}/data.npz",
                "--out",
                "{tmp}/r.npz",
                "--batch",
                "2",
            ),
            "--batch, --workers, --address: for --backend iss",
        ),
        (
            (
                "run",
                "{tmp}/net.npz",
                "--backend",
                "iss",
                "--data",
                "{tmp}/data.npz",
                "--out",
                "{tmp}/r.npz",
                "--batch",
                "99999999",
            ),
            "holds at most",
        ),
    ],
)
def test_user_errors_are_one_line(capsys, files, argv, message):
    tmp = files[0]
    code, _, err = _cli(capsys, *(a.format(tmp=tmp) for a in argv))
    assert code == 2 and err.count("\n") == 1 and message in err, err
