"""`snnsoc difftest --seed S --programs N --length L`: random programs on the ISS and the RTL.

A thin layer over `riscv_soc.difftest.run`: prints one summary line ending in
`N programs, M instructions, K mismatches`, saves each mismatching program (source and seed) under
`--out`, and exits 1 on any mismatch. `--replay CASE.json` runs one saved case again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from riscv_soc import difftest
from riscv_soc.cli import app


@app.command("difftest")
def run_difftest(
    seed: Annotated[int, typer.Option("--seed", help="random seed of the programs")] = 1,
    programs: Annotated[int, typer.Option("--programs", help="number of programs")] = 200,
    length: Annotated[int, typer.Option("--length", help="instructions per program")] = 500,
    out: Annotated[Path, typer.Option("--out", help="folder for mismatching programs")] = Path(
        "difftest_failures"
    ),
    replay: Annotated[
        Path | None, typer.Option("--replay", help="rerun one saved case (its .json)")
    ] = None,
) -> None:
    """Compare the RTL with the ISS on constrained-random programs (state and cycles)."""
    if replay is not None:
        _, _, diffs = difftest.replay(replay)
        for line in diffs:
            typer.echo(f"  {line}")
        typer.echo(f"replay {replay}: {len(diffs)} differences")
        raise typer.Exit(1 if diffs else 0)
    result = difftest.run(seed, programs, length, out)
    for path in result.saved:
        typer.echo(f"mismatch saved: {path}")
    typer.echo(result.line())
    raise typer.Exit(1 if result.mismatches else 0)
