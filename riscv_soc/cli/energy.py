"""`snnsoc energy RUN [--model board|core|all] [--clock-mhz F] [--ann-macs N] [--json]`.

A thin layer over `riscv_soc.energy`: RUN is a results file of `snnsoc run` (.npz, per sample) or
the JSON `snnsoc iss --json` / `snnsoc rtl --json` prints (one program). Prints the breakdown of
each counter model and the three estimates side by side (docs/energy.md).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from riscv_soc.cli import app
from riscv_soc.core.result import load_result
from riscv_soc.energy import MODELS, compare, energy, format_comparison, has_counters
from riscv_soc.errors import ConfigError, DataError


@app.command("energy")
def energy_command(
    run: Annotated[Path, typer.Argument(help="results .npz of `snnsoc run`, or ISS/RTL --json")],
    model: Annotated[
        str, typer.Option("--model", help=f"counter model: {', '.join(MODELS)} or all")
    ] = "all",
    clock_mhz: Annotated[
        float | None, typer.Option("--clock-mhz", help="clock for time and static energy")
    ] = None,
    ann_macs: Annotated[
        int | None, typer.Option("--ann-macs", help="MACs of the ANN teacher per inference")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the estimates as JSON")] = False,
) -> None:
    """Energy per inference of RUN under the board and core models and the op-count estimate."""
    if model != "all" and model not in MODELS:
        raise ConfigError(f"--model {model!r}; expected one of {[*MODELS, 'all']}")
    models = list(MODELS.values()) if model == "all" else [MODELS[model]]
    if clock_mhz is not None and not clock_mhz > 0:
        raise ConfigError(f"--clock-mhz {clock_mhz:g}: must be > 0")
    clock_hz = None if clock_mhz is None else clock_mhz * 1e6
    activity = read_activity(run)
    if model != "all" and not has_counters(activity):
        raise DataError(f"{run}: no ISS/RTL counters (a core run?); --model {model} needs them")
    rows = compare(activity, ann_macs, models=models, clock_hz=clock_hz)
    if as_json:
        reports = [energy(activity, m, clock_hz).mean() for m in models if has_counters(activity)]
        typer.echo(json.dumps({"models": reports, "estimates": rows}, indent=2))
        return
    if has_counters(activity):
        for m in models:
            typer.echo(energy(activity, m, clock_hz).format())
    else:
        typer.echo("no ISS/RTL counters in this run (a core run?): op-count estimates only")
    typer.echo(format_comparison(rows))


def read_activity(path: Path) -> dict:
    """Per-sample activity of a results .npz, or the counters of a machine-state JSON."""
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    if path.suffix != ".json":
        return load_result(path).activity
    try:
        state = json.loads(path.read_text())
        return {"cycles": state["cycles"], "instret": state["instret"], **state["counters"]}
    except (json.JSONDecodeError, KeyError, TypeError) as err:
        raise DataError(
            f"{path}: not a machine-state JSON of snnsoc iss/rtl --json ({err})"
        ) from None
