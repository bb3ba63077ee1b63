"""The SoC's RTL (rtl/*.sv) under Verilator and cocotb: cached builds and runs of firmware images.

Same API and result schema as the ISS (`riscv_soc.iss.run`): an `Image` in, a `MachineState` out,
with cycles and counters read from the hardware counters. `run_many` runs many images in one
simulator process (the difftest runs thousands).
"""

from riscv_soc.rtl.sim import run, run_many, run_many_traced
from riscv_soc.rtl.simbuild import build

__all__ = ["build", "run", "run_many", "run_many_traced"]
