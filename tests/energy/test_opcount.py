"""The op-count estimate (riscv_soc/energy/opcount.py): ACs and MACs of student and teacher."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from riscv_soc import core
from riscv_soc.energy import AC_J, MAC_J, ann_op_energy, dense_macs, module_macs, snn_op_energy
from riscv_soc.errors import ConfigError, DataError
from riscv_soc.quant import FloatNetwork, FloatPopulation, FloatProjection, quantise
from snn.models.teachers import CNNTeacher, MLPTeacher, TransformerTeacher


def test_constants_are_horowitz():
    assert (AC_J.value, MAC_J.value) == (0.9e-12, 4.6e-12)


def test_student_without_network():
    report = snn_op_energy({"synops": np.array([1000, 0]), "neuron_updates": np.array([50, 50])})
    assert report.energy_j == pytest.approx([1000 * 0.9e-12 + 50 * 4.6e-12, 50 * 4.6e-12])
    assert report.macs.tolist() == [50, 50]
    assert "1 MAC per neuron update" in report.assumptions[1]


def small_bundle(hidden: str = "alif"):
    rng = np.random.default_rng(1)
    net = FloatNetwork(
        12,
        [
            FloatPopulation("h", hidden, 30, beta=0.9, adapt_decay=0.95, adapt_jump=0.1),
            FloatPopulation("o", "cubali", 10, beta=0.9, alpha=0.8, reset="none"),
        ],
        [
            FloatProjection("ih", "input", "h", rng.normal(0, 0.6, (12, 30))),
            FloatProjection("ho", "h", "o", rng.normal(0, 0.3, (30, 10))),
        ],
        output="o",
        num_steps=20,
    )
    return quantise(net)


def test_student_counts_macs_per_neuron_kind():
    """ALIF: decay + adaptive threshold (2 MACs); CuBa LI: decay + current (2); with a core run."""
    bundle = small_bundle()
    spikes = (np.random.default_rng(2).random((3, 20, 12)) < 0.3).astype(np.uint8)
    activity = core.run(bundle, spikes).activity
    assert activity["synops"].min() > 0
    report = snn_op_energy(activity, bundle)
    assert report.macs.tolist() == (activity["neuron_updates"] * 2).tolist()
    assert report.accumulates.tolist() == activity["synops"].tolist()
    plain = small_bundle("lif")  # 1 MAC
    assert snn_op_energy(activity, plain).macs == pytest.approx(
        activity["neuron_updates"] * (30 * 1 + 10 * 2) / 40
    )


def test_student_needs_spike_counts():
    with pytest.raises(DataError, match="no 'synops' count"):
        snn_op_energy({"cycles": 5})
    with pytest.raises(DataError, match="'neuron_updates' must hold non-negative integer"):
        snn_op_energy({"synops": 1, "neuron_updates": -1})


def test_teacher_dense():
    assert dense_macs([700, 256, 20]) == 700 * 256 + 256 * 20
    report = ann_op_energy(dense_macs([700, 256, 20]))
    assert report.energy_j == pytest.approx(184_320 * 4.6e-12)
    assert report.accumulates == 0
    with pytest.raises(ConfigError, match="two or more layer sizes"):
        dense_macs([5])
    with pytest.raises(ConfigError, match="non-negative integer"):
        ann_op_energy(-3)


def test_module_macs_of_the_teachers():
    torch.manual_seed(0)
    mlp = MLPTeacher(10, 3, hidden=(20, 8))
    assert module_macs(mlp, torch.zeros(1, 10)) == 10 * 20 + 20 * 8 + 8 * 3
    cnn = CNNTeacher((1, 8, 8), 5, channels=(4, 6), hidden=7)
    convs = 1 * 9 * (4 * 8 * 8) + 4 * 9 * (6 * 8 * 8)
    assert module_macs(cnn, torch.zeros(1, 1, 8, 8)) == convs + 6 * 4 * 4 * 7 + 7 * 5
    seq, dim = 6, 8
    tf = TransformerTeacher(vocab_size=11, seq_len=seq, outputs=3, dim=dim, heads=2, layers=1)
    attention = 4 * seq * dim * dim + 2 * seq * seq * dim
    mlp_block = seq * dim * 2 * dim * 2
    tokens = torch.tensor([[1, 2, 3, 4, 0, 0]])
    assert module_macs(tf, tokens) == attention + mlp_block + dim * 3


def test_module_macs_wants_one_sample():
    with pytest.raises(ConfigError, match="batch of 1"):
        module_macs(nn.Linear(2, 2), torch.zeros(3, 2))
