"""Example NIR graphs written the way other frameworks export them, for tests and measurements.

`cubalif_graph` is snntorch's Synaptic export (tau_syn = dt/(1-alpha), tau_mem = dt/(1-beta),
r = tau_mem/dt, w_in = tau_syn/dt, v_reset 0) of a classifier with nn.Linear's affine biases, a
recurrent hidden layer and a spiking CubaLIF output; `lif_graph` is its Leaky export (LIF,
r = tau/dt) of a feed-forward classifier with an LI readout. `recurrent_cubalif` and
`feedforward_lif` fill them with nn.Linear's initialisation U(-k, k), k = gain / sqrt(fan_in).
"""

from __future__ import annotations

import nir
import numpy as np

DT = 1e-4  # snntorch's export dt


def _synapse(weight: np.ndarray, bias: np.ndarray | None = None):
    weight = np.asarray(weight, np.float64)
    return nir.Linear(weight=weight) if bias is None else nir.Affine(weight=weight, bias=bias)


def _cubalif(n: int, alpha: float, beta: float, threshold: float = 1.0) -> nir.CubaLIF:
    tau_syn, tau_mem = DT / (1 - alpha), DT / (1 - beta)
    full = np.ones(n)
    return nir.CubaLIF(
        tau_syn=tau_syn * full,
        tau_mem=tau_mem * full,
        r=tau_mem / DT * full,
        v_leak=0 * full,
        v_threshold=threshold * full,
        v_reset=0 * full,
        w_in=tau_syn / DT * full,
    )


def _lif(n: int, beta: float, threshold: float = 1.0) -> nir.LIF:
    tau = DT / (1 - beta)
    full = np.ones(n)
    return nir.LIF(
        tau=tau * full,
        r=tau / DT * full,
        v_leak=0 * full,
        v_threshold=threshold * full,
        v_reset=0 * full,
    )


def _io(n_in: int, n_out: int) -> dict:
    return {
        "input": nir.Input(input_type={"input": np.array([n_in])}),
        "output": nir.Output(output_type={"output": np.array([n_out])}),
    }


def cubalif_graph(fc1, b1, rec, fc2, b2, alpha: float = 0.5, beta: float = 0.9) -> nir.NIRGraph:
    """Input -> Affine -> CubaLIF (recurrent through a Linear) -> Affine -> CubaLIF -> Output;
    weights [out, in] as nn.Linear holds them."""
    hidden, outputs = len(b1), len(b2)
    nodes = _io(np.shape(fc1)[1], outputs) | {
        "fc1": _synapse(fc1, b1),
        "lif1": _cubalif(hidden, alpha, beta),
        "rec1": _synapse(rec),
        "fc2": _synapse(fc2, b2),
        "lif2": _cubalif(outputs, alpha, beta),
    }
    edges = [
        ("input", "fc1"),
        ("fc1", "lif1"),
        ("lif1", "rec1"),
        ("rec1", "lif1"),
        ("lif1", "fc2"),
        ("fc2", "lif2"),
        ("lif2", "output"),
    ]
    return nir.NIRGraph(nodes=nodes, edges=edges)


def lif_graph(layers, beta: float = 0.9, readout_beta: float = 0.95) -> nir.NIRGraph:
    """Input -> (Affine -> LIF) per hidden layer -> Affine -> LI -> Output; `layers` is
    [(weight [out, in], bias)] ending with the readout's."""
    nodes, edges, prev = _io(np.shape(layers[0][0])[1], len(layers[-1][1])), [], "input"
    for k, (weight, bias) in enumerate(layers[:-1]):
        nodes[f"fc{k}"], nodes[f"lif{k}"] = _synapse(weight, bias), _lif(len(bias), beta)
        edges += [(prev, f"fc{k}"), (f"fc{k}", f"lif{k}")]
        prev = f"lif{k}"
    n_out, tau = len(layers[-1][1]), DT / (1 - readout_beta)
    full = np.ones(n_out)
    nodes["fc_out"] = _synapse(*layers[-1])
    nodes["li"] = nir.LI(tau=tau * full, r=tau / DT * full, v_leak=0 * full)
    edges += [(prev, "fc_out"), ("fc_out", "li"), ("li", "output")]
    return nir.NIRGraph(nodes=nodes, edges=edges)


def _linear_init(rng, n_in: int, n_out: int, gain: float, bias: bool = True):
    k = gain / np.sqrt(n_in)
    weight = rng.uniform(-k, k, (n_out, n_in))
    return weight, (rng.uniform(-k, k, n_out) / gain if bias else None)


def recurrent_cubalif(
    seed: int = 0, inputs: int = 64, hidden: int = 128, outputs: int = 10, gain: float = 3.0
) -> nir.NIRGraph:
    """`cubalif_graph` with random weights."""
    rng = np.random.default_rng(seed)
    fc1, b1 = _linear_init(rng, inputs, hidden, gain)
    rec, _ = _linear_init(rng, hidden, hidden, gain / 3, bias=False)
    fc2, b2 = _linear_init(rng, hidden, outputs, gain)
    return cubalif_graph(fc1, b1, rec, fc2, b2)


def feedforward_lif(
    seed: int = 0,
    inputs: int = 64,
    hidden: tuple[int, ...] = (128, 64),
    outputs: int = 10,
    gain: float = 4.0,
) -> nir.NIRGraph:
    """`lif_graph` with random weights."""
    rng = np.random.default_rng(seed)
    sizes = [inputs, *hidden, outputs]
    return lif_graph(
        [_linear_init(rng, a, b, gain) for a, b in zip(sizes[:-1], sizes[1:], strict=True)]
    )
