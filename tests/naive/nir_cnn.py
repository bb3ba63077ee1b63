"""A small NIR CNN in the shape of the NIR paper's N-MNIST network (Conv2d, IF, SumPool2d, Conv2d,
IF, Flatten, Affine, LIF): the convolutional graph the importer lowers and every execution runs."""

from __future__ import annotations

import nir
import numpy as np

DT = 1e-3


def _if(shape, threshold):
    ones = np.ones(shape)  # r = 1/dt: an input gain dt * r of 1
    return nir.IF(r=ones / DT, v_threshold=threshold * ones, v_reset=0 * ones)


def cnn_graph(seed: int = 0, size: int = 10, channels: int = 2) -> nir.NIRGraph:
    """Input (channels, size, size) -> conv 4@3x3 pad 1 -> IF -> sum pool 2 -> conv 8@3x3 stride 2
    -> IF -> flatten -> affine 10 -> LIF. Weights N(0, 0.5); parameters shaped per neuron."""
    rng = np.random.default_rng(seed)
    half = size // 2
    out2 = (half - 1) // 2 + 1
    conv1 = nir.Conv2d(
        input_shape=(size, size),
        weight=rng.normal(0, 0.5, (4, channels, 3, 3)),
        stride=1,
        padding=1,
        dilation=1,
        groups=1,
        bias=np.zeros(4),
    )
    conv2 = nir.Conv2d(
        input_shape=(half, half),
        weight=rng.normal(0, 0.5, (8, 4, 3, 3)),
        stride=2,
        padding=1,
        dilation=1,
        groups=1,
        bias=rng.normal(0, 0.1, 8),
    )
    tau = 5 * DT
    nodes = {
        "input": nir.Input(input_type={"input": np.array([channels, size, size])}),
        "conv1": conv1,
        "if1": _if((4, size, size), 1.0),
        "pool1": nir.SumPool2d(
            kernel_size=np.array([2, 2]), stride=np.array([2, 2]), padding=np.array([0, 0])
        ),
        "conv2": conv2,
        "if2": _if((8, out2, out2), 1.0),
        "flat": nir.Flatten(input_type={"input": np.array([8, out2, out2])}, start_dim=0),
        "fc": nir.Affine(weight=rng.normal(0, 0.5, (10, 8 * out2 * out2)), bias=np.zeros(10)),
        "lif": nir.LIF(
            tau=np.full(10, tau),
            r=np.full(10, tau / DT),
            v_leak=np.zeros(10),
            v_threshold=np.ones(10),
            v_reset=np.zeros(10),
        ),
        "output": nir.Output(output_type={"output": np.array([10])}),
    }
    order = list(nodes)
    return nir.NIRGraph(nodes=nodes, edges=list(zip(order, order[1:], strict=False)))
