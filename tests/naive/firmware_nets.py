"""Small networks, one per family the firmware must run bit-exactly (compiler, runtime, RTL tests).

Each family is a float network quantised with fixed settings; `spikes_for` draws input spikes.
Sizes straddle 32-lane boundaries so partial vectors and tail masks are exercised.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse

from riscv_soc.quant import FloatNetwork, FloatPopulation, FloatProjection, QuantConfig, quantise


def _w(rng, pre, post, scale=0.6, density=None):
    w = rng.normal(0, scale, (pre, post))
    if density is not None:
        return scipy.sparse.csr_array(w * (rng.random(w.shape) < density))
    return w


def input_lif_li(rng, inputs: int, hidden: int, outputs: int, steps: int, threshold: float = 1.0):
    """inputs -> `hidden` LIF -> `outputs` LI (mean readout), N(0, 0.3) weights: a plain student
    shape, for tests that need its size rather than a family's features."""
    h = FloatPopulation("h", "lif", hidden, beta=0.9, threshold=threshold)
    out = FloatPopulation("out", "li", outputs, beta=0.9, reset="none")
    projs = [
        FloatProjection("in_h", "input", "h", _w(rng, inputs, hidden, 0.3)),
        FloatProjection("h_out", "h", "out", _w(rng, hidden, outputs, 0.3)),
    ]
    return FloatNetwork(inputs, [h, out], projs, output="out", num_steps=steps, readout="mean")


def dense_lif(rng):
    """Dense feed-forward LIF (subtract) into an LI readout (mean), with a bias."""
    h = FloatPopulation("h", "lif", 70, beta=0.9, threshold=0.8)
    out = FloatPopulation("out", "li", 10, beta=0.95, reset="none", bias=rng.normal(0, 0.1, 10))
    projs = [
        FloatProjection("in_h", "input", "h", _w(rng, 40, 70)),
        FloatProjection("h_out", "h", "out", _w(rng, 70, 10)),
    ]
    return FloatNetwork(40, [h, out], projs, output="out", num_steps=9, readout="mean"), {
        "rounding": "rn"
    }


def sparse_cubalif(rng):
    """Sparse (ELL) CubaLIF (reset after the update, a leak) into a sparse CubaLI readout (max,
    a leak)."""
    h = FloatPopulation(
        "h",
        "cubalif",
        90,
        beta=0.8,
        alpha=0.6,
        threshold=0.7,
        reset="value_after",
        leak=rng.normal(0, 0.05, 90),
    )
    out = FloatPopulation(
        "out", "cubali", 12, beta=1.0, alpha=0.5, reset="none", leak=rng.normal(0, 0.02, 12)
    )
    projs = [
        FloatProjection("in_h", "input", "h", _w(rng, 50, 90, density=0.2)),
        FloatProjection("h_out", "h", "out", _w(rng, 90, 12, density=0.3)),
    ]
    return FloatNetwork(50, [h, out], projs, output="out", num_steps=8, readout="max"), {
        "rounding": "sr",
        "layout": "sparse",
    }


def delayed_lif(rng):
    """Delayed projections (rings of 8 slots) into LIF (reset to a value) and an LI (last)."""
    h = FloatPopulation("h", "lif", 40, beta=0.85, threshold=0.6, reset="value", v_reset=-0.25)
    out = FloatPopulation("out", "li", 5, beta=0.9, reset="none")
    projs = [
        FloatProjection("in_h", "input", "h", _w(rng, 30, 40), rng.integers(0, 6, (30, 40))),
        FloatProjection("h_out", "h", "out", _w(rng, 40, 5), rng.integers(0, 4, (40, 5))),
    ]
    return FloatNetwork(30, [h, out], projs, output="out", num_steps=10, readout="last"), {
        "rounding": "floor"
    }


def recurrent_lif(rng):
    """All-to-all recurrence (dense) and a spiking output (count) with sparse self-recurrence."""
    h = FloatPopulation("h", "lif", 64, beta=0.9, threshold=1.0)
    out = FloatPopulation("out", "lif", 8, beta=0.9, threshold=0.5)
    projs = [
        FloatProjection("in_h", "input", "h", _w(rng, 20, 64)),
        FloatProjection("h_h", "h", "h", _w(rng, 64, 64, 0.3)),
        FloatProjection("h_out", "h", "out", _w(rng, 64, 8)),
        FloatProjection("out_out", "out", "out", _w(rng, 8, 8, density=0.4)),
    ]
    return FloatNetwork(20, [h, out], projs, output="out", num_steps=12, readout="count"), {
        "rounding": "sr"
    }


def adaptive_lif(rng):
    """ALIF with recurrence and a bias into an LI readout (mean), rounding to nearest."""
    h = FloatPopulation(
        "h",
        "alif",
        45,
        beta=0.9,
        threshold=0.6,
        bias=rng.normal(0, 0.1, 45),
        adapt_decay=0.9,
        adapt_jump=0.3,
    )
    out = FloatPopulation("out", "li", 6, beta=0.8, reset="none")
    projs = [
        FloatProjection("in_h", "input", "h", _w(rng, 30, 45)),
        FloatProjection("h_h", "h", "h", _w(rng, 45, 45, 0.3)),
        FloatProjection("h_out", "h", "out", _w(rng, 45, 6)),
    ]
    return FloatNetwork(30, [h, out], projs, output="out", num_steps=8, readout="mean"), {
        "rounding": "rn"
    }


def adaptive_sparse(rng):
    """Sparse (ELL) ALIF (reset to a value, stochastic rounding) with sparse recurrence into a
    spiking ALIF readout (count) whose threshold only grows (rho = 1, the s1_14 format)."""
    h = FloatPopulation(
        "h",
        "alif",
        50,
        beta=0.85,
        threshold=0.5,
        reset="value",
        v_reset=-0.1,
        adapt_decay=0.7,
        adapt_jump=0.25,
    )
    out = FloatPopulation(
        "out", "alif", 7, beta=0.9, threshold=0.4, adapt_decay=1.0, adapt_jump=0.1
    )
    projs = [
        FloatProjection("in_h", "input", "h", _w(rng, 40, 50, density=0.3)),
        FloatProjection("h_h", "h", "h", _w(rng, 50, 50, 0.4, density=0.2)),
        FloatProjection("h_out", "h", "out", _w(rng, 50, 7, density=0.5)),
    ]
    return FloatNetwork(40, [h, out], projs, output="out", num_steps=10, readout="count"), {
        "rounding": "sr",
        "layout": "sparse",
    }


FAMILIES = {
    f.__name__: f
    for f in (dense_lif, sparse_cubalif, delayed_lif, recurrent_lif, adaptive_lif, adaptive_sparse)
}


def family_bundle(name: str, seed: int = 0, saturate: bool = True):
    rng = np.random.default_rng(seed)
    net, config = FAMILIES[name](rng)
    # FeNN's 8-bit weights: coarse formats, where stochastic rounding shows in the spikes
    return quantise(net, QuantConfig(saturate=saturate, weight_bits=8, **config))


def spikes_for(bundle, samples: int, seed: int = 0, density: float = 0.3) -> np.ndarray:
    rng = np.random.default_rng(seed + 1000)
    shape = (samples, bundle.num_steps, bundle.n_inputs)
    return (rng.random(shape) < density).astype(np.uint8)
