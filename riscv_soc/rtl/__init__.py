"""The SoC's RTL (rtl/*.sv) under Verilator and cocotb: cached builds and runs of firmware images.

Same API and result schema as the ISS (`riscv_soc.iss.run`): an `Image` in, a `MachineState` out,
with cycles and counters read from the hardware counters. `run_many` runs many images in one
simulator process (the difftest runs thousands); `run_programs` also takes how the DDR behaves
(stalls, error responses: `riscv_soc.ddr`) and returns each run's DMA completion log.
"""

from riscv_soc.rtl.sim import RtlRun, run, run_many, run_many_traced, run_programs
from riscv_soc.rtl.simbuild import build

__all__ = ["RtlRun", "build", "run", "run_many", "run_many_traced", "run_programs"]
