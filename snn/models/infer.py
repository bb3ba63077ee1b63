"""Batched inference of teachers and students on a whole split, as NumPy arrays for the metrics.

Sits between trained models and `snn.metrics`: the experiment runner and the recipes call it.
Students get one fixed, seeded spike encoding of the split (so every model of a run is scored on
the same input spikes).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch

from snn.data.dataset import Dataset
from snn.data.encode import encode
from snn.models.student import SpikingStudent
from snn.models.teachers import Teacher

BATCH = 512


class TeacherResult(NamedTuple):
    logits: np.ndarray  # [N, C]
    features: list[np.ndarray]  # per hidden layer [N, width]


class StudentResult(NamedTuple):
    logits: np.ndarray  # [N, C]: readout membrane averaged over time
    rates: list[np.ndarray]  # per hidden layer: spikes per step [N, width]
    input_spikes: np.ndarray  # [N] input spikes per sample
    hidden_spikes: np.ndarray  # [N, layers] hidden spikes per sample and layer


@torch.no_grad()
def teacher_outputs(teacher: Teacher, ds: Dataset) -> TeacherResult:
    teacher.eval()
    inputs = teacher.inputs(ds)
    logits, features = [], []
    for start in range(0, len(ds), BATCH):
        out = teacher(inputs[start : start + BATCH])
        logits.append(out.logits)
        features.append(out.features)
    return TeacherResult(
        torch.cat(logits).numpy(),
        [torch.cat([f[k] for f in features]).numpy() for k in range(len(features[0]))],
    )


@torch.no_grad()
def student_outputs(
    student: SpikingStudent, ds: Dataset, seed: int, engine: str = "fused"
) -> StudentResult:
    student.eval()
    arch = student.arch
    spikes = encode(ds.x, arch["encoding"], arch["num_steps"], seed)  # [N, T, F]
    logits, rates, counts = [], [], []
    for start in range(0, len(ds), BATCH):
        chunk = torch.from_numpy(spikes[start : start + BATCH]).transpose(0, 1).float()
        out = student(chunk, engine=engine)
        logits.append(out.logits())
        rates.append([s.mean(0) for s in out.hidden_spikes])
        counts.append(torch.stack([s.sum(dim=(0, 2)) for s in out.hidden_spikes], 1))
    return StudentResult(
        torch.cat(logits).numpy(),
        [torch.cat([r[k] for r in rates]).numpy() for k in range(len(arch["hidden"]))],
        spikes.sum(axis=(1, 2)).astype(np.float64),
        torch.cat(counts).numpy().astype(np.float64),
    )
