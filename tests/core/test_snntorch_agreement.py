"""Quantisation out of the way, the core reproduces snntorch spike for spike.

Networks whose float simulation is exact in int16: weights and thresholds on a 2**-4 grid,
integrator decays (beta = 1) or alpha = 0, so snntorch's float32 values equal raw / 2**8.
"""

import numpy as np
import pytest
import torch
from naive.snntorch_nets import Student

from riscv_soc import core
from riscv_soc.nir import from_graph, student_to_graph
from riscv_soc.quant import QuantConfig, quantise


def _grid_student(neuron, reset, recurrent, seed):
    torch.manual_seed(seed)
    st = Student(
        [24, 40, 36, 6],
        neuron=neuron,
        beta=1.0,
        alpha=0.0,
        threshold=1.5,
        reset=reset,
        recurrent=recurrent,
        readout_beta=1.0,
        bias=True,
    )
    with torch.no_grad():
        for p in st.parameters():
            p.copy_(torch.round(p * 16 * 3) / 16)  # multiples of 1/16 around +-1
    return st


@pytest.mark.parametrize(
    ("neuron", "reset", "recurrent"),
    [
        ("lif", "subtract", False),
        ("lif", "zero", True),
        ("cubalif", "subtract", True),
        ("cubalif", "zero", False),
    ],
)
def test_core_equals_snntorch(neuron, reset, recurrent):
    st = _grid_student(neuron, reset, recurrent, seed=len(neuron) + len(reset))
    spikes = (np.random.default_rng(1).random((6, 20, 24)) < 0.3).astype(np.uint8)
    want_spikes, want_mem = st.run(spikes)
    net = from_graph(student_to_graph(st, num_steps=20))
    bundle = quantise(net, QuantConfig(frac_bits=8, weight_bits=16, percentile=100))
    bundle.readout = "last"
    got = core.run(bundle, spikes)
    total = 0
    for k, want in enumerate(want_spikes):
        np.testing.assert_array_equal(got.spikes[f"hidden{k}"], want, err_msg=f"hidden{k}")
        total += want.sum()
    assert total > 100  # the comparison is about real activity
    np.testing.assert_array_equal(got.readout, want_mem[:, -1] * 2**8)
