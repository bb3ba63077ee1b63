"""One float64 time loop over all samples at once, in the core's order (docs/semantics.md 11)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse

from riscv_soc.core.result import RunResult
from riscv_soc.core.simulate import check_spikes
from riscv_soc.floatsim import _kernels
from riscv_soc.quant.calibration import Calibration, VariableRange
from riscv_soc.quant.network import INPUT, FloatNetwork, FloatPopulation, FloatProjection


@dataclass
class _State:
    """A population's float state over the samples of a run."""

    pop: FloatPopulation
    V: np.ndarray
    I: np.ndarray
    A: np.ndarray
    isyn: np.ndarray
    ring: np.ndarray | None  # [S, D, n] delayed input, slot (t + delay) mod D
    spikes: np.ndarray  # last spikes made: step t once updated, t - 1 before

    @classmethod
    def zeros(cls, pop: FloatPopulation, samples: int, slots: int) -> _State:
        z = np.zeros((samples, pop.n))
        ring = np.zeros((samples, slots, pop.n)) if slots else None
        return cls(pop, z.copy(), z.copy(), z.copy(), z.copy(), ring, z.astype(np.uint8))


def run(net: FloatNetwork, spikes: np.ndarray) -> RunResult:
    """The float network on `spikes` (uint8 [samples, steps, inputs]); readout and state in real
    units (the core's raw values times 2**-F), spikes and activity as the core reports them."""
    return _simulate(net, spikes, None)


def record_ranges(net: FloatNetwork, spikes: np.ndarray) -> tuple[RunResult, Calibration]:
    """`run`, and the ranges of V, I, A and the summed input `isyn` of every population."""
    ranges: dict[str, dict[str, VariableRange]] = {p.name: {} for p in net.populations}
    result = _simulate(net, spikes, ranges)
    return result, Calibration(ranges, samples=int(np.asarray(spikes).shape[0]))


def _simulate(net: FloatNetwork, spikes: np.ndarray, ranges: dict | None) -> RunResult:
    net.check()
    spikes = check_spikes(spikes, net.n_inputs)
    n_samples, n_steps = spikes.shape[:2]
    weights = {p.name: _dense(p) for p in net.projections}
    states = {
        pop.name: _State.zeros(pop, n_samples, _ring_slots(net, pop.name))
        for pop in net.populations
    }
    out = states[net.output]
    readout = np.full((n_samples, out.pop.n), -np.inf if net.readout == "max" else 0.0)
    trains = {p.name: np.zeros((n_samples, n_steps, p.n), np.uint8) for p in net.populations}
    for t in range(n_steps):
        inputs = np.ascontiguousarray(spikes[:, t]).astype(np.uint8)
        for pop in net.populations:
            st = states[pop.name]
            for proj in (p for p in net.projections if p.target == pop.name):
                source = inputs if proj.source == INPUT else states[proj.source].spikes
                _propagate(st, proj, weights[proj.name], source, t)
            _update(st, t, ranges)
            trains[pop.name][:, t] = st.spikes
        _read(net, readout, out)
    return _result(net, readout, trains, states, spikes)


def _dense(proj: FloatProjection) -> np.ndarray:
    weight: Any = proj.weight  # an ndarray or a scipy sparse array (scipy is untyped)
    w = weight.toarray() if scipy.sparse.issparse(weight) else weight
    return np.ascontiguousarray(w, np.float64)


def _ring_slots(net: FloatNetwork, name: str) -> int:
    delays = [p.delay for p in net.projections if p.target == name and p.delay is not None]
    return max((int(d.max()) for d in delays if d.size), default=-1) + 1 if delays else 0


def _propagate(st: _State, proj: FloatProjection, w: np.ndarray, source: np.ndarray, t: int):
    if proj.delay is None:
        _kernels.accumulate(st.isyn, source, w)
    else:
        delay = np.ascontiguousarray(proj.delay, np.int64)
        _kernels.accumulate_delayed(st.ring, source, w, delay, t)


def _update(st: _State, t: int, ranges: dict | None) -> None:
    """docs/semantics.md section 8 in real numbers, one step of one population."""
    pop, fired = st.pop, st.spikes.astype(bool)
    i_in, st.isyn = st.isyn, np.zeros_like(st.isyn)
    if st.ring is not None:
        slot = t % st.ring.shape[1]
        i_in = i_in + st.ring[:, slot]
        st.ring[:, slot] = 0.0
    if pop.bias is not None:
        i_in = i_in + pop.bias
    _record(ranges, pop.name, "isyn", i_in)
    if pop.reset == "value":
        st.V = np.where(fired, pop.v_reset, st.V)
    if pop.synaptic:
        st.I = pop.alpha * st.I + i_in
        i_in = st.I if pop.leak is None else st.I + pop.leak
    B: float | np.ndarray = pop.threshold
    if pop.adaptive:
        st.A = pop.adapt_decay * st.A + np.where(fired, pop.adapt_jump, 0.0)
        B = pop.threshold + st.A
    st.V = pop.beta * st.V + i_in
    if pop.reset == "subtract":
        st.V = np.where(fired, st.V - B, st.V)
    elif pop.reset == "value_after":
        st.V = np.where(fired, pop.v_reset, st.V)
    if pop.spiking:
        st.spikes = (st.V > B).astype(np.uint8)
    # A V above the threshold under a reset to a value only needs to exceed it: saturating it
    # changes no spike and no later value, so only its range below the threshold counts.
    clip = pop.spiking and pop.reset in ("value", "value_after")
    _record(ranges, pop.name, "V", np.minimum(st.V, pop.threshold) if clip else st.V)
    for var in (*(("I",) if pop.synaptic else ()), *(("A",) if pop.adaptive else ())):
        _record(ranges, pop.name, var, getattr(st, var))


def _record(ranges: dict | None, name: str, var: str, values: np.ndarray) -> None:
    if ranges is not None:
        seen = VariableRange.of(values)
        ranges[name][var] = ranges[name][var].merge(seen) if var in ranges[name] else seen


def _read(net: FloatNetwork, readout: np.ndarray, out: _State) -> None:
    if net.readout == "mean":
        readout += out.V * 2.0**-net.readout_shift
    elif net.readout == "max":
        np.maximum(readout, out.V, out=readout)
    elif net.readout == "last":
        readout[:] = out.V
    else:  # count
        readout += out.spikes


def _result(net, readout, trains, states, spikes) -> RunResult:
    state = {}
    for pop in net.populations:
        st = states[pop.name]
        for var in ("V", *(("I",) if pop.synaptic else ()), *(("A",) if pop.adaptive else ())):
            state[f"{pop.name}_{var}"] = getattr(st, var)
    steps = spikes.shape[1]
    activity = {
        "input_spikes": spikes.sum(axis=(1, 2), dtype=np.int64),
        "spikes": sum(
            (trains[p.name].sum(axis=(1, 2), dtype=np.int64) for p in net.populations if p.spiking),
            np.zeros(spikes.shape[0], np.int64),
        ),
        "neuron_updates": np.full(spikes.shape[0], steps * sum(p.n for p in net.populations)),
    }
    spiking = {p.name: trains[p.name] for p in net.populations if p.spiking}
    meta = {"backend": "float", "steps": int(steps)}
    return RunResult(readout, spiking, state, activity, meta)
