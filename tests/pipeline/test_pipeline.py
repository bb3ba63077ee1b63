"""riscv_soc/pipeline/runner.py and `snnsoc pipeline|report` on a tiny config: every stage runs,
the executions agree, an interrupted run resumes to the same results, changed inputs rerun only
what depends on them, and a failed check is loud."""

from __future__ import annotations

import dataclasses
import re
import shutil

import numpy as np
import pytest

from riscv_soc.cli import main
from riscv_soc.core import load_result
from riscv_soc.pipeline import STAGE_NAMES, STAGES, load_config, run_pipeline, runner
from riscv_soc.runfolder.config import to_toml
from riscv_soc.runfolder.summary import summary_rows

pytestmark = pytest.mark.rtl

TINY = """
[data]
dataset = "tint_groups"
[teacher]
options = {hidden = [16], activation = "qcfs", levels = 4}
epochs = 2
[student]
arch = {hidden = [16], num_steps = 4, weight_bits = 16}
epochs = 1
[rtl]
per_group = 2
[calibration]
samples = 1
"""
RUNS = ("core", "iss", "rtl")


def tiny(tmp_path, **changes) -> dict:
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    config = load_config(path)
    for key, value in changes.items():
        section, name = key.split("__")
        config[section][name] = value
    return config


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """One uninterrupted run of the tiny config."""
    folder = tmp_path_factory.mktemp("tiny")
    config = tiny(folder)
    return config, run_pipeline(config, folder / "run")


def copy_run(reference, tmp_path):
    config, result = reference
    out = tmp_path / "copy"
    shutil.copytree(result.out, out)
    return config, out


def test_every_stage_runs_and_the_executions_agree(reference):
    _, result = reference
    assert result.executed == list(STAGE_NAMES) and result.skipped == []
    assert result.failures == []
    iss, rtl = result.records["iss"].metrics, result.records["rtl"].metrics
    assert iss.bit_exact_core and iss.scores.samples == 718
    assert rtl.bit_exact_core and rtl.bit_exact_iss and rtl.scores_equal_core
    assert (rtl.scores.samples, rtl.groups, rtl.groups_in_test) == (8, 4, 4)
    assert rtl.subset_scores["rtl"].wga == rtl.subset_scores["core"].wga
    variants = result.records["calibration"].metrics.variants
    assert set(variants) == {"auto", "memory"} and all(v.bit_exact_core for v in variants.values())
    rtl_result = load_result(result.out / "rtl" / "results.npz")
    index = np.load(result.out / "rtl" / "subset.npy")
    core = load_result(result.out / "core" / "results.npz")
    assert np.array_equal(rtl_result.readout, core.readout[index])  # no RNG in this network
    # the float reference reads the student as snntorch runs it, and the core follows it
    ref = result.records["core"].metrics.float_reference
    assert ref.agreement_with_float_student > 0.99 and ref.comparison.class_agreement > 0.95
    assert [p.name for p in ref.comparison.populations] == ["hidden0", "readout"]


def test_summary_rows(reference):
    _, result = reference
    rows = {row["stage"]: row for row in summary_rows(result.records)}
    clock = result.records["energy"].metrics.clock_hz
    assert clock == 175e6
    iss = rows["ISS (firmware)"]
    assert iss["latency_s"] == pytest.approx(iss["cycles"] / clock)
    assert iss["board_j"] > iss["core_j"] > 0
    assert rows["core (fixed point)"]["wga"] == iss["wga"]
    assert rows["teacher (ANN)"]["cycles"] is None and rows["teacher (ANN)"]["op_count_j"] > 0
    assert rows["core, RTL samples"]["acc"] == rows["RTL (firmware)"]["acc"]


def test_report_is_self_contained_and_rebuilds(reference, capsys):
    _, result = reference
    md_path, html_path = result.report
    md, html = md_path.read_text(), html_path.read_text()
    assert "**FAIL**" not in md and "> **PASS**: RTL vs core" in md
    assert "against the float reference" in md and "| hidden0 |" in md
    for name in re.findall(r"\]\((plots/[^)]+)\)", md):
        assert (result.out / name).is_file()
    assert html.count('src="data:image/png;base64,') == 4
    assert not re.search(r"(src|href)=\"(?!data:)", html)  # nothing fetched
    md_path.unlink()
    html_path.unlink()
    with pytest.raises(SystemExit) as done:
        main(["report", str(result.out)])
    assert done.value.code == 0
    assert (md_path.read_text(), html_path.read_text()) == (md, html)


def test_interrupted_run_resumes_to_the_same_results(reference, tmp_path, monkeypatch):
    config, uninterrupted = reference
    out = tmp_path / "run"
    first = run_pipeline(config, out, until="core")
    assert first.executed == list(STAGE_NAMES[:5]) and first.report is None

    def crash(ctx, folder):  # Ctrl-C in the middle of the ISS stage
        (folder / "results.npz").write_bytes(b"half a file")
        raise KeyboardInterrupt

    crashing = tuple(dataclasses.replace(s, run=crash) if s.name == "iss" else s for s in STAGES)
    monkeypatch.setattr(runner, "STAGES", crashing)
    with pytest.raises(KeyboardInterrupt):
        run_pipeline(config, out)
    monkeypatch.setattr(runner, "STAGES", STAGES)
    finished = STAGE_NAMES[:6]  # up to the firmware
    stamps = {name: (out / name / "stage.json").stat().st_mtime_ns for name in finished}

    resumed = run_pipeline(config, out)
    assert resumed.skipped == list(finished)
    assert resumed.executed == list(STAGE_NAMES[6:])
    assert stamps == {name: (out / name / "stage.json").stat().st_mtime_ns for name in finished}
    for name in STAGE_NAMES:
        assert resumed.records[name].metrics == uninterrupted.records[name].metrics, name
    for name in RUNS:
        a, b = (
            load_result(out / name / "results.npz"),
            load_result(uninterrupted.out / name / "results.npz"),
        )
        assert {k: v.tolist() for k, v in a.arrays().items()} == {
            k: v.tolist() for k, v in b.arrays().items()
        }


def test_cli_interrupt_then_resume(reference, tmp_path, monkeypatch, capsys):
    """Ctrl-C during a stage: one line and exit 130; the same command then redoes only that
    stage and what follows it."""
    config, out = copy_run(reference, tmp_path)
    path = tmp_path / "config.toml"
    path.write_text(to_toml(dict(config, energy={"clock_mhz": 100.0})))
    command = ["pipeline", "--config", str(path), "--out", str(out), "--quiet"]

    def interrupt(ctx, folder):
        raise KeyboardInterrupt

    interrupted = tuple(
        dataclasses.replace(s, run=interrupt) if s.name == "energy" else s for s in STAGES
    )
    monkeypatch.setattr(runner, "STAGES", interrupted)
    with pytest.raises(SystemExit) as done:
        main(command)
    _, err = capsys.readouterr()
    assert done.value.code == 130
    assert err == f"snnsoc: interrupted; the same command resumes ({out})\n"
    assert not (out / "energy" / "stage.json").exists()
    monkeypatch.setattr(runner, "STAGES", STAGES)
    with pytest.raises(SystemExit) as done:
        main(command[:-1])  # with progress
    stdout, _ = capsys.readouterr()
    assert done.value.code == 0
    assert stdout.count("skipped (inputs unchanged)") == len(STAGES) - 1
    assert re.search(r"\[9/10\] energy +done in ", stdout)
    assert "at 100 MHz" in stdout and (out / "report.html").is_file()


def test_changed_inputs_rerun_only_what_depends_on_them(reference, tmp_path):
    config, out = copy_run(reference, tmp_path)
    again = run_pipeline(config, out)
    assert again.executed == [] and again.skipped == list(STAGE_NAMES)
    clock = run_pipeline(dict(config, energy={"clock_mhz": 100.0}), out)
    assert clock.executed == ["energy"]
    subset = run_pipeline(dict(config, rtl={**config["rtl"], "per_group": 1}), out)
    assert subset.executed == ["rtl", "energy"]
    assert subset.records["rtl"].metrics.scores.samples == 4


def test_a_failed_check_is_loud(reference, tmp_path, monkeypatch, capsys):
    config, out = copy_run(reference, tmp_path)
    monkeypatch.setattr(
        "riscv_soc.pipeline.hardware.compare_runs",
        lambda a, b: ["readout: 1 entries differ, first at (0, 0): 3 != 4"],
    )
    config = dict(config, rtl={**config["rtl"], "per_group": 1})
    result = run_pipeline(config, out)
    assert result.failures == [
        "RTL run differs from the core run on the RTL's samples: readout: 1 entries differ, "
        "first at (0, 0): 3 != 4"
    ]
    assert (
        "> **FAIL**: RTL vs core on the stratified subset (4 samples, 4 of 4 groups): DIFFER"
        in result.report[0].read_text()
    )
    path = tmp_path / "config.toml"
    path.write_text(to_toml(config))
    with pytest.raises(SystemExit) as done:
        main(["pipeline", "--config", str(path), "--out", str(out), "--quiet"])
    _, err = capsys.readouterr()
    assert done.value.code == 1  # rerun: nothing redone, the failure still reported
    assert "snnsoc: VERIFICATION FAILED: RTL run differs from the core run" in err


def test_cli_errors(tmp_path, capsys):
    for args, expected in (
        (["report", str(tmp_path)], "no config.json; not a pipeline run folder"),
        (
            ["pipeline", "--quick", "--until", "nowhere", "--out", str(tmp_path)],
            "until='nowhere' is not a stage; stages: teacher, student",
        ),
    ):
        with pytest.raises(SystemExit) as done:
            main(args)
        _, err = capsys.readouterr()
        assert done.value.code == 2 and err.count("\n") == 1 and expected in err


def test_conf_reg_trains_its_erm_helpers(tmp_path):
    """conf-reg needs an ERM model of each role; the training stages train them first."""
    config = tiny(tmp_path, teacher__method="conf_reg")
    result = run_pipeline(config, tmp_path / "run", until="baselines")
    assert result.executed == ["teacher", "student", "baselines"]
    runs = tmp_path / "run" / "teacher" / "runs"
    assert {p.name for p in runs.rglob("*.pt")} == {
        "teacher__erm__none__none.pt",
        "teacher__conf_reg__none__none.pt",
    }
    assert result.records["student"].metrics.model == "distilled__conf_reg__rate__convert-augment"
