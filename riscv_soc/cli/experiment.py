"""`snnsoc experiment`: run (or resume) a preset grid of the debiasing-distillation study.

A thin layer over `snn.experiments.run_experiment`; the training stack is imported only when the
command runs, so the rest of the CLI starts fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from riscv_soc.cli import app

EPILOG = "\n\n".join(
    [
        "Examples:",
        "  snnsoc experiment --list",
        "  snnsoc experiment --preset quick --out out/quick",
        "  snnsoc experiment --preset paper --out out/paper --workers 2",
        "  snnsoc experiment --preset paper --out out/paper --method poe --rho 0.95 --seeds 2",
        "  snnsoc experiment --preset paper --out out/paper --backend ray --address auto",
        "Running the same command again resumes: models whose results exist are skipped.",
        "The output folder holds results.csv (one row per model and split: val, test, "
        "test_biased), report.md (the C1/C2 tables; picks made on val), wga_*.png plots, "
        "breakdown.json (per bias type) and runs/ (checkpoints and per-model results).",
    ]
)


def _list_presets() -> None:
    from snn.data import DATASETS
    from snn.debias import METHODS
    from snn.distill import KD_VARIANTS, REMEDIES
    from snn.experiments import PRESETS, expand

    for preset in PRESETS.values():
        units = expand(preset)
        models = sum(len(u.models) for u in units)
        typer.echo(
            f"{preset.name:8s} {len(units):3d} units, {models:4d} models  {preset.description}"
        )
    typer.echo(f"datasets: {', '.join(DATASETS)}")
    typer.echo(f"methods:  {', '.join(METHODS)}")
    typer.echo(f"kd:       {', '.join(KD_VARIANTS)}")
    typer.echo(f"remedies: {', '.join(REMEDIES)} (join with '+')")


@app.command("experiment", epilog=EPILOG)
def experiment(
    preset: Annotated[
        str | None, typer.Option(help="Preset grid: quick or paper (see --list).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Output folder; rerunning into it resumes.")
    ] = None,
    backend: Annotated[str, typer.Option(help="local (process pool) or ray.")] = "local",
    address: Annotated[
        str | None,
        typer.Option(help="Ray cluster address (with --backend ray); default: start Ray here."),
    ] = None,
    workers: Annotated[int, typer.Option(help="Parallel units (processes or Ray CPUs).")] = 2,
    dataset: Annotated[
        list[str] | None, typer.Option(help="Replace the preset's datasets (repeatable).")
    ] = None,
    rho: Annotated[
        list[float] | None,
        typer.Option(help="Replace the preset's bias-aligned ratios, each in (0, 1)."),
    ] = None,
    method: Annotated[
        list[str] | None,
        typer.Option(help="Replace the preset's methods, e.g. erm, poe (repeatable)."),
    ] = None,
    seeds: Annotated[
        int | None, typer.Option(help="Use seeds 0 .. N-1 instead of the preset's.")
    ] = None,
    list_presets: Annotated[
        bool, typer.Option("--list", help="List presets and the valid names.")
    ] = False,
    quiet: Annotated[bool, typer.Option(help="No progress bar.")] = False,
) -> None:
    """Train debiased ANN teachers, spiking students alone and distilled students over a grid
    (datasets x rho x methods x KD variants x remedies x seeds); write results.csv and report.md.
    """
    if list_presets:
        _list_presets()
        return
    if preset is None or out is None:
        raise typer.BadParameter("--preset and --out are required (or use --list)")
    from snn.errors import ConfigError
    from snn.experiments import run_experiment

    if seeds is not None and seeds < 1:
        raise ConfigError(f"--seeds={seeds} must be >= 1")
    csv_path, report = run_experiment(
        preset,
        out,
        backend=backend,
        workers=workers,
        address=address,
        progress=not quiet,
        datasets=dataset or None,
        rhos=rho or None,
        methods=method or None,
        seeds=range(seeds) if seeds else None,
    )
    typer.echo(f"results: {csv_path}")
    typer.echo(f"report:  {report}")
