"""ANN-to-SNN conversion: a student initialised from an MLP teacher's weights (remedy R3).

Sits between a trained `MLPTeacher` and `snn.distill`, which fine-tunes the converted student.
Rate-coding view: a hidden spike rate r_l in [0, 1] stands for the ANN activation h_l / lambda_l,
where lambda_l is the layer's QCFS clip (or, for ReLU, the 99.9th percentile of h_l on calibration
inputs); inputs are rate-coded features, so lambda_0 = 1. With thresholds theta_l, T steps and the
readout decay beta_r:

    W'_l = W_l * lambda_{l-1} * theta_l / lambda_l,  b'_l = b_l * theta_l / lambda_l + theta_l / 2T
    W'_out = W_out * lambda_L * (1 - beta_r),         b'_out = b_out * (1 - beta_r)

The theta / (2T) per step plays QCFS's half-step shift (the SNN starts at zero membrane), and the
(1 - beta_r) factor makes the readout's steady-state membrane equal the teacher's logits. The match
is exact only for IF neurons (beta = 1); with leak it is an initialisation, not a conversion, which
is why the student is fine-tuned afterwards.
"""

from __future__ import annotations

import torch
from torch import nn

from snn.errors import ConfigError
from snn.models.student import SpikingStudent
from snn.models.teachers import QCFS, MLPTeacher


def activation_scales(teacher: MLPTeacher, calibration: torch.Tensor | None) -> list[float]:
    """lambda_l per hidden layer: the QCFS clip, or the 99.9th percentile of ReLU activations."""
    if teacher.config["activation"] == "qcfs":
        return [float(act.lam.detach().abs()) for act in teacher.acts if isinstance(act, QCFS)]
    if calibration is None:
        raise ConfigError("convert: a ReLU teacher needs calibration inputs to set its scales")
    with torch.no_grad():
        features = teacher(calibration).features
    return [max(float(torch.quantile(f.flatten(), 0.999)), 1e-6) for f in features]


def student_from_teacher(
    teacher: nn.Module, arch: dict, calibration: torch.Tensor | None = None
) -> SpikingStudent:
    """A fresh `SpikingStudent(arch)` whose weights are converted from `teacher` (module doc)."""
    if not isinstance(teacher, MLPTeacher):
        raise ConfigError(f"convert: needs an MLP teacher, got {type(teacher).__name__}")
    student = SpikingStudent(arch)
    a = student.arch
    shape = (a["inputs"], a["hidden"], a["outputs"])
    teacher_shape = (teacher.config["inputs"], teacher.config["hidden"], teacher.config["outputs"])
    if shape != teacher_shape:
        raise ConfigError(
            f"convert: student (inputs, hidden, outputs) {shape} must equal the "
            f"teacher's {teacher_shape}"
        )
    if a["neuron"] != "lif" or not a["bias"]:
        raise ConfigError("convert: needs arch neuron='lif' with bias=True")
    scales = [1.0, *activation_scales(teacher, calibration)]
    steps = a["num_steps"]
    with torch.no_grad():
        for k, (layer, src) in enumerate(
            zip(student.hidden_layers, teacher.linear_layers, strict=True)
        ):
            theta = a["threshold"][k]
            layer.fc.weight.copy_(src.weight * scales[k] * theta / scales[k + 1])
            layer.fc.bias.copy_(src.bias * theta / scales[k + 1] + theta / (2 * steps))
            if layer.rec is not None:
                layer.rec.weight.zero_()
        gain = 1.0 - a["readout_beta"]
        student.readout.fc.weight.copy_(teacher.head.weight * scales[-1] * gain)
        student.readout.fc.bias.copy_(teacher.head.bias * gain)
    return student
