"""The float reference: a FloatNetwork run in float64 with the equations the core runs in int16.

`run(network, spikes) -> RunResult` (the result schema of the core, ISS and RTL, with real-valued
readout and state) and `calibrate(network, spikes) -> Calibration` (the ranges the quantiser
chooses formats from). docs/semantics.md section 11 states the rules.
"""

from riscv_soc.floatsim.simulate import calibrate, run

__all__ = ["calibrate", "run"]
