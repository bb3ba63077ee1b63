"""`snnsoc iss IMAGE [--max-cycles N] [--json]`: a firmware image on the instruction-set simulator.

A thin layer over `riscv_soc.iss.run`: `--json` prints `MachineState.to_json()` (the same JSON
`snnsoc rtl --json` prints), otherwise a short summary of how the run ended.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from riscv_soc import iss as simulator
from riscv_soc.cli import app
from riscv_soc.image.elf import read_elf
from riscv_soc.isa.registers import xreg_name
from riscv_soc.machine import MachineState

# The arguments `snnsoc iss` and `snnsoc rtl` share.
ImagePath = Annotated[Path, typer.Argument(help="firmware image (.elf)")]
MaxCycles = Annotated[
    int, typer.Option("--max-cycles", help="stop at the first instruction boundary past N")
]
AsJson = Annotated[bool, typer.Option("--json", help="print the machine state as JSON")]


@app.command("iss")
def iss(image: ImagePath, max_cycles: MaxCycles = 1_000_000_000, as_json: AsJson = False) -> None:
    """Run IMAGE on the instruction-set simulator until ecall, ebreak, the spin `j .`, a trap or
    the cycle limit."""
    show(simulator.run(read_elf(image), max_cycles), as_json)


def show(state: MachineState, as_json: bool) -> None:
    """Print `state` as JSON or as the summary below."""
    typer.echo(json.dumps(state.to_json(), indent=2) if as_json else summary(state))


def summary(state: MachineState) -> str:
    """How the run ended, its cycle and instruction counts, and the nonzero scalar registers."""
    ended = state.exit if state.exit != "trap" else f"trap {state.cause} (tval {state.tval:#x})"
    lines = [
        f"exit: {ended} at pc {state.pc:#010x}: {state.instr}",
        f"cycles: {state.cycles}  instret: {state.instret}",
    ]
    for r, value in enumerate(int(v) for v in state.x):
        if value:
            signed = value - (1 << 32) if value >> 31 else value
            lines.append(f"  {xreg_name(r):>4} (x{r}) = {value:#010x}  {signed}")
    return "\n".join(lines)
