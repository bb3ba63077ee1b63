"""Example NIR graphs written the way other frameworks export them, for tests and measurements.

`recurrent_cubalif` is snntorch's RSynaptic/Synaptic export (tau_syn = dt/(1-alpha),
tau_mem = dt/(1-beta), r = tau_mem/dt, w_in = tau_syn/dt, v_reset 0) with nn.Linear's affine
biases and a spiking CubaLIF output; `feedforward_lif` is its Leaky export (LIF, r = tau/dt) with
an LI readout. Weights follow nn.Linear's initialisation U(-k, k), k = gain / sqrt(fan_in).
"""

from __future__ import annotations

import nir
import numpy as np

DT = 1e-4  # snntorch's export dt


def _affine(rng, n_in: int, n_out: int, gain: float, bias: bool = True):
    k = gain / np.sqrt(n_in)
    weight = rng.uniform(-k, k, (n_out, n_in))
    if not bias:
        return nir.Linear(weight=weight)
    return nir.Affine(weight=weight, bias=rng.uniform(-k, k, n_out) / gain)


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
    return nir.LIF(tau=tau * full, r=tau / DT * full, v_leak=0 * full,
                   v_threshold=threshold * full, v_reset=0 * full)  # fmt: skip


def recurrent_cubalif(
    seed: int = 0, inputs: int = 64, hidden: int = 128, outputs: int = 10, gain: float = 3.0
) -> nir.NIRGraph:
    """Input -> Affine -> CubaLIF (recurrent through a Linear) -> Affine -> CubaLIF -> Output."""
    rng = np.random.default_rng(seed)
    nodes = {
        "input": nir.Input(input_type={"input": np.array([inputs])}),
        "fc1": _affine(rng, inputs, hidden, gain),
        "lif1": _cubalif(hidden, alpha=0.5, beta=0.9),
        "rec1": _affine(rng, hidden, hidden, gain / 3, bias=False),
        "fc2": _affine(rng, hidden, outputs, gain),
        "lif2": _cubalif(outputs, alpha=0.5, beta=0.9),
        "output": nir.Output(output_type={"output": np.array([outputs])}),
    }
    edges = [("input", "fc1"), ("fc1", "lif1"), ("lif1", "rec1"), ("rec1", "lif1"),
             ("lif1", "fc2"), ("fc2", "lif2"), ("lif2", "output")]  # fmt: skip
    return nir.NIRGraph(nodes=nodes, edges=edges)


def feedforward_lif(
    seed: int = 0, inputs: int = 64, hidden: tuple[int, ...] = (128, 64), outputs: int = 10,
    gain: float = 4.0,
) -> nir.NIRGraph:  # fmt: skip
    """Input -> (Affine -> LIF) per hidden layer -> Affine -> LI -> Output."""
    rng = np.random.default_rng(seed)
    nodes = {"input": nir.Input(input_type={"input": np.array([inputs])})}
    edges, prev, n_prev = [], "input", inputs
    for k, n in enumerate(hidden):
        nodes[f"fc{k}"], nodes[f"lif{k}"] = _affine(rng, n_prev, n, gain), _lif(n, beta=0.9)
        edges += [(prev, f"fc{k}"), (f"fc{k}", f"lif{k}")]
        prev, n_prev = f"lif{k}", n
    tau = DT / (1 - 0.95)
    full = np.ones(outputs)
    nodes["fc_out"] = _affine(rng, n_prev, outputs, gain)
    nodes["li"] = nir.LI(tau=tau * full, r=tau / DT * full, v_leak=0 * full)
    nodes["output"] = nir.Output(output_type={"output": np.array([outputs])})
    edges += [(prev, "fc_out"), ("fc_out", "li"), ("li", "output")]
    return nir.NIRGraph(nodes=nodes, edges=edges)
