"""Per-neuron NIR parameters: thresholds folded into each neuron's scale, v_leak as a bias, the
Threshold node, and a sinabs-style IF (time in steps: dt = 1, r = 1, parameters shaped like the
feature map)."""

import nir
import numpy as np
import pytest

from riscv_soc import core
from riscv_soc.errors import ConfigError
from riscv_soc.nir import from_graph
from riscv_soc.quant import QuantConfig, quantise


def _graph(neuron, n_in=1, weight=0.25):
    n = np.size(getattr(neuron, "v_threshold", getattr(neuron, "threshold", None)))
    return nir.NIRGraph(
        nodes={
            "in": nir.Input(input_type={"input": np.array([n_in])}),
            "fc": nir.Linear(weight=np.full((n, n_in), weight)),
            "if": neuron,
            "out": nir.Output(output_type={"output": np.array([n])}),
        },
        edges=[("in", "fc"), ("fc", "if"), ("if", "out")],
    )


def test_per_neuron_thresholds_keep_each_neurons_spikes():
    thr = np.array([0.5, 1.0, 2.0])
    neuron = nir.IF(r=np.ones(3) / 1e-3, v_threshold=thr, v_reset=np.zeros(3))
    net = from_graph(_graph(neuron), dt=1e-3, num_steps=16)
    assert net.populations[0].threshold == 2.0
    np.testing.assert_allclose(net.projections[0].weight, [[1.0, 0.5, 0.25]])
    run = core.run(quantise(net, QuantConfig(weight_bits=8)), np.ones((1, 16, 1), np.uint8))
    # a constant 0.25 per step crosses thr (V > thr, reset to 0) every thr / 0.25 + 1 steps
    period = (thr / 0.25 + 1).astype(int)
    for i, k in enumerate(period):
        assert np.flatnonzero(run.spikes["if"][0, :, i]).tolist() == list(range(k - 1, 16, k))


def test_per_neuron_thresholds_need_a_proportional_reset():
    neuron = nir.IF(r=np.ones(2), v_threshold=np.array([1.0, 2.0]), v_reset=np.array([0.5, 0.5]))
    with pytest.raises(ConfigError, match="node 'if' \\(IF\\): per-neuron thresholds need"):
        from_graph(_graph(neuron), dt=1.0)
    neuron = nir.IF(r=np.ones(2), v_threshold=np.array([1.0, -2.0]))
    with pytest.raises(ConfigError, match="per-neuron thresholds must all be > 0"):
        from_graph(_graph(neuron), dt=1.0)


def test_lif_v_leak_is_a_per_neuron_bias_scaled_with_the_threshold():
    tau, dt = 1e-2, 1e-3
    neuron = nir.LIF(
        tau=np.full(2, tau),
        r=np.ones(2),
        v_leak=np.array([0.5, -1.0]),
        v_threshold=np.array([1.0, 2.0]),
        v_reset=np.zeros(2),
    )
    net = from_graph(_graph(neuron), dt=dt)
    np.testing.assert_allclose(net.populations[0].bias, dt / tau * np.array([0.5 * 2, -1.0]))


def test_sinabs_style_if_on_a_feature_map():
    # r = 1 and parameters shaped (C, H, W), imported with dt = 1: the time unit is the step
    conv = nir.Conv2d(
        input_shape=(4, 4),
        weight=np.ones((2, 1, 3, 3)),
        stride=1,
        padding=1,
        dilation=1,
        groups=1,
        bias=np.zeros(2),
    )
    ones = np.ones((2, 4, 4))
    graph = nir.NIRGraph(
        nodes={
            "in": nir.Input(input_type={"input": np.array([1, 4, 4])}),
            "conv": conv,
            "if": nir.IF(r=ones, v_threshold=ones, v_reset=0 * ones),
            "out": nir.Output(output_type={"output": np.array([2, 4, 4])}),
        },
        edges=[("in", "conv"), ("conv", "if"), ("if", "out")],
    )
    net = from_graph(graph, dt=1.0, num_steps=4)
    assert net.populations[0].n == 32 and net.projections[0].weight.max() == 1.0
    # the centre pixel reaches all 9 outputs of each channel around it, corners 4
    assert net.projections[0].weight.sum(axis=1).tolist()[5] == 18.0
    assert net.projections[0].weight.sum(axis=1).tolist()[0] == 8.0


def test_threshold_node_is_a_stateless_lif():
    thr = np.array([0.2, 0.6])
    net = from_graph(_graph(nir.Threshold(threshold=thr), weight=0.5), dt=1e-3, num_steps=4)
    pop = net.populations[0]
    assert (pop.kind, pop.beta, pop.reset, pop.threshold) == ("lif", 0.0, "value", 0.6)
    spikes = np.array([[[1], [0], [1], [1]]], np.uint8)
    run = core.run(quantise(net, QuantConfig(weight_bits=8)), spikes)
    # input 0.5 fires the neuron of threshold 0.2 whenever the source spikes, never the other
    assert run.spikes["if"][0].T.tolist() == [[1, 0, 1, 1], [0, 0, 0, 0]]


def _lif(tau, n):
    tau = np.broadcast_to(np.asarray(tau, np.float64), (n,)).copy()
    return nir.LIF(
        tau=tau, r=tau / 1e-3, v_leak=np.zeros(n), v_threshold=np.full(n, 0.5), v_reset=np.zeros(n)
    )


def test_per_neuron_time_constants_split_into_one_population_each():
    rng = np.random.default_rng(4)
    w_in, b_in = rng.normal(0, 1, (4, 3)), rng.normal(0, 0.1, 4)
    w_rec, w_out = rng.normal(0, 0.5, (4, 4)), rng.normal(0, 1, (2, 4))
    li = nir.LI(tau=np.full(2, 5e-3), r=np.full(2, 5.0), v_leak=np.zeros(2))

    def graph(nodes, edges):
        common = {
            "in": nir.Input(input_type={"input": np.array([3])}),
            "li": li,
            "out": nir.Output(output_type={"output": np.array([2])}),
        }
        return nir.NIRGraph(nodes={**common, **nodes}, edges=[*edges, ("li", "out")])

    mixed = graph(
        {
            "fc": nir.Affine(weight=w_in, bias=b_in),
            "lif": _lif([4e-3, 4e-3, 2e-3, 4e-3], 4),
            "rec": nir.Linear(weight=w_rec),
            "ro": nir.Linear(weight=w_out),
        },
        [("in", "fc"), ("fc", "lif"), ("lif", "rec"), ("rec", "lif"), ("lif", "ro"), ("ro", "li")],
    )
    parts = {"0": [2], "1": [0, 1, 3]}  # values in increasing order: tau 2 ms, then 4 ms
    nodes, edges = {}, []
    for j, idx in parts.items():
        nodes |= {
            f"fc.{j}": nir.Affine(weight=w_in[idx], bias=b_in[idx]),
            f"lif.{j}": _lif(2e-3 if j == "0" else 4e-3, len(idx)),
            f"ro.{j}": nir.Linear(weight=w_out[:, idx]),
        }
        edges += [
            ("in", f"fc.{j}"),
            (f"fc.{j}", f"lif.{j}"),
            (f"lif.{j}", f"ro.{j}"),
            (f"ro.{j}", "li"),
        ]
        for i, src in parts.items():  # rec: rows of part j, columns of part i
            nodes[f"rec.{j}.{i}"] = nir.Linear(weight=w_rec[np.ix_(idx, src)])
            edges += [(f"lif.{i}", f"rec.{j}.{i}"), (f"rec.{j}.{i}", f"lif.{j}")]
    by_hand = graph(nodes, edges)
    a, b = from_graph(mixed, dt=1e-3, num_steps=12), from_graph(by_hand, dt=1e-3, num_steps=12)
    assert [(p.name, p.n, p.beta) for p in a.populations] == [
        (p.name, p.n, p.beta) for p in b.populations
    ]
    assert sorted(p.name for p in a.projections) == sorted(p.name for p in b.projections)
    for p in a.projections:
        np.testing.assert_array_equal(p.weight, b.projections[_index(b, p.name)].weight)
    spikes = (rng.random((3, 12, 3)) < 0.5).astype(np.uint8)
    runs = [core.run(quantise(net, QuantConfig(weight_bits=8)), spikes) for net in (a, b)]
    assert core.diff_results(*runs) == []
    assert runs[0].spikes["lif.1"].any()


def _index(net, name):
    return [p.name for p in net.projections].index(name)


def test_time_constants_of_the_output_or_too_many_are_refused():
    g = _graph(_lif(np.arange(1, 4) * 1e-3, 3))
    with pytest.raises(ConfigError, match="tau is not homogeneous, and 'out' is a Output"):
        from_graph(g, dt=1e-4)
    hidden = nir.NIRGraph(
        nodes={
            "in": nir.Input(input_type={"input": np.array([1])}),
            "fc": nir.Linear(weight=np.ones((9, 1))),
            "lif": _lif(np.arange(1, 10) * 1e-3, 9),
            "ro": nir.Linear(weight=np.ones((1, 9))),
            "li": nir.LI(tau=np.ones(1), r=np.ones(1), v_leak=np.zeros(1)),
            "out": nir.Output(output_type={"output": np.array([1])}),
        },
        edges=[("in", "fc"), ("fc", "lif"), ("lif", "ro"), ("ro", "li"), ("li", "out")],
    )
    with pytest.raises(ConfigError, match="node 'lif' \\(LIF\\): 9 distinct time constants; at mo"):
        from_graph(hidden, dt=1e-4)


def test_a_synapse_between_two_split_nodes_keeps_rows_and_columns():
    rng = np.random.default_rng(5)
    w = rng.normal(size=(5, 4))
    g = nir.NIRGraph(
        nodes={
            "in": nir.Input(input_type={"input": np.array([3])}),
            "fc1": nir.Linear(weight=rng.normal(size=(4, 3))),
            "a": _lif([2e-3, 4e-3, 2e-3, 4e-3], 4),
            "fc2": nir.Linear(weight=w),
            "b": _lif([3e-3, 3e-3, 6e-3, 6e-3, 6e-3], 5),
            "ro": nir.Linear(weight=rng.normal(size=(2, 5))),
            "li": nir.LI(tau=np.ones(2), r=np.ones(2), v_leak=np.zeros(2)),
            "out": nir.Output(output_type={"output": np.array([2])}),
        },
        edges=[
            ("in", "fc1"),
            ("fc1", "a"),
            ("a", "fc2"),
            ("fc2", "b"),
            ("b", "ro"),
            ("ro", "li"),
            ("li", "out"),
        ],
    )
    net = from_graph(g, dt=1e-3)
    rows = {p.name: (p.source, p.target, p.weight) for p in net.projections}
    a_parts, b_parts = [[0, 2], [1, 3]], [[0, 1], [2, 3, 4]]
    for i, src in enumerate(a_parts):
        for j, dst in enumerate(b_parts):
            source, target, weight = rows[f"fc2.{i}.{j}"]
            assert (source, target) == (f"a.{i}", f"b.{j}")
            np.testing.assert_array_equal(weight, w[np.ix_(dst, src)].T)
