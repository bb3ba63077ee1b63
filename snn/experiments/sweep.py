"""Runs a preset's units in a local process pool or on Ray, then collects results.csv.

Sits between the `snnsoc experiment` command and `snn.experiments.runner`. Units are independent
(they share nothing but the output folder), so a sweep is a map over units; a unit skips the
models whose results exist, which makes an interrupted sweep resumable at any point. After the
map, every result JSON under DIR/runs is gathered into DIR/results.csv (written atomically).
"""

from __future__ import annotations

import csv
import io
import json
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from multiprocessing import get_context
from pathlib import Path

from tqdm.auto import tqdm

from snn.errors import ConfigError, check_choice
from snn.experiments.grid import Preset, Unit, expand
from snn.experiments.runner import read_result, run_unit
from snnsoc_common.artefacts import write_text
from snnsoc_common.cluster import ray_session, result

BACKENDS = ("local", "ray")
POLL_SECONDS = 2.0
# What identifies a row: the model and the split it is scored on (val, test, test_biased).
KEY_COLUMNS = ("dataset", "rho", "seed", "method", "kd", "remedy", "role", "split")
COLUMNS = (
    *KEY_COLUMNS,
    "acc",
    "unbiased_acc",
    "aligned_acc",
    "conflicting_acc",
    "wga",
    "spurious_gap",
    "spikes_per_sample",
    "synops_per_sample",
    "cka_aligned",
    "cka_conflicting",
    "train_seconds",
)


class _Progress:
    """A bar over models, not units: it counts the result files the workers have written."""

    def __init__(self, units: list[Unit], out: Path, name: str, enabled: bool) -> None:
        self.paths = [out / "runs" / u.key / f"{m.key}.json" for u in units for m in u.models]
        self.bar = tqdm(total=len(self.paths), desc=f"{name}: models", disable=not enabled)
        self.refresh()

    def refresh(self, *_) -> None:
        self.bar.n = sum(p.exists() for p in self.paths)
        self.bar.refresh()

    def close(self) -> None:
        self.refresh()
        self.bar.close()


def _run_local(units: list[Unit], out: Path, workers: int, progress: _Progress) -> None:
    if workers == 1:
        for unit in units:
            run_unit(unit, out, on_model=progress.refresh)
        return
    # spawn: forked children of a process that already ran torch can hang in OpenMP
    pool = ProcessPoolExecutor(workers, mp_context=get_context("spawn"))
    try:
        pending = {pool.submit(run_unit, unit, out) for unit in units}
        while pending:
            done, pending = wait(pending, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
            for future in done:
                future.result()  # re-raises a worker's error here
            progress.refresh()
    finally:
        # on an error, queued units must not start (the running ones finish their model)
        pool.shutdown(wait=True, cancel_futures=True)


def _run_ray(
    units: list[Unit], out: Path, address: str | None, workers: int, progress: _Progress
) -> None:
    with ray_session(workers, address) as ray:
        remote = ray.remote(num_cpus=1)(run_unit)
        pending = [remote.remote(unit, str(out)) for unit in units]
        while pending:
            done, pending = ray.wait(pending, num_returns=1, timeout=POLL_SECONDS)
            result(ray, done)
            progress.refresh()


def run(
    preset: Preset,
    out: str | Path,
    *,
    backend: str = "local",
    workers: int = 2,
    address: str | None = None,
    progress: bool = True,
) -> Path:
    """Run (or resume) `preset` into folder `out`; returns the path of results.csv."""
    check_choice("backend", backend, BACKENDS)
    if not isinstance(workers, int) or workers < 1:
        raise ConfigError(f"workers={workers!r} must be an integer >= 1")
    if address and backend != "ray":
        raise ConfigError("address is only used with backend 'ray'")
    out = Path(out)
    units = expand(preset)
    out.mkdir(parents=True, exist_ok=True)
    bar = _Progress(units, out, preset.name, progress)
    try:
        if backend == "local":
            _run_local(units, out, workers, bar)
        else:
            _run_ray(units, out, address, workers, bar)
    finally:
        bar.close()
    return write_results(out, units)


def collect(out: str | Path, units: list[Unit] | None = None) -> list[dict]:
    """Every result row under `out`/runs (only the listed units' models, when given)."""
    out = Path(out)
    if units is None:
        paths = sorted((out / "runs").rglob("*.json"))
    else:
        paths = [out / "runs" / u.key / f"{m.key}.json" for u in units for m in u.models]
    rows = []
    for path in paths:
        if path.exists():
            rows.extend(read_result(path)["rows"])
    return rows


def write_results(out: str | Path, units: list[Unit] | None = None) -> Path:
    """Write out/results.csv from the result files (atomically); returns its path."""
    rows = collect(out, units)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if row.get(k) is None else row[k] for k in COLUMNS})
    path = Path(out) / "results.csv"
    write_text(path, buffer.getvalue())
    breakdown = [{k: row[k] for k in (*KEY_COLUMNS, "breakdown")} for row in rows]
    write_text(Path(out) / "breakdown.json", json.dumps(breakdown) + "\n")
    return path
