"""NIR CubaLIF / CubaLI with a non-zero v_leak: tau_mem dV/dt = (v_leak - V) + r I, so the leak
acts on V alone (docs/semantics.md section 10). Import, the float reference against NIR's
equations and norse, the core against the float reference, and the core == ISS (== RTL)."""

import nir
import numpy as np
import pytest
import torch

from riscv_soc import core, floatsim, runtime
from riscv_soc.compiler import compile_bundle
from riscv_soc.firmware.export import firmware_of
from riscv_soc.nir import bundle_to_graph, from_graph, zoo
from riscv_soc.quant import QuantConfig, quantise

DT = zoo.DT


def _spikes(samples, steps, inputs, rate=0.3, seed=1):
    return (np.random.default_rng(seed).random((samples, steps, inputs)) < rate).astype(np.uint8)


def _leaky(node, v_leak, cls=None, **fields):
    """`node` (a CubaLIF) as `cls` with `v_leak` broadcast to its neurons and `fields` replaced."""
    cls = cls or type(node)
    names = ("tau_syn", "tau_mem", "r", "v_leak", "w_in")
    names += ("v_threshold", "v_reset") if cls is nir.CubaLIF else ()
    params = {k: np.asarray(getattr(node, k), np.float64) for k in names}
    params["v_leak"] = np.broadcast_to(v_leak, params["r"].shape).astype(np.float64)
    return cls(**(params | fields))


def _graph(v_leak1=0.4, v_leak2=None, readout=nir.CubaLIF, recurrent=True):
    """zoo.recurrent_cubalif (16 inputs, 32 hidden, 4 outputs) with leaks; per-neuron on the
    output by default, and the output a CubaLI when `readout` says so."""
    graph = zoo.recurrent_cubalif(seed=0, inputs=16, hidden=32, outputs=4)
    nodes, edges = dict(graph.nodes), list(graph.edges)
    if v_leak2 is None:
        v_leak2 = np.array([0.5, -0.3, 0.0, 1.2])
    nodes["lif1"] = _leaky(nodes["lif1"], v_leak1)
    nodes["lif2"] = _leaky(nodes["lif2"], v_leak2, readout)
    if not recurrent:
        del nodes["rec1"]
        edges = [e for e in edges if "rec1" not in e]
    return nir.NIRGraph(nodes=nodes, edges=edges)


def test_v_leak_becomes_a_per_neuron_term_on_v_scaled_with_the_threshold():
    tau_mem, thr = 4e-3, np.array([1.0, 0.5])
    neuron = nir.CubaLIF(
        tau_syn=np.full(2, 2e-3),
        tau_mem=np.full(2, tau_mem),
        r=np.ones(2),
        v_leak=np.array([0.5, -1.0]),
        v_threshold=thr,
        v_reset=np.zeros(2),
        w_in=np.ones(2),
    )
    li = nir.CubaLI(
        tau_syn=np.full(3, 2e-3),
        tau_mem=np.full(3, tau_mem),
        r=np.ones(3),
        v_leak=np.full(3, 0.25),
        w_in=np.ones(3),
    )
    for node, n, want in ((neuron, 2, [0.5, -1.0 * 2]), (li, 3, [0.25] * 3)):
        graph = nir.NIRGraph(
            nodes={
                "input": nir.Input(input_type={"input": np.array([2])}),
                "fc": nir.Linear(weight=np.ones((n, 2))),
                "x": node,
                "output": nir.Output(output_type={"output": np.array([n])}),
            },
            edges=[("input", "fc"), ("fc", "x"), ("x", "output")],
        )
        pop = from_graph(graph, dt=1e-3).population("x")
        assert pop.bias is None  # not I's input
        np.testing.assert_allclose(pop.leak, 1e-3 / tau_mem * np.array(want))


def test_per_neuron_time_constants_split_with_their_leaks():
    tau_mem, v_leak = np.array([4e-3, 2e-3, 4e-3]), np.array([0.5, -1.0, 2.0])
    cuba = nir.CubaLIF(
        tau_syn=np.full(3, 2e-3),
        tau_mem=tau_mem,
        r=np.ones(3),
        v_leak=v_leak,
        v_threshold=np.ones(3),
        v_reset=np.zeros(3),
        w_in=np.ones(3),
    )
    li = nir.CubaLI(
        tau_syn=np.full(2, 2e-3),
        tau_mem=np.full(2, 4e-3),
        r=np.ones(2),
        v_leak=np.zeros(2),
        w_in=np.ones(2),
    )
    graph = nir.NIRGraph(
        nodes={
            "input": nir.Input(input_type={"input": np.array([2])}),
            "fc": nir.Linear(weight=np.ones((3, 2))),
            "x": cuba,
            "fc2": nir.Linear(weight=np.ones((2, 3))),
            "y": li,
            "output": nir.Output(output_type={"output": np.array([2])}),
        },
        edges=[("input", "fc"), ("fc", "x"), ("x", "fc2"), ("fc2", "y"), ("y", "output")],
    )
    net = from_graph(graph, dt=1e-3)
    np.testing.assert_allclose(net.population("x.0").leak, [1e-3 / 2e-3 * -1.0])
    np.testing.assert_allclose(net.population("x.1").leak, 1e-3 / 4e-3 * np.array([0.5, 2.0]))
    assert net.population("y").leak is None


def _nir_euler(graph, spikes, dt):
    """NIR's CubaLIF equations (neuroir.org/docs/primitives.html) stepped by Euler, written from
    the definition: tau_syn dI/dt = -I + w_in x; tau_mem dV/dt = (v_leak - V) + r I; a spike
    when V > v_threshold, V = v_reset at the next step. Feed-forward graphs of Affine -> CubaLIF
    only. Returns the spikes of every CubaLIF node."""
    order = ["lif1", "lif2"]
    syn = {"lif1": graph.nodes["fc1"], "lif2": graph.nodes["fc2"]}
    src = {"lif1": None, "lif2": "lif1"}
    state = dict.fromkeys(order)
    out = {k: [] for k in order}
    for t in range(spikes.shape[1]):
        for k in order:
            node, fc = graph.nodes[k], syn[k]
            x = spikes[:, t] if src[k] is None else state[src[k]][2]
            drive = x @ np.asarray(fc.weight).T + fc.bias
            i, v, z = state[k] or (0.0, 0.0, np.zeros((x.shape[0], len(fc.bias))))
            v = np.where(z > 0, node.v_reset, v)
            i = i + dt / node.tau_syn * (-i + node.w_in * drive)
            v = v + dt / node.tau_mem * ((node.v_leak - v) + node.r * i)
            z = (v > node.v_threshold).astype(np.uint8)
            state[k] = (i, v, z)
            out[k].append(z)
    return {k: np.stack(v, axis=1) for k, v in out.items()}


def test_float_reference_follows_nirs_equations_with_a_leak():
    graph, spikes = _graph(recurrent=False), _spikes(16, 40, 16)
    ours = floatsim.run(from_graph(graph, num_steps=40), spikes)
    want = _nir_euler(graph, spikes, DT)
    for k in ("lif1", "lif2"):
        np.testing.assert_array_equal(ours.spikes[k], want[k])
    no_leak = floatsim.run(from_graph(_graph(0.0, np.zeros(4), recurrent=False)), spikes)
    assert not np.array_equal(no_leak.spikes["lif2"], ours.spikes["lif2"])  # the leak matters


def test_a_leak_alone_drives_v_and_leaves_i_at_zero():
    """No input: V_t = beta V + (dt/tau_mem) v_leak, so V approaches v_leak and I stays 0."""
    graph = _graph(0.4, np.array([0.5, -0.3, 0.0, 1.2]), nir.CubaLI, recurrent=False)
    for fc in ("fc1", "fc2"):  # no input at all: the affine biases off
        graph.nodes[fc] = nir.Linear(weight=graph.nodes[fc].weight)
    result = floatsim.run(from_graph(graph, num_steps=200), np.zeros((1, 200, 16), np.uint8))
    beta = 1 - DT / np.asarray(graph.nodes["lif2"].tau_mem)
    want = np.asarray(graph.nodes["lif2"].v_leak) * (1 - beta**200)
    np.testing.assert_allclose(result.state["lif2_V"][0], want, rtol=1e-9)
    assert not result.state["lif2_I"].any() and not result.state["lif1_I"].any()


def _from_zero(cell):
    """norse starts each cell's state at v_leak; NIR's graphs (and we) start from 0."""
    state = cell.initial_state(None)
    cell.state_fallback = lambda _: type(state)(v=torch.zeros_like(state.v))


def _run_norse(graph, spikes):
    import norse.torch
    from norse.torch.module.leaky_integrator_box import LIBoxCell
    from norse.torch.module.lif_box import LIFBoxCell

    module, state, out = norse.torch.from_nir(graph, dt=DT), None, []
    for cell in module.modules():
        if isinstance(cell, (LIBoxCell, LIFBoxCell)):
            _from_zero(cell)
    with torch.no_grad():
        for t in range(spikes.shape[1]):
            spk, state = module(torch.tensor(spikes[:, t], dtype=torch.float32), state)
            out.append(spk.numpy())
    return np.stack(out, axis=1)


@pytest.mark.parametrize("recurrent", [False, True])
def test_norse_adds_v_leak_to_the_synaptic_current_too(recurrent):
    """norse 1.1 passes v_leak to its synapse (an LIBox: tau_syn dI/dt = v_leak - I + w_in x) as
    well as to V, unlike NIR's CubaLIF, and starts I and V at v_leak: from a zero state it equals
    our reading of the graph with an extra input bias v_leak / w_in on each CubaLIF, and differs
    from our reading of the graph itself."""
    graph, spikes = _graph(recurrent=recurrent), _spikes(8, 30, 16)
    theirs = _run_norse(graph, spikes)
    nodes = dict(graph.nodes)
    for fc, lif in (("fc1", "lif1"), ("fc2", "lif2")):
        extra = np.asarray(nodes[lif].v_leak) / np.asarray(nodes[lif].w_in)
        nodes[fc] = nir.Affine(weight=nodes[fc].weight, bias=nodes[fc].bias + extra)
    as_norse = nir.NIRGraph(nodes=nodes, edges=graph.edges)
    ours = floatsim.run(from_graph(as_norse, num_steps=30), spikes).spikes["lif2"]
    assert ours.sum() > 20
    np.testing.assert_array_equal(ours, theirs)
    nir_reading = floatsim.run(from_graph(graph, num_steps=30), spikes).spikes["lif2"]
    assert not np.array_equal(nir_reading, theirs)


def _bundle(samples, steps=20):
    net = from_graph(_graph(readout=nir.CubaLI), num_steps=steps)
    return net, quantise(net, QuantConfig()), _spikes(samples, steps, 16)


def test_core_agrees_with_the_float_reference():
    net, bundle, spikes = _bundle(200)
    assert {p.name for p in bundle.populations if p.leak is not None} == {"lif1", "lif2"}
    ref, got = floatsim.run(net, spikes), core.run(bundle, spikes, seed=0)
    assert np.mean(ref.predictions == got.predictions) >= 0.95
    assert np.mean(ref.spikes["lif1"] == got.spikes["lif1"]) >= 0.99


def test_core_equals_iss_with_leaks():
    _, bundle, spikes = _bundle(3)
    golden = core.run(bundle, spikes, seed=3)
    assert golden.spikes["lif1"].any()
    on_iss = runtime.run(firmware_of(compile_bundle(bundle)), spikes, seed=3, backend="iss")
    assert core.diff_results(golden, on_iss, activity=False) == []


@pytest.mark.rtl
@pytest.mark.slow
def test_core_iss_and_rtl_agree_with_leaks():
    _, bundle, spikes = _bundle(2)
    fw = firmware_of(compile_bundle(bundle))
    on_rtl = runtime.run(fw, spikes, seed=3, backend="rtl")
    on_iss = runtime.run(fw, spikes, seed=3, backend="iss")
    assert core.diff_results(core.run(bundle, spikes, seed=3), on_rtl, activity=False) == []
    assert core.diff_results(on_iss, on_rtl) == []


def test_a_leak_exports_as_v_leak_and_imports_back():
    _, bundle, _ = _bundle(1)
    net = from_graph(bundle_to_graph(bundle))
    for name in ("lif1", "lif2"):
        pop = bundle.population(name)
        want = pop.leak[: pop.n] * 2.0**-pop.frac_bits
        np.testing.assert_allclose(net.population(name).leak, want, rtol=1e-9, atol=1e-12)
