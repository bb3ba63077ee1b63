"""ANN-to-SNN conversion: scaling rules, and a converted student reproducing its QCFS teacher."""

import numpy as np
import pytest
import torch

from snn.errors import ConfigError
from snn.models import MLPTeacher, student_from_teacher


def _teacher(activation="qcfs"):
    torch.manual_seed(0)
    teacher = MLPTeacher(6, 3, hidden=[5], activation=activation, levels=16)
    if activation == "qcfs":
        with torch.no_grad():
            teacher.acts[0].lam.fill_(2.0)
    return teacher


def test_weights_follow_the_scaling_rule():
    teacher = _teacher()
    arch = {
        "inputs": 6,
        "hidden": [5],
        "outputs": 3,
        "threshold": 0.5,
        "num_steps": 16,
        "readout_beta": 0.5,
    }
    student = student_from_teacher(teacher, arch)
    lam, theta = 2.0, 0.5
    torch.testing.assert_close(student.hidden[0].fc.weight, teacher.layers[0].weight * theta / lam)
    torch.testing.assert_close(
        student.hidden[0].fc.bias, teacher.layers[0].bias * theta / lam + theta / 32
    )
    torch.testing.assert_close(student.readout.fc.weight, teacher.head.weight * lam * 0.5)
    torch.testing.assert_close(student.readout.fc.bias, teacher.head.bias * 0.5)


def test_converted_integrate_and_fire_student_tracks_the_teacher():
    # near-IF neurons (beta = 1 - 2^-15) and a constant input: rates approach h / lambda
    torch.manual_seed(1)
    teacher = MLPTeacher(8, 4, hidden=[16], activation="qcfs", levels=64)
    x = torch.rand(32, 8)
    with torch.no_grad():
        teacher.acts[0].lam.fill_(float(torch.relu(teacher.layers[0](x)).max()))
    arch = {
        "inputs": 8,
        "hidden": [16],
        "outputs": 4,
        "beta": 1 - 2**-15,
        "num_steps": 64,
        "readout_beta": 0.0,
    }
    student = student_from_teacher(teacher, arch)
    with torch.no_grad():
        out = student(x.expand(64, -1, -1))  # analog input current: the rate code's expectation
        hidden = teacher(x).features[0] / teacher.acts[0].lam
    rates = out.hidden_spikes[0].mean(0)
    assert float((rates - hidden).abs().max()) <= 1.5 / 64
    agree = (out.logits().argmax(1) == teacher(x).logits.argmax(1)).float().mean()
    assert agree >= 0.9


def test_relu_teacher_needs_calibration_and_shapes_must_match():
    arch = {"inputs": 6, "hidden": [5], "outputs": 3}
    with pytest.raises(ConfigError, match="calibration"):
        student_from_teacher(_teacher("relu"), arch)
    student = student_from_teacher(_teacher("relu"), arch, calibration=torch.rand(20, 6))
    assert np.isfinite(student.hidden[0].fc.weight.detach().numpy()).all()
    with pytest.raises(ConfigError, match="must equal the teacher"):
        student_from_teacher(_teacher(), {**arch, "hidden": [7]})
    with pytest.raises(ConfigError, match="neuron='lif'"):
        student_from_teacher(_teacher(), {**arch, "neuron": "cubalif"})
