"""`snnsoc difftest --seed S --programs N --length L`: random programs on the ISS and the RTL.

A thin layer over `riscv_soc.difftest.run`: compares the commit traces record by record (unless
`--end-state-only`) and the end states, prints one summary line ending in
`N programs, M instructions, K mismatches`, saves each mismatching program (source and seed) under
`--out`, and exits 1 on any mismatch. `--coverage FILE` writes the retired instructions per
mnemonic (from the traces) as JSON. `--replay CASE.json` runs one saved case again.
`--workers N` shards the programs over N Ray workers (started here, or on the cluster at
`--address`); the summary and the saved cases are those of the serial run. `--ddr-stalls` makes
the RTL's DDR pause at random on every AXI channel (the ISS replays each DMA transfer's delay from
the RTL's log), `--ddr-errors` makes it answer SLVERR/DECERR on random ranges (the ISS models
them); each program's stall seed and ranges come from the seed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from riscv_soc import difftest
from riscv_soc.cli import app
from snnsoc_common import artefacts


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
    end_state_only: Annotated[
        bool, typer.Option("--end-state-only", help="compare end states, not commit traces")
    ] = False,
    coverage: Annotated[
        Path | None, typer.Option("--coverage", help="write retired instructions per mnemonic")
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", help="Ray workers, one contiguous block of programs each")
    ] = 1,
    address: Annotated[
        str | None, typer.Option("--address", help="Ray cluster address; default: start Ray here")
    ] = None,
    ddr_stalls: Annotated[
        bool, typer.Option("--ddr-stalls", help="the DDR pauses at random on every AXI channel")
    ] = False,
    ddr_errors: Annotated[
        bool, typer.Option("--ddr-errors", help="the DDR answers SLVERR/DECERR on random ranges")
    ] = False,
) -> None:
    """Compare the RTL with the ISS on constrained-random programs (traces, state and cycles)."""
    if replay is not None:
        _, _, diffs = difftest.replay(replay, lockstep=not end_state_only)
        for line in diffs:
            typer.echo(f"  {line}")
        typer.echo(f"replay {replay}: {len(diffs)} differences")
        raise typer.Exit(1 if diffs else 0)
    result = difftest.run(
        seed,
        programs,
        length,
        out,
        lockstep=not end_state_only,
        workers=workers,
        address=address,
        ddr_stalls=ddr_stalls,
        ddr_errors=ddr_errors,
    )
    if coverage is not None:
        artefacts.write_json(coverage, result.coverage)
    for path in result.saved:
        typer.echo(f"mismatch saved: {path}")
    typer.echo(result.line())
    raise typer.Exit(1 if result.mismatches else 0)
