"""FeNN-DMA's SHD classifier (its 90.32 % result): 700 inputs -> 256 LIF with exponential
synapses and learned per-synapse delays -> 20 leaky integrators, 1,170 steps of 1 ms.

Where it sits: beside workloads.va, above the quantiser, core, compiler and runtime. FeNN's
neurons (the SHD classifiers of neworderofjamie/riscv_ise, examples/; arXiv 2511.00732):
inSyn = I tau_s (1 - e^(-1/tau_s)); I = e^(-1/tau_s) I; V = a V + (1 - a) inSyn, a = e^(-1/tau_m),
V >= 1 fires and V = 0; the readout has the same synapse and membrane and no spikes, and the
class is the argmax of the time-averaged V. These are our `cubalif` (reset "value",
docs/semantics.md section 8) and `cubali` populations with the constant
(1 - a) tau_s (1 - e^(-1/tau_s)) folded into every weight (the synapse and the membrane are
linear), delays as `delayed` rows (d = 7 bits, 64 ring slots), and the `mean` readout. FeNN's
V >= 1 is our V > 1 - 2^-F (F the hidden format).
Formats are the quantiser's (stochastic rounding), not FeNN's s7_8: folded into s7_8 weights,
the constant would leave them a few levels.

The 1,170-step input raster (103 KiB) fills most of the 128 KiB scalar data memory, so the
hidden spikes are recorded through DDR (CompileOptions(spike_record="ddr"), compiler/lane_record.py)
and compared with the core's, with the readout and the final state.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from riscv_soc.errors import DataError
from riscv_soc.quant import FloatNetwork, FloatPopulation, FloatProjection, QuantConfig, quantise
from riscv_soc.workloads import classifier

N_IN, N_HIDDEN, N_OUT, STEPS = 700, 256, 20, 1170
TAU_M, TAU_S = 20.0, 5.0
MAX_DELAY = 62
INPUT_SPIKES_PER_STEP = 8.0  # FeNN's SHD test set, about
SHAPES: dict[str, tuple[int, ...]] = {
    "in_hidden": (N_IN, N_HIDDEN),
    "in_hidden_delay": (N_IN, N_HIDDEN),
    "hidden_hidden": (N_HIDDEN, N_HIDDEN),
    "hidden_hidden_delay": (N_HIDDEN, N_HIDDEN),
    "hidden_out": (N_HIDDEN, N_OUT),
}
FENN_LATENCY_S = 12.6e-3  # FeNN's measured single-core SHD latency per inference


@dataclass(frozen=True)
class ShdWeights:
    """The classifier's trained arrays (float weights, integer delays in steps)."""

    in_hidden: np.ndarray
    in_hidden_delay: np.ndarray
    hidden_hidden: np.ndarray
    hidden_hidden_delay: np.ndarray
    hidden_out: np.ndarray

    def check(self, where: str = "weights") -> None:
        for name, shape in SHAPES.items():
            a = getattr(self, name)
            if a.shape != shape:
                raise DataError(f"{where}: {name} shape {a.shape}, want {shape}")
            if name.endswith("delay") and (a.min() < 0 or a.max() > MAX_DELAY):
                raise DataError(f"{where}: {name} outside [0, {MAX_DELAY}]: [{a.min()}, {a.max()}]")
            if name.endswith("delay") and not np.array_equal(a, np.round(a)):
                raise DataError(f"{where}: {name} holds non-integer delays (steps)")


def load_weights(path: str | Path) -> ShdWeights:
    """An .npz with the five arrays of SHAPES."""
    weights = ShdWeights(**classifier.load_arrays(path, SHAPES))
    weights.check(str(path))
    return weights


def random_weights(seed: int = 0) -> ShdWeights:
    """Random arrays of the trained ones' shapes: delays uniform in 0..62, weights normal with
    spreads at which the hidden layer fires about FeNN's 11,874 spikes per SHD sample on
    `input_spikes` (11,900 on the core over 8 samples at seed 0)."""
    rng = np.random.default_rng(seed)
    return ShdWeights(
        in_hidden=rng.normal(0.0, 0.7, SHAPES["in_hidden"]),
        in_hidden_delay=rng.integers(0, MAX_DELAY + 1, SHAPES["in_hidden_delay"]),
        hidden_hidden=rng.normal(0.0, 0.3, SHAPES["hidden_hidden"]),
        hidden_hidden_delay=rng.integers(0, MAX_DELAY + 1, SHAPES["hidden_hidden_delay"]),
        hidden_out=rng.normal(0.0, 1.0, SHAPES["hidden_out"]),
    )


def input_spikes(samples: int, seed: int = 0, steps: int = STEPS) -> np.ndarray:
    """Poisson input at about 8 spikes per step, uint8 [samples, steps, 700]."""
    return classifier.poisson(samples, steps, N_IN, INPUT_SPIKES_PER_STEP, seed)


def network(weights: ShdWeights, steps: int = STEPS, threshold: float = 1.0) -> FloatNetwork:
    """The float network; its hidden neurons fire on V > `threshold`."""
    weights.check()
    a, alpha = math.exp(-1 / TAU_M), math.exp(-1 / TAU_S)
    gain = (1 - a) * TAU_S * (1 - alpha)  # FeNN's inSyn scale and membrane input, folded
    hidden = FloatPopulation(
        "hidden", "cubalif", N_HIDDEN, beta=a, alpha=alpha, threshold=threshold, reset="value"
    )
    output = FloatPopulation("output", "cubali", N_OUT, beta=a, alpha=alpha, reset="none")
    w = weights
    projs = [
        FloatProjection("in_hidden", "input", "hidden", gain * w.in_hidden, w.in_hidden_delay),
        FloatProjection(
            "hidden_hidden", "hidden", "hidden", gain * w.hidden_hidden, w.hidden_hidden_delay
        ),
        FloatProjection("hidden_out", "hidden", "output", gain * w.hidden_out),
    ]
    return classifier.float_network(N_IN, hidden, output, projs, steps, "fenn-shd")


def bundle(weights: ShdWeights, steps: int = STEPS):
    """Quantised with stochastic rounding. FeNN fires on V >= 1, ours on V > threshold, so the
    threshold is 1 less one step of the hidden format, which the quantiser chooses from the
    weights: a first pass finds it."""
    config = QuantConfig(weight_bits=16, rounding="sr")
    frac_bits = _hidden_frac_bits(quantise(network(weights, steps), config))
    out = quantise(network(weights, steps, 1.0 - 2.0**-frac_bits), config)
    assert _hidden_frac_bits(out) == frac_bits  # a lower threshold never needs a coarser format
    return out


def _hidden_frac_bits(bundle_) -> int:
    return bundle_.populations[bundle_.index("hidden")].frac_bits


def compile_options(**changes):
    """Every hidden spike recorded through DDR: the input raster fills the scalar data memory.
    `changes`: other CompileOptions (profile=True, ring_window=False)."""
    from riscv_soc.compiler import CompileOptions

    return CompileOptions(spike_record="ddr", **changes)


def run(weights: ShdWeights, spikes: np.ndarray, backend: str = "iss", seed: int = 0, **changes):
    """The classifier on `spikes` (uint8 [samples, steps, 700]): core, then firmware, every
    hidden spike recorded (through DDR) and compared; `changes` to the compile options."""
    bundle_ = bundle(weights, spikes.shape[1])
    return classifier.run(bundle_, spikes, backend, seed, compile_options(**changes))
