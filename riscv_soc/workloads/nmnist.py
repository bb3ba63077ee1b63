"""FeNN-DMA's N-MNIST classifier (its 98.46 % result): 2,312 inputs (34 x 34 x 2) -> 512 LIF ->
10 leaky integrators with a bias, 300 steps of 1 ms.

Where it sits: beside workloads.va and workloads.shd. FeNN's neurons (arXiv 2511.00732; the
N-MNIST classifier of neworderofjamie/riscv_ise, examples/): hidden V = a V + I, then I = 0, with
a = e^(-1/20); a neuron in its refractory period counts it down (V keeps integrating) and cannot
fire, otherwise V >= 0.61 fires, V -= 0.61 and the period is set to 4 steps; readout
V = a V + I + bias, class = argmax of the time-averaged V. Ours: the hidden layer is `cubalif2`
with refractory_hold=False, reset "subtract" and threshold_inclusive (V >= 0.61 fires, as
FeNN's; its current I is this step's input alone: alpha = 0, scale 1; docs/semantics.md 8.1),
the readout an `li` population with a bias and the `mean` readout (V_avg += V / 2^9, where FeNN
divides by T / 2: the same argmax up to rounding); formats as FeNN's: hidden s7_8 (V and the
input weights), readout s6_9 (V, bias and the hidden->output weights). Input->hidden (about 5 %
of the pairs) and hidden->hidden (about 1 %) are sparse rows, which the compiler streams from
DDR; hidden->output is dense. Input raster and spike record fit the scalar data memory: every
hidden spike is recorded.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse

from riscv_soc.errors import DataError
from riscv_soc.quant import FloatNetwork, FloatPopulation, FloatProjection, QuantConfig, quantise
from riscv_soc.workloads import classifier

N_IN, N_HIDDEN, N_OUT, STEPS = 2312, 512, 10, 300
TAU_M, THRESHOLD, REFRACTORY = 20.0, 0.61, 4
P_IN, P_REC = 0.05, 0.01
FRAC_BITS = {"hidden": 8, "output": 9}  # FeNN's s7_8 hidden layer and s6_9 readout
INPUT_SPIKES_PER_STEP = 10.0  # an assumption for the synthetic input (not FeNN's statistics)
SHAPES = {
    "in_hidden": (N_IN, N_HIDDEN),
    "hidden_hidden": (N_HIDDEN, N_HIDDEN),
    "hidden_out": (N_HIDDEN, N_OUT),
    "out_bias": (N_OUT,),
}


@dataclass(frozen=True)
class NmnistWeights:
    """The classifier's arrays: dense float matrices whose zeros are absent synapses."""

    in_hidden: np.ndarray
    hidden_hidden: np.ndarray
    hidden_out: np.ndarray
    out_bias: np.ndarray

    def check(self, where: str = "weights") -> None:
        for name, shape in SHAPES.items():
            if getattr(self, name).shape != shape:
                raise DataError(f"{where}: {name} shape {getattr(self, name).shape}, want {shape}")


def load_weights(path: str | Path) -> NmnistWeights:
    """An .npz with the four arrays of SHAPES."""
    arrays = classifier.load_arrays(path, SHAPES)
    return NmnistWeights(**{k: a.astype(np.float64) for k, a in arrays.items()})


def random_weights(seed: int = 0) -> NmnistWeights:
    """Random arrays of the trained ones' shapes and sparsity (about 59,000 input synapses)."""
    rng = np.random.default_rng(seed)

    def sparse(shape, p, mean, sd):
        return rng.normal(mean, sd, shape) * (rng.random(shape) < p)

    return NmnistWeights(
        in_hidden=sparse(SHAPES["in_hidden"], P_IN, 0.15, 0.3),
        hidden_hidden=sparse(SHAPES["hidden_hidden"], P_REC, 0.0, 0.3),
        hidden_out=rng.normal(0.0, 0.3, SHAPES["hidden_out"]),
        out_bias=rng.normal(0.0, 0.05, SHAPES["out_bias"]),
    )


def input_spikes(samples: int, seed: int = 0, steps: int = STEPS) -> np.ndarray:
    """Poisson events at INPUT_SPIKES_PER_STEP, uint8 [samples, steps, 2312]."""
    return classifier.poisson(samples, steps, N_IN, INPUT_SPIKES_PER_STEP, seed)


def hidden_population(n: int = N_HIDDEN) -> FloatPopulation:
    """FeNN's hidden neuron: V = a V + I, I = 0; V >= 0.61 fires, V -= 0.61, then 4 steps in
    which V integrates and it cannot fire."""
    return FloatPopulation(
        "hidden",
        "cubalif2",
        n,
        beta=math.exp(-1 / TAU_M),
        threshold=THRESHOLD,
        threshold_inclusive=True,
        reset="subtract",
        refractory=REFRACTORY,
        refractory_hold=False,
        syn_frac_bits=FRAC_BITS["hidden"],
        # I: this step's input only
        alpha=0.0,
        alpha2=0.0,
        syn_scale=1.0,
        syn_scale2=1.0,
    )


def output_population(bias: np.ndarray) -> FloatPopulation:
    """FeNN's readout: V = a V + I + bias, I = 0."""
    return FloatPopulation(
        "output", "li", len(bias), beta=math.exp(-1 / TAU_M), reset="none", bias=bias
    )


def network(weights: NmnistWeights, steps: int = STEPS) -> FloatNetwork:
    weights.check()
    hidden, output = hidden_population(), output_population(weights.out_bias)
    w = weights
    projs = [
        FloatProjection("in_hidden", "input", "hidden", scipy.sparse.csr_array(w.in_hidden)),
        FloatProjection(
            "hidden_hidden", "hidden", "hidden", scipy.sparse.csr_array(w.hidden_hidden)
        ),
        FloatProjection("hidden_out", "hidden", "output", w.hidden_out),
    ]
    return classifier.float_network(N_IN, hidden, output, projs, steps, "fenn-nmnist")


def bundle(weights: NmnistWeights, steps: int = STEPS):
    """FeNN's formats (FRAC_BITS; weights 16-bit words less the sparse index bits), round to
    nearest."""
    return quantise(network(weights, steps), quant_config())


def quant_config() -> QuantConfig:
    return QuantConfig(weight_bits=16, frac_bits=FRAC_BITS)


def run(weights: NmnistWeights, spikes: np.ndarray, backend: str = "iss", seed: int = 0):
    """The classifier on `spikes` (uint8 [samples, steps, 2312]): core, then firmware, every
    hidden spike recorded."""
    return classifier.run(bundle(weights, spikes.shape[1]), spikes, backend, seed)
