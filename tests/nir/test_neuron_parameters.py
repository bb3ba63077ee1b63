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
    neuron = nir.LIF(tau=np.full(2, tau), r=np.ones(2), v_leak=np.array([0.5, -1.0]),
                     v_threshold=np.array([1.0, 2.0]), v_reset=np.zeros(2))  # fmt: skip
    net = from_graph(_graph(neuron), dt=dt)
    np.testing.assert_allclose(net.populations[0].bias, dt / tau * np.array([0.5 * 2, -1.0]))


def test_sinabs_style_if_on_a_feature_map():
    # r = 1 and parameters shaped (C, H, W), imported with dt = 1: the time unit is the step
    conv = nir.Conv2d(input_shape=(4, 4), weight=np.ones((2, 1, 3, 3)), stride=1, padding=1,
                      dilation=1, groups=1, bias=np.zeros(2))  # fmt: skip
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
