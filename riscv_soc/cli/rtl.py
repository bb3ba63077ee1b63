"""`snnsoc rtl IMAGE [--max-cycles N] [--trace FILE.fst] [--json]`: a firmware image on the RTL.

A thin layer over `riscv_soc.rtl.run` (Verilator + cocotb, build cached under build/): `--json`
prints `MachineState.to_json()`, exactly what `snnsoc iss IMAGE --json` prints for a run that
agrees; otherwise the same summary as `snnsoc iss`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from riscv_soc import rtl as simulator
from riscv_soc.cli import app
from riscv_soc.cli.iss import AsJson, ImagePath, MaxCycles, show
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
) -> None:
    """Run IMAGE on the SoC's RTL until ecall, ebreak, the spin `j .`, a trap or the cycle
    limit."""
    if trace is not None and trace.suffix != ".fst":
        raise ConfigError(f"--trace {trace}: the waveform is FST; name the file *.fst")
    show(simulator.run(read_elf(image), max_cycles, trace=trace), as_json)
