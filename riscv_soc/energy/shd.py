"""FeNN's SHD workload, the anchor the energy models are checked against (research/fenn.md 5.1).

Where it sits: beside the energy models, downstream of everything it runs (quantiser, core,
compiler, runtime). benchmarks/energy_calibration.py prints the check; the pipeline's calibration
stage records it. A network of FeNN's SHD shape (700 inputs, 256 recurrent ALIF neurons, 20 LI
outputs, 1,170 steps) is driven by synthetic Poisson spike trains at the published input rate
(about 8,229 spikes per sample); its hidden drive is tuned on the Numba core until the hidden layer
fires near the published 11,874 spikes per sample. It is compiled with the synaptic accumulators
in registers (our default) or in memory (as FeNN's kernels keep them) and run on the ISS.

The input raster of a sample (1,170 x 22 words, 100 KiB) fills most of the default SoC's 128 KiB
scalar data memory, so the firmware records no spikes (CompileOptions(record=())): the counts
derived from spikes (SPIKE_COUNTS) come from the core, whose readout and final state the ISS
matches bit for bit.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from riscv_soc import core
from riscv_soc.compiler import CompileOptions, compile_bundle
from riscv_soc.core import diff_results
from riscv_soc.energy.calibrations import FENN_SHD
from riscv_soc.firmware.export import firmware_of
from riscv_soc.quant import FloatNetwork, FloatPopulation, FloatProjection, QuantConfig, quantise
from riscv_soc.runtime import run

SPIKE_COUNTS = ("spikes", "synops", "row_words")  # need the hidden spikes: not recorded
TUNING_SAMPLES = 4
RATE_TOLERANCE = 0.03  # stop tuning within 3 % of the published hidden spike count
VARIANTS = {  # CompileOptions.accumulators
    "auto": "our default: synaptic accumulators stay in vector registers",
    "memory": "FeNN's way: every row vector loads, adds and stores its accumulator",
}


QUANT = QuantConfig(weight_bits=8)  # 8-bit weights as on FeNN: the workload the calibration fitted


def network(gain: float, seed: int) -> FloatNetwork:
    """FeNN's SHD shape; `gain` scales the hidden layer's input and recurrent weights."""
    rng = np.random.default_rng(seed)
    a = FENN_SHD
    hidden = FloatPopulation(
        "hidden", "alif", a.n_hidden, beta=0.95, threshold=1.0, adapt_decay=0.99, adapt_jump=0.02
    )
    output = FloatPopulation("output", "li", a.n_outputs, beta=0.95, reset="none")
    projections = [
        FloatProjection("in_hidden", "input", "hidden", gain * rng.normal(0.02, 0.3, (700, 256))),
        FloatProjection("rec", "hidden", "hidden", gain * rng.normal(0.0, 0.1, (256, 256))),
        FloatProjection("hidden_out", "hidden", "output", rng.normal(0.0, 0.1, (256, 20))),
    ]
    return FloatNetwork(
        a.n_inputs, [hidden, output], projections, "output", dt=1e-3, num_steps=a.steps
    )


def input_spikes(samples: int, seed: int) -> np.ndarray:
    """Poisson spike trains at FeNN's published input rate, uint8 [samples, steps, inputs]."""
    a = FENN_SHD
    p = a.input_spikes / (a.n_inputs * a.steps)
    rng = np.random.default_rng(seed + 1)
    return (rng.random((samples, a.steps, a.n_inputs)) < p).astype(np.uint8)


def hidden_spikes(gain: float, spikes: np.ndarray, seed: int) -> float:
    result = core.run(quantise(network(gain, seed), QUANT), spikes, seed=seed)
    return float(result.spikes["hidden"].sum(axis=(1, 2)).mean())


def tune_gain(
    spikes: np.ndarray, seed: int, log: Callable[[str], object] = print
) -> tuple[float, float]:
    """Bisect the weight gain (log scale) until the hidden layer fires near FeNN's count."""
    target = FENN_SHD.hidden_spikes
    low, high = 0.05, 20.0
    for _ in range(30):
        gain = float(np.sqrt(low * high))
        count = hidden_spikes(gain, spikes, seed)
        log(f"  gain {gain:7.4f}: {count:8.0f} hidden spikes per sample")
        if abs(count / target - 1) < RATE_TOLERANCE:
            break
        low, high = (gain, high) if count < target else (low, gain)
    return gain, count


def compile_variant(bundle, accumulators: str):
    """The bundle compiled for the default SoC with `accumulators`, recording no spikes."""
    return compile_bundle(bundle, CompileOptions(accumulators=accumulators, record=()))


def iss_activity(compiled, spikes: np.ndarray, golden, seed: int) -> tuple[dict, list[str]]:
    """Counters of an ISS run of `compiled`, with the spike-derived counts of the core's `golden`
    run, and the run's differences from `golden` (beyond the spikes it does not record)."""
    result = run(firmware_of(compiled), spikes, seed=seed, backend="iss")
    unrecorded = {f"spikes_{name}: only in first run" for name in golden.spikes}
    diffs = [d for d in diff_results(golden, result, activity="shared") if d not in unrecorded]
    activity = {**result.activity, **{name: golden.activity[name] for name in SPIKE_COUNTS}}
    return activity, diffs
