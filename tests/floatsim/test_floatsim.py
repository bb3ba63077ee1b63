"""The float reference against the core (exact networks), snntorch's NIR reading, and its uses."""

import json

import nir
import numpy as np
import pytest
import torch
from naive.snntorch_nets import Student

from riscv_soc import core, floatsim
from riscv_soc.cli import main
from riscv_soc.core.compare import compare, scales_of
from riscv_soc.nir import from_graph, student_to_graph, zoo
from riscv_soc.quant import (
    FloatNetwork,
    FloatPopulation,
    FloatProjection,
    QuantConfig,
    quantise,
)
from riscv_soc.quant.calibration import VariableRange


def _spikes(samples, steps, inputs, rate=0.3, seed=1):
    return (np.random.default_rng(seed).random((samples, steps, inputs)) < rate).astype(np.uint8)


@pytest.mark.parametrize(("neuron", "reset"), [("lif", "subtract"), ("cubalif", "zero")])
def test_float_equals_core_where_fixed_point_is_exact(neuron, reset):
    # weights on a 2**-4 grid and integrator decays: int16 at F = 8 holds every float value
    torch.manual_seed(3)
    st = Student(
        [24, 40, 6],
        neuron=neuron,
        beta=1.0,
        alpha=0.0,
        threshold=1.5,
        reset=reset,
        recurrent=True,
        readout_beta=1.0,
        bias=True,
    )
    with torch.no_grad():
        for p in st.parameters():
            p.copy_(torch.round(p * 16 * 3) / 16)
    net = from_graph(student_to_graph(st, num_steps=20))
    net.readout = "last"
    spikes = _spikes(6, 20, 24)
    bundle = quantise(net, QuantConfig(frac_bits=8, weight_bits=16, percentile=100))
    fixed, ref = core.run(bundle, spikes), floatsim.run(net, spikes)
    assert ref.spikes["hidden0"].sum() > 50
    result = compare(ref, fixed, None, scales_of(bundle))
    assert result.class_agreement == 1.0
    assert result.readout_error == (0.0, 0.0)
    for pop in result.populations:
        assert pop.spike_agreement == 1.0 and pop.first_divergent_step is None
        assert all(err == (0.0, 0.0) for err in pop.state_error.values())


def test_float_equals_core_with_delays_and_adaptation():
    rng = np.random.default_rng(4)

    def grid(*shape):
        return np.round(rng.normal(0, 0.6, shape) * 16) / 16

    h = FloatPopulation(
        "h", "alif", 20, beta=1.0, threshold=1.5, adapt_decay=1.0, adapt_jump=0.25, bias=grid(20)
    )
    out = FloatPopulation("out", "li", 5, beta=1.0, reset="none")
    projs = [
        FloatProjection("in_h", "input", "h", grid(12, 20), rng.integers(0, 4, (12, 20))),
        FloatProjection("h_out", "h", "out", grid(20, 5)),
    ]
    net = FloatNetwork(12, [h, out], projs, output="out", num_steps=15, readout="last")
    spikes = _spikes(6, 15, 12)
    bundle = quantise(net, QuantConfig(frac_bits=8, weight_bits=16, percentile=100))
    result = compare(floatsim.run(net, spikes), core.run(bundle, spikes), None, scales_of(bundle))
    assert result.populations[0].spikes[0] > 30
    assert result.readout_error == (0.0, 0.0)
    assert all(p.spike_agreement == 1.0 for p in result.populations)
    assert all(e == (0.0, 0.0) for p in result.populations for e in p.state_error.values())


def _run_snntorch(graph, spikes):
    from snntorch.import_nir import import_from_nir

    module, state, out = import_from_nir(graph), None, []
    with torch.no_grad():
        for t in range(spikes.shape[1]):
            spk, state = module(torch.tensor(spikes[:, t], dtype=torch.float32), state)
            out.append(spk.numpy())
    return np.stack(out, axis=1)


def _without(graph, node):
    nodes = {k: v for k, v in graph.nodes.items() if k != node}
    return nir.NIRGraph(nodes=nodes, edges=[e for e in graph.edges if node not in e])


@pytest.mark.parametrize("kind", ["lif", "cubalif"])
def test_float_reads_feedforward_graphs_as_snntorch_does(kind):
    if kind == "lif":  # snntorch's importer has no LI: a spiking LIF output instead
        graph = zoo.feedforward_lif(seed=0, inputs=16, hidden=(32,), outputs=4)
        nodes = dict(graph.nodes)
        nodes["li"] = nir.LIF(
            tau=np.full(4, 1e-3),
            r=np.full(4, 10.0),
            v_leak=np.zeros(4),
            v_threshold=np.ones(4),
            v_reset=np.zeros(4),
        )
        graph, out = nir.NIRGraph(nodes=nodes, edges=graph.edges), "li"
    else:  # snntorch reads a Linear cycle as RSynaptic differently (docs/semantics.md 11)
        graph, out = (
            _without(zoo.recurrent_cubalif(seed=0, inputs=16, hidden=32, outputs=4), "rec1"),
            "lif2",
        )
    spikes = _spikes(8, 30, 16)
    ours = floatsim.run(from_graph(graph, num_steps=30), spikes).spikes[out]
    theirs = _run_snntorch(graph, spikes)
    assert ours.sum() > 20
    np.testing.assert_array_equal(ours, theirs)


def _run_norse(graph, spikes):
    import norse.torch

    module, state, out = norse.torch.from_nir(graph, dt=zoo.DT), None, []
    with torch.no_grad():
        for t in range(spikes.shape[1]):
            spk, state = module(torch.tensor(spikes[:, t], dtype=torch.float32), state)
            out.append(spk.numpy())
    return np.stack(out, axis=1)


def _norse_lif_graph():
    """A feed-forward LIF graph as norse writes one: r = 1, the input scaled by dt/tau (norse
    reads r as 1 whatever the graph says; docs/semantics.md section 11)."""
    graph = zoo.feedforward_lif(seed=0, inputs=16, hidden=(32,), outputs=4)
    nodes = dict(graph.nodes)
    for name, n in (("lif0", 32), ("li", 4)):
        nodes[name] = nir.LIF(
            tau=np.full(n, 1e-3),
            r=np.ones(n),
            v_leak=np.zeros(n),
            v_threshold=np.ones(n),
            v_reset=np.zeros(n),
        )
    for name in ("fc0", "fc_out"):
        nodes[name] = nir.Affine(weight=nodes[name].weight * 10, bias=nodes[name].bias * 10)
    return nir.NIRGraph(nodes=nodes, edges=graph.edges)


@pytest.mark.parametrize("kind", ["lif", "cubalif", "recurrent cubalif"])
def test_float_reads_graphs_as_norse_does(kind):
    if kind == "lif":
        graph, out = _norse_lif_graph(), "li"
    else:
        graph, out = zoo.recurrent_cubalif(seed=0, inputs=16, hidden=32, outputs=4), "lif2"
        if kind == "cubalif":
            graph = _without(graph, "rec1")
    spikes = _spikes(8, 30, 16)
    ours = floatsim.run(from_graph(graph, num_steps=30), spikes).spikes[out]
    assert ours.sum() > 20
    np.testing.assert_array_equal(ours, _run_norse(graph, spikes))


def test_calibration_counts_saturation_per_format():
    r = VariableRange.of(np.array([0.0, 0.5, 3.0, -9.0]))
    assert r.max_abs == 9.0 and r.total == 4
    assert r.saturating_fraction(11) == 0.0  # sI_11 holds |x| < 16
    assert r.saturating_fraction(12) == 0.25  # |x| < 8: -9 saturates
    assert r.saturating_fraction(13) == 0.25  # |x| < 4
    assert r.saturating_fraction(14) == 0.5  # |x| < 2: 3 saturates too
    assert r.merge(r).total == 8


def test_calibration_searches_finer_formats_and_the_quantiser_takes_them():
    net = from_graph(zoo.recurrent_cubalif(seed=1, inputs=16, hidden=32, outputs=4), num_steps=20)
    spikes = _spikes(40, 20, 16, rate=0.1)
    cal = floatsim.calibrate(net, spikes)
    bundle = quantise(net, QuantConfig(), cal)
    for pop in bundle.populations:
        rep = bundle.report["populations"][pop.name]
        assert rep["weight_bits"] == 16 and rep["limited_by"] == "calibration"
        tried = cal.scores[pop.name]
        # from the finest format that keeps saturation rare, finer ones; the least disagreement
        assert min(tried) == cal.safe_frac_bits(pop.name) and len(tried) > 1
        assert tried[pop.frac_bits] == min(tried.values())
        assert rep["calibration"]["disagreement"] == tried
        for seen in rep["calibration"]["ranges"].values():
            assert seen["max_abs"] > 0 and 0 <= seen["saturating"] < 0.5
    # the search's score: the fixed-point run against the float run, worse at a coarse format
    coarse = quantise(net, QuantConfig(frac_bits=6))
    fine = compare(floatsim.run(net, spikes), core.run(bundle, spikes))
    rough = compare(floatsim.run(net, spikes), core.run(coarse, spikes))
    assert fine.populations[0].spike_agreement > rough.populations[0].spike_agreement


def test_compare_finds_the_first_divergent_step():
    net = from_graph(zoo.feedforward_lif(seed=2, inputs=16, hidden=(32,), outputs=4), num_steps=12)
    a = floatsim.run(net, _spikes(5, 12, 16))
    b = floatsim.run(net, _spikes(5, 12, 16))
    b.spikes["lif0"][3, 7, 2] ^= 1
    b.spikes["lif0"][1, 9, 0] ^= 1
    pop = {p.name: p for p in compare(a, b).populations}["lif0"]
    assert pop.first_divergent_step == 7 and pop.samples_diverged == 2 / 5
    assert pop.spike_agreement == 1 - 2 / b.spikes["lif0"].size


def test_cli_float_run_calibrate_and_compare(tmp_path, capsys):
    nir.write(tmp_path / "g.nir", zoo.recurrent_cubalif(seed=0, inputs=16, hidden=32, outputs=4))
    np.savez(tmp_path / "d.npz", spikes=_spikes(20, 25, 16, rate=0.1))
    d, g, b = tmp_path / "d.npz", tmp_path / "g.nir", tmp_path / "b.npz"
    for argv in (
        ["run", str(g), "--backend", "float", "--data", str(d), "--out", str(tmp_path / "f.npz")],
        ["quantise", str(g), "-o", str(b), "--steps", "25", "--calibrate", str(d)],
        ["run", str(b), "--data", str(d), "--out", str(tmp_path / "c.npz")],
        [
            "compare",
            str(tmp_path / "f.npz"),
            str(tmp_path / "c.npz"),
            "--bundle",
            str(b),
            "--json",
            str(tmp_path / "cmp.json"),
            "--plot",
            str(tmp_path / "cmp.png"),
        ],
        ["compare", str(g), str(b), "--data", str(d), "--json", str(tmp_path / "direct.json")],
    ):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 0, argv
    text = capsys.readouterr().out
    assert "limited by calibration" in text and "class agreement" in text
    report = json.loads((tmp_path / "cmp.json").read_text())
    assert report["samples"] == 20 and [p["name"] for p in report["populations"]] == [
        "lif1",
        "lif2",
    ]
    assert (tmp_path / "cmp.png").stat().st_size > 0
    # the model and the bundle run here on the same data: the same comparison
    assert json.loads((tmp_path / "direct.json").read_text()) == report
    for argv in (["compare", str(d), str(tmp_path / "c.npz")], ["compare", str(g), str(b)]):
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2
    assert "give --data" in capsys.readouterr().err
