"""Experiment sweeps for the study: presets, units, local/Ray execution, results.csv, report.md.

csv, report = snn.experiments.run_experiment("quick", "out/quick")    # resumable
csv, report = snn.experiments.run_experiment("paper", "out/paper", backend="ray", workers=4)
snn.experiments.write_report(snn.experiments.read_results(csv), "out/again")  # from a CSV alone
"""

from __future__ import annotations

from pathlib import Path

from snn.experiments.grid import Block, ModelSpec, Preset, Setup, Unit, expand, override
from snn.experiments.presets import PRESETS, get_preset
from snn.experiments.report import write_report
from snn.experiments.results import read_results
from snn.experiments.sweep import BACKENDS, COLUMNS, collect, run

__all__ = [
    "BACKENDS",
    "COLUMNS",
    "PRESETS",
    "Block",
    "ModelSpec",
    "Preset",
    "Setup",
    "Unit",
    "collect",
    "expand",
    "get_preset",
    "override",
    "read_results",
    "run",
    "run_experiment",
    "write_report",
]


def run_experiment(
    preset: str | Preset,
    out: str | Path,
    *,
    backend: str = "local",
    workers: int = 2,
    address: str | None = None,
    progress: bool = True,
    **axes,
) -> tuple[Path, Path]:
    """Run or resume a preset (by name or object) into `out`, then write results.csv and
    report.md; `axes` (datasets, rhos, methods, seeds, kds, remedies) replace the preset's.
    Returns (results.csv, report.md)."""
    chosen = get_preset(preset) if isinstance(preset, str) else preset
    chosen = override(chosen, **axes)
    csv_path = run(
        chosen, out, backend=backend, workers=workers, address=address, progress=progress
    )
    rows = collect(out, expand(chosen))
    return csv_path, write_report(rows, out, chosen.name)
