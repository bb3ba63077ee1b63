"""Calibration: the fixed-point format per population that follows the float run most closely.

A format trades range for resolution. Starting from the finest F at which the recorded state
saturates on at most 10^-4 of its values, each population in update order tries up to `WIDEN`
finer formats (rarely saturating tails, such as a membrane far below its threshold, then clip)
and keeps the one whose core run disagrees least with the float run on the calibration spikes;
a tie keeps the coarser. docs/semantics.md section 11.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from riscv_soc import core
from riscv_soc.core.compare import compare
from riscv_soc.core.result import RunResult
from riscv_soc.floatsim.simulate import record_ranges
from riscv_soc.quant.calibration import Calibration
from riscv_soc.quant.network import FloatNetwork
from riscv_soc.quant.quantise import QuantConfig, quantise

WIDEN = 4  # finer formats tried above the one that keeps saturation rare


def calibrate(
    net: FloatNetwork, spikes: np.ndarray, config: QuantConfig | None = None
) -> Calibration:
    """Ranges of the float run on `spikes` and, per population, the searched format."""
    reference, calibration = record_ranges(net, spikes)
    formats = {p.name: calibration.safe_frac_bits(p.name) for p in net.populations}
    scores: dict[str, dict[int, float]] = {}
    for pop in net.populations:
        tried = scores[pop.name] = {}
        for frac_bits in range(formats[pop.name], min(formats[pop.name] + WIDEN, 15) + 1):
            trial = replace(calibration, formats=formats | {pop.name: frac_bits})
            bundle = quantise(net, config, trial)
            if bundle.population(pop.name).frac_bits != frac_bits:
                break  # the weights or the threshold allow no finer format
            tried[frac_bits] = _disagreement(reference, core.run(bundle, spikes))
        if tried:
            formats[pop.name] = min(tried, key=lambda f: (tried[f], f))
    return replace(calibration, formats=formats, scores=scores)


def _disagreement(reference: RunResult, fixed: RunResult) -> float:
    """Mean fraction of differing spike bits over the spiking populations, plus the fraction of
    samples whose class differs."""
    result = compare(reference, fixed)
    spiking = [p.spike_agreement for p in result.populations if p.agreement_per_step]
    return float(np.mean([1.0 - a for a in spiking] or [0.0])) + 1.0 - result.class_agreement
