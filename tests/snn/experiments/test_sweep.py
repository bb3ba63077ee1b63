"""Sweeps: results.csv, resuming after an interruption, corrupt files, the Ray backend."""

import csv

import pytest

from snn.errors import CheckpointError, ConfigError
from snn.experiments import COLUMNS, expand, run, write_report
from snn.experiments.results import read_results
from snn.experiments.runner import UnitRun

SPEC_COLUMNS = [
    "dataset",
    "rho",
    "seed",
    "method",
    "kd",
    "remedy",
    "role",
    "acc",
    "unbiased_acc",
    "aligned_acc",
    "conflicting_acc",
    "wga",
    "spurious_gap",
    "spikes_per_sample",
]


def _rows(path):
    with path.open() as f:
        return [{k: v for k, v in row.items() if k != "train_seconds"} for row in csv.DictReader(f)]


def test_results_csv_has_one_row_per_model_and_split(tiny_preset, tmp_path):
    path = run(tiny_preset, tmp_path, workers=1, progress=False)
    rows = _rows(path)
    assert list(COLUMNS[: len(SPEC_COLUMNS) + 1]) == [*SPEC_COLUMNS[:7], "split", *SPEC_COLUMNS[7:]]
    assert len(rows) == 6 * 3  # teacher, student, distilled x erm, poe; val, test, test_biased
    assert {(r["role"], r["split"]) for r in rows} >= {
        ("teacher", "test"),
        ("distilled", "test_biased"),
        ("student", "val"),
    }
    student = next(r for r in rows if r["role"] == "distilled")
    assert float(student["spikes_per_sample"]) > 0 and float(student["synops_per_sample"]) > 0
    teacher = next(r for r in rows if r["role"] == "teacher")
    assert teacher["spikes_per_sample"] == ""  # ANNs do not spike
    for r in rows:
        assert 0.0 <= float(r["wga"]) <= float(r["unbiased_acc"]) <= 1.0
    report = write_report(read_results(path), tmp_path).read_text()
    assert "picked on val WGA; every number shown is on test" in report
    assert "best debiased teacher on val `poe`" in report and "fell back" not in report


def test_interrupted_sweep_resumes_without_redoing_finished_models(
    tiny_preset, tmp_path, monkeypatch
):
    clean = _rows(run(tiny_preset, tmp_path / "clean", workers=1, progress=False))
    trained = []
    original = UnitRun.train_model

    def crash_on_fourth(self, spec):
        if len(trained) == 3:
            raise KeyboardInterrupt  # the user pressed Ctrl-C in the middle of a sweep
        trained.append(spec.key)
        return original(self, spec)

    monkeypatch.setattr(UnitRun, "train_model", crash_on_fourth)
    with pytest.raises(KeyboardInterrupt):
        run(tiny_preset, tmp_path / "resumed", workers=1, progress=False)
    assert len(trained) == 3
    finished = sorted(p.name for p in (tmp_path / "resumed").rglob("*.json"))
    assert len(finished) == 3 and not list((tmp_path / "resumed").rglob("*.tmp"))

    retrained = []

    def record(self, spec):
        retrained.append(spec.key)
        return original(self, spec)

    monkeypatch.setattr(UnitRun, "train_model", record)
    resumed = _rows(run(tiny_preset, tmp_path / "resumed", workers=1, progress=False))
    assert len(retrained) == 3 and not set(retrained) & set(trained)
    assert resumed == clean  # seeded per model: resuming gives the uninterrupted results
    retrained.clear()
    run(tiny_preset, tmp_path / "resumed", workers=1, progress=False)
    assert retrained == []


def test_corrupt_files_are_reported_not_silently_retrained(tiny_preset, tmp_path):
    run(tiny_preset, tmp_path, workers=1, progress=False)
    unit = expand(tiny_preset)[0]
    folder = tmp_path / "runs" / unit.key
    (folder / "distilled__poe__rate__none.json").unlink()  # must reload the poe teacher
    (folder / "teacher__poe__none__none.pt").write_bytes(b"garbage")
    with pytest.raises(CheckpointError, match="teacher__poe__none__none.pt: not a readable"):
        run(tiny_preset, tmp_path, workers=1, progress=False)
    (folder / "student__erm__none__none.json").write_text("{ half a record")
    with pytest.raises(CheckpointError, match="student__erm__none__none.json: corrupt"):
        run(tiny_preset, tmp_path, workers=1, progress=False)


def test_bad_sweep_arguments(tiny_preset, tmp_path):
    with pytest.raises(ConfigError, match="valid: local, ray"):
        run(tiny_preset, tmp_path, backend="slurm")
    with pytest.raises(ConfigError, match="workers"):
        run(tiny_preset, tmp_path, workers=0)
    with pytest.raises(ConfigError, match="address"):
        run(tiny_preset, tmp_path, address="10.0.0.1:6379")


@pytest.mark.slow
def test_process_pool_and_ray_backends_match_the_serial_run(tiny_preset, tmp_path):
    serial = _rows(run(tiny_preset, tmp_path / "serial", workers=1, progress=False))
    pooled = _rows(run(tiny_preset, tmp_path / "pool", workers=2, progress=False))
    assert pooled == serial
    # a real Ray instance on this machine (Ray 2.60 has no local_mode any more)
    on_ray = _rows(run(tiny_preset, tmp_path / "ray", backend="ray", workers=1, progress=False))
    assert on_ray == serial
