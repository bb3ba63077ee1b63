"""Convolutional NIR graphs: the lowered matrices against torch's conv and pooling, and a CNN run
bit-exactly by the core, the ISS and (marked rtl) the RTL."""

import nir
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from naive.nir_cnn import DT, cnn_graph

from riscv_soc import core, runtime
from riscv_soc.compiler import compile_bundle
from riscv_soc.errors import ConfigError
from riscv_soc.firmware.export import firmware_of
from riscv_soc.nir import from_graph
from riscv_soc.nir.lowering import compose, conv_matrix
from riscv_soc.quant import QuantConfig, quantise

CONV2D = [  # (c_in, c_out, groups, kernel, stride, padding, dilation, height, width)
    (2, 4, 1, (3, 3), 1, 1, 1, 8, 7),
    (4, 6, 2, (3, 2), (2, 1), (1, 0), (1, 2), 9, 8),
    (3, 3, 3, (3, 3), 1, "same", 2, 6, 6),
    (2, 2, 1, (2, 4), 1, "same", 1, 5, 6),  # odd total padding: the smaller half first
    (1, 2, 1, (5, 5), 3, 2, 1, 11, 11),
]


@pytest.mark.parametrize("case", CONV2D)
@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel")  # torch pads a copy
def test_conv2d_matrix_is_torch_conv2d(case):
    c_in, c_out, groups, kernel, stride, padding, dilation, h, w = case
    rng = np.random.default_rng(0)
    weight, x = rng.normal(size=(c_out, c_in // groups, *kernel)), rng.normal(size=(c_in, h, w))
    m, shape = conv_matrix(weight, (c_in, h, w), stride, padding, dilation, groups, "t")
    ref = F.conv2d(
        torch.tensor(x)[None],
        torch.tensor(weight),
        stride=stride,
        padding=padding,
        dilation=dilation,
        groups=groups,
    )[0].numpy()
    assert shape == ref.shape
    np.testing.assert_allclose(m @ x.ravel(), ref.ravel(), atol=1e-12)


def test_conv1d_and_pools_compose_like_torch():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(3, 8, 8))
    w1 = rng.normal(size=(4, 3, 3, 3))
    pool = {"kernel_size": [2, 2], "stride": [2, 2], "padding": [0, 0]}
    chain = [
        (
            "c",
            nir.Conv2d(
                input_shape=(8, 8),
                weight=w1,
                stride=1,
                padding=1,
                dilation=1,
                groups=1,
                bias=np.arange(4.0),
            ),
        ),
        ("s", nir.Scale(scale=np.array([0.5]))),
        ("a", nir.AvgPool2d(**pool)),
        ("p", nir.SumPool2d(**pool)),
        ("f", nir.Flatten(input_type={"input": np.array([4, 2, 2])}, start_dim=0)),
    ]
    lowered = compose(chain, (3, 8, 8), "t")
    t = F.conv2d(torch.tensor(x)[None], torch.tensor(w1), torch.arange(4.0).double(), padding=1)
    t = 4 * F.avg_pool2d(F.avg_pool2d(0.5 * t, 2), 2)  # a sum pool is 4 x the average
    assert lowered.shape == (16,) and lowered.nodes == ("c", "s", "a", "p", "f")
    np.testing.assert_allclose(lowered.weight @ x.ravel() + lowered.bias, t.flatten(), atol=1e-12)
    w = rng.normal(size=(5, 2, 4))
    conv1d = nir.Conv1d(
        input_shape=12, weight=w, stride=2, padding=1, dilation=2, groups=1, bias=np.zeros(5)
    )
    x1 = rng.normal(size=(2, 12))
    lowered = compose([("c1", conv1d)], (2, 12), "t")
    ref = F.conv1d(torch.tensor(x1)[None], torch.tensor(w), stride=2, padding=1, dilation=2)
    np.testing.assert_allclose(lowered.weight @ x1.ravel(), ref.flatten(), atol=1e-12)


def test_cnn_imports_as_sparse_projections_in_chw_order():
    net = from_graph(cnn_graph(), dt=DT, num_steps=8)
    assert [(p.name, p.n) for p in net.populations] == [("if1", 400), ("if2", 72), ("lif", 10)]
    assert [(p.name, p.source, p.shape) for p in net.projections] == [
        ("conv1", "input", (200, 400)),
        ("conv2", "if1", (400, 72)),
        ("fc", "if2", (72, 10)),
    ]
    # neuron (c, y, x) of if1 is (c * 10 + y) * 10 + x: conv1's rows [in, out] say so
    w = cnn_graph().nodes["conv1"].weight
    rows = net.projections[0].weight.toarray()
    assert rows[(1 * 10 + 4) * 10 + 5, (3 * 10 + 4) * 10 + 6] == pytest.approx(w[3, 1, 1, 0])
    assert np.allclose(net.population("if2").bias, np.repeat(cnn_graph().nodes["conv2"].bias, 9))


def test_neuron_shapes_come_from_their_chains_when_parameters_are_flat():
    graph = cnn_graph()
    for name in ("if1", "if2"):
        node = graph.nodes[name]
        graph.nodes[name] = nir.IF(
            r=node.r.ravel(), v_threshold=node.v_threshold.ravel(), v_reset=node.v_reset.ravel()
        )
    flat, shaped = from_graph(graph, dt=DT), from_graph(cnn_graph(), dt=DT)
    for a, b in zip(flat.projections, shaped.projections, strict=True):
        assert (a.weight != b.weight).nnz == 0


def test_a_pool_fed_a_flat_input_without_a_declared_shape_is_refused():
    graph = cnn_graph()
    graph.nodes["input"] = nir.Input(input_type={"input": np.array([200])})
    graph.nodes["conv1"].input_shape = None
    with pytest.raises(ConfigError, match=r"node 'conv1' \(Conv2d\): input of shape \(200,\)"):
        from_graph(graph, dt=DT)


def _cnn_run(backend_samples: int):
    net = from_graph(cnn_graph(), dt=DT, num_steps=8)
    bundle = quantise(net, QuantConfig(weight_bits=8))
    spikes = (np.random.default_rng(1).random((backend_samples, 8, 200)) < 0.3).astype(np.uint8)
    return bundle, spikes, firmware_of(compile_bundle(bundle))


def test_cnn_core_equals_iss():
    bundle, spikes, fw = _cnn_run(3)
    golden = core.run(bundle, spikes, seed=3)
    assert [p.layout for p in bundle.projections] == ["sparse", "dense", "dense"]
    assert all(golden.spikes[k].any() for k in ("if1", "if2", "lif"))
    on_iss = runtime.run(fw, spikes, seed=3, backend="iss")
    assert core.diff_results(golden, on_iss, activity=False) == []


@pytest.mark.rtl
@pytest.mark.slow
def test_cnn_core_iss_and_rtl_agree():
    bundle, spikes, fw = _cnn_run(2)
    on_rtl = runtime.run(fw, spikes, seed=3, backend="rtl")
    on_iss = runtime.run(fw, spikes, seed=3, backend="iss")
    assert core.diff_results(core.run(bundle, spikes, seed=3), on_rtl, activity=False) == []
    assert core.diff_results(on_iss, on_rtl) == []  # counters too: the same cycles
