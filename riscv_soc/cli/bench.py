"""`snnsoc bench fenn-va --exc N --rows dense|sparse [--backend iss|core|rtl] [--json]`.

A thin layer over `riscv_soc.workloads.va`: FeNN-DMA's balanced random network, run on the core
and on the ISS (or the RTL), its spikes and cycles beside FeNN-DMA's board numbers.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from riscv_soc.cli import app

bench_app = typer.Typer(help="FeNN-DMA's workloads, beside FeNN-DMA's board numbers.",
                        no_args_is_help=True)  # fmt: skip
app.add_typer(bench_app, name="bench")


@bench_app.command("fenn-va")
def fenn_va(
    exc: Annotated[int, typer.Option("--exc", help="excitatory neurons (inhibitory: a quarter)")],
    rows: Annotated[str, typer.Option("--rows", help="dense or sparse rows")] = "dense",
    backend: Annotated[str, typer.Option("--backend", help="iss, rtl or core")] = "iss",
    steps: Annotated[int, typer.Option("--steps", help="time steps of 1 ms")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="connectivity and initial V")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="print the run as JSON")] = False,
) -> None:
    """FeNN-DMA's VA network (N_exc + N_exc/4 neurons, p = 0.1, no input) for --steps steps."""
    from riscv_soc.workloads import va

    va.check(exc, rows, steps)
    result = va.run(exc, rows, backend, seed, steps)
    board = va.board_run(exc, rows) if steps == va.STEPS else None
    if as_json:
        out = {"run": result.to_json(), "fenn_dma": None if board is None else board.__dict__}
        typer.echo(json.dumps(out, indent=2))
        return
    typer.echo(va.format_run(result, board))
