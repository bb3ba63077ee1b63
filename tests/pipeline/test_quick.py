"""`snnsoc pipeline --quick` end to end, as CI runs it (one shared run: conftest.quick_run), and the
default config's training stages against the study's seed-0 models (docs/findings_data/results.csv).
"""

from __future__ import annotations

import csv
import json
import os
import re
import stat
from pathlib import Path

import pytest

from riscv_soc.pipeline import STAGE_NAMES, load_config, run_pipeline

ROOT = Path(__file__).resolve().parents[2]
KEYS = ("acc", "unbiased_acc", "wga", "spurious_gap")
ROW_LABELS = (
    "teacher (ANN)",
    "student (float)",
    "core (fixed point)",
    "ISS (firmware)",
    "core, RTL samples",
    "RTL (firmware)",
)


@pytest.mark.slow
@pytest.mark.rtl
def test_quick_pipeline_runs_every_stage_and_prints_the_summary(quick_run):
    assert quick_run.returncode == 0, quick_run.stderr
    for i, name in enumerate(STAGE_NAMES, 1):
        assert re.search(rf"\[{i}/{len(STAGE_NAMES)}\] {name} +done in ", quick_run.stdout), name
    for label in ROW_LABELS:
        assert re.search(rf"{re.escape(label)}\s+\S\s+\d+\s", quick_run.stdout), label
    assert f"report: {quick_run.out / 'report.html'}" in quick_run.stdout
    print(f"snnsoc pipeline --quick: {quick_run.seconds:.1f} s")  # shown with -s / -rP


@pytest.mark.slow
@pytest.mark.rtl
def test_quick_report_states_that_the_rtl_equals_the_core(quick_run):
    out = quick_run.out
    md = (out / "report.md").read_text()
    assert "**FAIL**" not in md
    assert (
        "> **PASS**: RTL vs core on the stratified subset (100 samples, 100 of 100 groups): "
        "identical" in md
    )
    assert "> **PASS**: RTL vs ISS on the same samples, cycles and activity counters" in md
    rtl = json.loads((out / "rtl" / "stage.json").read_text())["metrics"]
    subset = rtl["subset_scores"]
    equal = f"{100 * subset['rtl']['wga']:.1f} %) equal the core's on the same samples"
    assert equal in md and subset["rtl"] == subset["core"]
    rows = {r["stage"]: r for r in json.loads((out / "summary.json").read_text())["rows"]}
    for key in KEYS:
        assert rows["RTL (firmware)"][key] == rows["core, RTL samples"][key], key
    html = (out / "report.html").read_text()
    assert html.count('src="data:image/png;base64,') == 4
    assert not re.search(r"(src|href)=\"(?!data:)", html)  # nothing fetched


@pytest.mark.slow
@pytest.mark.rtl
def test_quick_run_files_honour_the_umask(quick_run):
    umask = os.umask(0o022)
    os.umask(umask)
    for name in ("report.html", "report.md", "summary.json", "config.json", "core/stage.json"):
        assert stat.S_IMODE((quick_run.out / name).stat().st_mode) == 0o666 & ~umask, name


@pytest.mark.slow
@pytest.mark.rtl
def test_quick_rerun_skips_every_stage(quick_run, snnsoc_cli):
    out = quick_run.out
    stamps = {name: (out / name / "stage.json").stat().st_mtime_ns for name in STAGE_NAMES}
    report = (out / "report.md").read_text(), (out / "report.html").read_text()
    again = snnsoc_cli("pipeline", "--quick", "--out", str(out))
    assert again.returncode == 0, again.stderr
    assert again.stdout.count("skipped (inputs unchanged)") == len(STAGE_NAMES)
    assert stamps == {name: (out / name / "stage.json").stat().st_mtime_ns for name in STAGE_NAMES}
    assert ((out / "report.md").read_text(), (out / "report.html").read_text()) == report


def _study_rows() -> dict:
    rows = {}
    with (ROOT / "docs" / "findings_data" / "results.csv").open() as f:
        for row in csv.DictReader(f):
            if (row["dataset"], row["rho"], row["seed"], row["method"], row["split"]) == (
                "colour_digits",
                "0.95",
                "0",
                "poe",
                "test",
            ):
                rows[(row["role"], row["kd"], row["remedy"])] = {k: float(row[k]) for k in KEYS}
    return rows


@pytest.mark.slow
def test_default_training_reproduces_the_study(tmp_path):
    """The default config trains the `paper` preset's seed-0 PoE models, bit for bit."""
    result = run_pipeline(load_config(), tmp_path / "run", until="baselines")
    study = _study_rows()
    records = {name: result.records[name].metrics.scores for name in ("teacher", "student")}
    baselines = {k: m.scores for k, m in result.records["baselines"].metrics.models.items()}
    ours = {
        ("teacher", "none", "none"): records["teacher"],
        ("distilled", "rate", "convert+augment"): records["student"],
        ("student", "none", "none"): baselines["alone"],
        ("distilled", "rate", "none"): baselines["plain"],
    }
    # Scores are ratios of sample counts: a tolerance of half a test sample tells any changed
    # prediction apart without asking for equal float bits (training itself is pinned to the same
    # bits on every x86-64 CPU with AVX2: snn.determinism).
    half_a_sample = 0.5 / result.records["teacher"].metrics.scores.samples
    for key, scores in ours.items():
        assert {k: getattr(scores, k) for k in KEYS} == pytest.approx(
            study[key], abs=half_a_sample
        ), key
