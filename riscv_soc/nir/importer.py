"""NIR graph -> float network: the entry of NIR files and snntorch students into the quantiser.

Reads what `nir.read` returns (Input, Output, Linear, Affine, LIF, IF, LI, I, CubaLIF, CubaLI,
Delay, and the spatial nodes that riscv_soc.nir.lowering turns into sparse projections) and
discretises it with dt as snntorch does (beta = 1 - dt/tau), giving a
riscv_soc.quant.network.FloatNetwork. docs/semantics.md section 10 states the mapping.
"""

from __future__ import annotations

import os
from collections import defaultdict
from typing import Any

import nir
import numpy as np
import scipy.sparse

from riscv_soc.errors import ConfigError
from riscv_soc.nir.lowering import SPATIAL, SpatialAffine, lower
from riscv_soc.nir.split import split_time_constants
from riscv_soc.quant.network import INPUT, FloatNetwork, FloatPopulation, FloatProjection

DEFAULT_DT = 1e-4  # snntorch's export_to_nir writes every LIF with this dt
NEURONS = (nir.LIF, nir.IF, nir.LI, nir.I, nir.CubaLIF, nir.CubaLI, nir.Threshold)
SYNAPSES = (nir.Linear, nir.Affine, SpatialAffine)
SUPPORTED = (
    "Input",
    "Output",
    "Linear",
    "Affine",
    "Delay",
    *(c.__name__ for c in (*NEURONS, *SPATIAL)),
)


def read_nir(path: str | os.PathLike, dt: float = DEFAULT_DT, **settings) -> FloatNetwork:
    """`nir.read(path)` then `from_graph`; ConfigError for an unreadable or unsupported graph."""
    try:
        graph = nir.read(path)
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such NIR file") from None
    except Exception as err:  # h5py and nir raise many types for a bad file
        raise ConfigError(
            f"{path}: not a readable NIR graph: {type(err).__name__}: {err}"
        ) from None
    return from_graph(graph, dt=dt, where=str(path), **settings)


def from_graph(
    graph: nir.NIRGraph,
    dt: float = DEFAULT_DT,
    where: str = "NIR graph",
    num_steps: int | None = None,
    encoding: str | None = None,
    readout: str | None = None,
) -> FloatNetwork:
    """The float network of `graph`, discretised with time step `dt` (seconds).

    Run settings not given come from the graph's `metadata["snnsoc"]` (our exporter writes them),
    else num_steps 25, encoding "rate" and readout "mean" ("count" for a spiking output).
    """
    if not dt > 0:
        raise ConfigError(f"{where}: dt={dt} must be > 0")
    _check_kinds(graph, where)
    g = _Graph(split_time_constants(lower(graph, where), where), where)
    meta = _snnsoc_meta(graph)
    pops = {
        name: _population(name, node, dt, g.size_hint(name), where)
        for name, node in g.nodes.items()
        if isinstance(node, NEURONS)
    }
    order = g.population_order(list(pops))
    projections = [g.projection(name, pops, dt) for name in g.synapses]
    output = g.output_population()
    out_pop = pops[output][0]
    network = FloatNetwork(
        n_inputs=g.n_inputs,
        populations=[pops[name][0] for name in order],
        projections=[p for p, _ in projections],
        output=output,
        dt=float(meta.get("dt", dt)) if dt == DEFAULT_DT else dt,
        num_steps=int(num_steps or meta.get("num_steps", 25)),
        encoding=str(encoding or meta.get("encoding", "rate")),
        readout=str(readout or meta.get("readout", "count" if out_pop.spiking else "mean")),
        meta={"source": where},
    )
    biases = [(name, leak) for name, (_, _, leak) in pops.items()]
    biases += [(proj.target, bias) for proj, bias in projections]
    for name, bias in biases:
        if bias is not None and np.any(bias):
            target = network.population(name)
            target.bias = bias.copy() if target.bias is None else target.bias + bias
    network.check()
    return network


def _check_kinds(graph: nir.NIRGraph, where: str) -> None:
    for name, node in graph.nodes.items():
        if type(node).__name__ not in SUPPORTED:
            raise ConfigError(
                f"{where}: node {name!r} is a {type(node).__name__}, which the core does not "
                f"support (supported: {', '.join(SUPPORTED)})"
            )


def _snnsoc_meta(node) -> dict:
    meta = getattr(node, "metadata", None) or {}
    sub = meta.get("snnsoc", {}) if isinstance(meta, dict) else {}
    return {k: (v.decode() if isinstance(v, bytes) else v) for k, v in sub.items()}


def _values(node, field: str, where: str) -> np.ndarray:
    value = np.asarray(getattr(node, field), dtype=np.float64).ravel()
    if value.size == 0:
        raise ConfigError(f"{where}: {field} is empty")
    return value


def _homogeneous(node, field: str, where: str) -> float:
    value = _values(node, field, where)
    finite = value[np.isfinite(value)]
    same = np.all(value == value[0]) or (
        finite.size == value.size and np.ptp(value) <= 1e-9 * max(1.0, np.abs(value).max())
    )
    if not same:
        raise ConfigError(
            f"{where}: {field} is not homogeneous (min {value.min():g}, max {value.max():g}); "
            "a population shares one value"
        )
    return float(value[0])


def _decay(tau: float, dt: float, where: str) -> float:
    """beta = 1 - dt/tau, snntorch's discretisation; tau = inf is an integrator (1)."""
    if not tau > 0:
        raise ConfigError(f"{where}: time constant {tau} must be > 0")
    beta = 1.0 - dt / tau
    if -1e-6 < beta < 0:  # tau = dt written in float32
        beta = 0.0
    if beta < 0:
        raise ConfigError(f"{where}: dt={dt:g} exceeds the time constant {tau:g} (decay {beta:g})")
    return beta


def _gain(dt: float, r: np.ndarray, tau: float) -> np.ndarray:
    """dt * r / tau, the input scale of an Euler step; snntorch's tau = r = inf gives 1."""
    with np.errstate(invalid="ignore"):
        gain = dt * r / tau
    return np.where(np.isnan(gain) & np.isinf(r), 1.0, gain)


def _population(name: str, node, dt: float, n_hint: int, where: str):
    """(FloatPopulation, per-neuron input gain folded into incoming weights and biases)."""
    at = f"{where}: node {name!r} ({type(node).__name__})"
    reset_meta = _snnsoc_meta(node).get("reset", "")  # "": no reset recorded
    n = max(n_hint, *(_values(node, f, at).size for f in _fields(node)))

    def per_neuron(v: np.ndarray) -> np.ndarray:
        return np.broadcast_to(v, (n,)).astype(np.float64) if v.size in (1, n) else _bad(v)

    def _bad(v):
        raise ConfigError(f"{at}: parameter of size {v.size} does not fit {n} neurons")

    if isinstance(node, (nir.CubaLIF, nir.CubaLI)):
        tau_syn, tau_mem = _homogeneous(node, "tau_syn", at), _homogeneous(node, "tau_mem", at)
        # tau_mem dV/dt = (v_leak - V) + r I: the constant dt/tau_mem v_leak enters V, not I
        v_leak = per_neuron(dt / tau_mem * _values(node, "v_leak", at))
        leak = v_leak if np.any(v_leak) else None
        gain = per_neuron(_gain(dt, _values(node, "w_in", at), tau_syn)) * per_neuron(
            _gain(dt, _values(node, "r", at), tau_mem)
        )
        common: dict[str, Any] = {"alpha": _decay(tau_syn, dt, at), "beta": _decay(tau_mem, dt, at)}
        if isinstance(node, nir.CubaLI):
            return FloatPopulation(name, "cubali", n, reset="none", leak=leak, **common), gain, None
        reset = {"subtract": "subtract", "zero": "value_after"}.get(reset_meta, "value")
        thr, v_reset, scale = _thresholds(node, at, per_neuron)
        leak = None if leak is None else leak * scale
        pop = FloatPopulation(
            name, "cubalif", n, threshold=thr, v_reset=v_reset, reset=reset, leak=leak, **common
        )
        return pop, gain * scale, None
    if isinstance(node, nir.Threshold):  # stateless: V is this step's input, a LIF with beta 0
        thr, _, scale = _thresholds(node, at, per_neuron, "threshold")
        return FloatPopulation(name, "lif", n, beta=0.0, threshold=thr, reset="value"), scale, None
    integrator = isinstance(node, (nir.IF, nir.I))
    tau = np.inf if integrator else _homogeneous(node, "tau", at)
    beta = 1.0 if integrator else _decay(tau, dt, at)
    gain = per_neuron(_gain(dt, _values(node, "r", at), 1.0 if integrator else tau))
    leak = None if integrator else per_neuron(dt / tau * _values(node, "v_leak", at))
    if isinstance(node, (nir.LI, nir.I)):
        return FloatPopulation(name, "li", n, beta=beta, reset="none"), gain, leak
    reset = {"subtract": "subtract", "zero": "value"}.get(reset_meta, "value")
    thr, v_reset, scale = _thresholds(node, at, per_neuron)
    pop = FloatPopulation(name, "lif", n, beta=beta, threshold=thr, v_reset=v_reset, reset=reset)
    return pop, gain * scale, None if leak is None else leak * scale


def _thresholds(node, at: str, per_neuron, field="v_threshold") -> tuple[float, float, np.ndarray]:
    """(threshold, v_reset, per-neuron scale of V). Per-neuron thresholds fold into V's scale:
    neuron i's V, inputs and reset are multiplied by max(threshold) / threshold_i, which leaves
    its spikes unchanged (V's equations are linear); v_reset / threshold must be homogeneous."""
    thr = per_neuron(_values(node, field, at))
    has_reset = hasattr(node, "v_reset")
    v_reset = per_neuron(_values(node, "v_reset", at)) if has_reset else np.zeros_like(thr)
    if np.ptp(thr) <= 1e-9 * max(1.0, np.abs(thr).max()):
        v0 = _homogeneous(node, "v_reset", at) if has_reset else 0.0
        return float(thr[0]), v0, np.ones_like(thr)
    if not thr.min() > 0:
        raise ConfigError(
            f"{at}: {field} is not homogeneous (min {thr.min():g}, max {thr.max():g}); "
            "per-neuron thresholds must all be > 0"
        )
    scale = thr.max() / thr
    reset = v_reset * scale
    if np.ptp(reset) > 1e-9 * max(1.0, np.abs(reset).max()):
        raise ConfigError(
            f"{at}: per-neuron thresholds need v_reset / v_threshold homogeneous, got "
            f"{(v_reset / thr).min():g} to {(v_reset / thr).max():g}"
        )
    return float(thr.max()), float(reset[0]), scale


def _fields(node) -> tuple[str, ...]:
    return {
        nir.LIF: ("tau", "r", "v_leak", "v_threshold", "v_reset"),
        nir.IF: ("r", "v_threshold", "v_reset"),
        nir.LI: ("tau", "r", "v_leak"),
        nir.I: ("r",),
        nir.CubaLIF: ("tau_syn", "tau_mem", "r", "v_leak", "v_threshold", "v_reset", "w_in"),
        nir.CubaLI: ("tau_syn", "tau_mem", "r", "v_leak", "w_in"),
        nir.Threshold: ("threshold",),
    }[type(node)]


class _Graph:
    """The nodes and edges of a NIR graph, checked against what the core can run."""

    def __init__(self, graph, where: str):
        self.where = where
        self.nodes = dict(graph.nodes)
        self.pred, self.succ = defaultdict(list), defaultdict(list)
        for a, b in graph.edges:
            self.succ[a].append(b)
            self.pred[b].append(a)
        inputs = [k for k, v in self.nodes.items() if isinstance(v, nir.Input)]
        if len(inputs) != 1:
            raise ConfigError(f"{where}: {len(inputs)} Input nodes; the core runs exactly one")
        self.input = inputs[0]
        shape = np.asarray(self.nodes[self.input].input_type["input"]).ravel()
        self.n_inputs = int(np.prod(shape))
        self.synapses = [k for k, v in self.nodes.items() if isinstance(v, SYNAPSES)]
        for name, node in self.nodes.items():
            self._check_edges(name, node)

    def _check_edges(self, name: str, node) -> None:
        def kinds(names):
            return [type(self.nodes[k]).__name__ for k in names]

        if isinstance(node, NEURONS):
            bad = [
                k for k in self.pred[name] if not isinstance(self.nodes[k], (*SYNAPSES, nir.Delay))
            ]
            if bad:
                raise ConfigError(
                    f"{self.where}: node {name!r} receives directly from {bad} ({kinds(bad)}); a "
                    "neuron's inputs must come through Linear or Affine nodes"
                )
        if isinstance(node, (*SYNAPSES, nir.Delay)) and (
            len(self.pred[name]) != 1 or len(self.succ[name]) != 1
        ):
            raise ConfigError(
                f"{self.where}: node {name!r} has {len(self.pred[name])} inputs and "
                f"{len(self.succ[name])} outputs; want exactly one of each"
            )

    def size_hint(self, neuron: str) -> int:
        sizes = [self._through_delay(k, self.pred)[0] for k in self.pred[neuron]]
        return max([int(self.nodes[k].weight.shape[0]) for k in sizes if k in self.synapses] or [1])

    def _through_delay(self, name: str, links) -> tuple[str, str | None]:
        """(node, delay node) following `links` past at most one Delay."""
        if isinstance(self.nodes[name], nir.Delay):
            return links[name][0], name
        return name, None

    def projection(self, name: str, pops: dict, dt: float):
        node = self.nodes[name]
        src, pre_delay = self._through_delay(self.pred[name][0], self.pred)
        dst, post_delay = self._through_delay(self.succ[name][0], self.succ)
        at = f"{self.where}: node {name!r}"
        if not (src == self.input or (src in pops and pops[src][0].spiking)):
            raise ConfigError(f"{at}: source {src!r} is neither the Input nor a spiking neuron")
        if dst not in pops:
            raise ConfigError(f"{at}: target {dst!r} is not a neuron node")
        if pre_delay and post_delay:
            raise ConfigError(f"{at}: Delay nodes on both sides; keep one")
        weight = node.weight
        weight = weight if scipy.sparse.issparse(weight) else np.asarray(weight, np.float64)
        pop, gain, _ = pops[dst]
        n_pre = self.n_inputs if src == self.input else pops[src][0].n
        if weight.shape != (pop.n, n_pre):
            raise ConfigError(f"{at}: weight shape {weight.shape}, want ({pop.n}, {n_pre})")
        delay = None
        if pre_delay or post_delay:
            steps = np.rint(_values(self.nodes[pre_delay or post_delay], "delay", at) / dt)
            if steps.min() < 0:
                raise ConfigError(f"{at}: negative delay {steps.min()} steps")
            shape = (n_pre, 1) if pre_delay else (1, pop.n)
            delay = np.broadcast_to(steps.astype(np.int64).reshape(shape), (n_pre, pop.n)).copy()
        has_bias = isinstance(node, (nir.Affine, SpatialAffine))
        bias = gain * np.asarray(node.bias, np.float64) if has_bias else None
        source = INPUT if src == self.input else src
        if scipy.sparse.issparse(weight):  # rows [in, out] with each column scaled by its gain
            rows = scipy.sparse.csr_array(weight.T @ scipy.sparse.diags_array(gain))
        else:
            rows = weight.T * gain[None, :]
        return FloatProjection(name, source, dst, rows, delay), bias

    def output_population(self) -> str:
        outputs = [k for k, v in self.nodes.items() if isinstance(v, nir.Output)]
        if len(outputs) != 1 or len(self.pred[outputs[0]]) != 1:
            raise ConfigError(f"{self.where}: want one Output node fed by one neuron node")
        src = self.pred[outputs[0]][0]
        if not isinstance(self.nodes[src], NEURONS):
            raise ConfigError(
                f"{self.where}: Output is fed by {src!r} ({type(self.nodes[src]).__name__}); "
                "it must be fed by a neuron node"
            )
        return src

    def population_order(self, names: list[str]) -> list[str]:
        """Topological order of the feed-forward edges; edges closing a cycle are recurrent."""
        links = defaultdict(list)
        for syn in self.synapses:
            src = self._through_delay(self.pred[syn][0], self.pred)[0]
            dst = self._through_delay(self.succ[syn][0], self.succ)[0]
            if src in names and dst != src:
                links[src].append(dst)
        state, post = {}, []

        def visit(k):  # depth-first; a grey node reached again closes a cycle (recurrent edge)
            state[k] = "grey"
            for nxt in links[k]:
                if nxt not in state:
                    visit(nxt)
            state[k] = "black"
            post.append(k)

        roots = [
            self._through_delay(self.succ[s][0], self.succ)[0]
            for s in self.synapses
            if self._through_delay(self.pred[s][0], self.pred)[0] == self.input
        ]
        for k in [*roots, *names]:
            if k not in state:
                visit(k)
        return post[::-1]
