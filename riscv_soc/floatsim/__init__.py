"""The float reference: a FloatNetwork run in float64 with the equations the core runs in int16.

`run(network, spikes) -> RunResult` (the result schema of the core, ISS and RTL, with real-valued
readout and state) and `calibrate(network, spikes) -> Calibration` (the ranges and the formats the
quantiser takes). docs/semantics.md section 11 states the rules.
"""

from riscv_soc.floatsim.calibrate import calibrate
from riscv_soc.floatsim.simulate import run

__all__ = ["calibrate", "run"]
