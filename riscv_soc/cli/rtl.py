"""`snnsoc rtl IMAGE [--max-cycles N] [--trace FILE.fst] [--ddr-stalls SEED] [--json]`: a firmware
image on the RTL.

A thin layer over `riscv_soc.rtl.run` (Verilator + cocotb, build cached under build/): `--json`
prints `MachineState.to_json()`, exactly what `snnsoc iss IMAGE --json` prints for a run that
agrees; otherwise the same summary as `snnsoc iss`. `--ddr-stalls SEED` makes the DDR pause at
random on every AXI channel (`riscv_soc.ddr.DdrModel`): the same state, later DMA completions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from riscv_soc import rtl as simulator
from riscv_soc.cli import app
from riscv_soc.cli.iss import AsJson, ImagePath, MaxCycles, show
from riscv_soc.ddr import DdrModel
from riscv_soc.errors import ConfigError
from riscv_soc.image.elf import read_elf


@app.command("rtl")
def rtl(
    image: ImagePath,
    max_cycles: MaxCycles = 1_000_000_000,
    trace: Annotated[
        Path | None, typer.Option("--trace", help="write an FST waveform (GTKWave) to FILE")
    ] = None,
    as_json: AsJson = False,
    ddr_stalls: Annotated[
        int | None,
        typer.Option("--ddr-stalls", help="the DDR pauses at random, from this seed (>= 0)"),
    ] = None,
) -> None:
    """Run IMAGE on the SoC's RTL until ecall, ebreak, the spin `j .`, a trap or the cycle
    limit."""
    if trace is not None and trace.suffix != ".fst":
        raise ConfigError(f"--trace {trace}: the waveform is FST; name the file *.fst")
    ddr = DdrModel(stall_seed=ddr_stalls)
    show(simulator.run(read_elf(image), max_cycles, trace=trace, ddr=ddr), as_json)
