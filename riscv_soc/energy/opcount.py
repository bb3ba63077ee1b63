"""The op-count energy estimate SNN papers use, for the ANN teacher and the SNN student.

Where it sits beside the counter models (model.py, calibrations.py): no hardware, only operation
counts times Horowitz's 45 nm energies, an accumulate (AC, fp32 add) for every synaptic event of
the student and a multiply-accumulate (MAC, fp32 multiply + add) for every weight the teacher
applies. The student's counts come from a run's activity (`synops`, `neuron_updates`: core, ISS
and RTL report the same), the teacher's from its layer shapes or its torch module.

    E_SNN = synops * E_AC + neuron_updates * m * E_MAC     (m MACs per neuron update, below)
    E_ANN = MACs * E_MAC
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from riscv_soc.energy.model import Constant
from riscv_soc.errors import ConfigError, DataError

AC_J = Constant(0.9e-12, "Horowitz ISSCC 2014, fp32 add at 45 nm (anchors.md 6.1)")
MAC_J = Constant(
    4.6e-12, "Horowitz ISSCC 2014, fp32 mult 3.7 + add 0.9 pJ at 45 nm (anchors.md 6.1)"
)


@dataclass(frozen=True)
class OpCountReport:
    """Operation counts (per sample, or one run) and their energy under the op-count estimate."""

    network: str
    accumulates: np.ndarray
    macs: np.ndarray
    assumptions: tuple[str, ...]

    @property
    def energy_j(self) -> np.ndarray:
        return self.accumulates * AC_J.value + self.macs * MAC_J.value

    def mean(self) -> dict:
        return {
            "network": self.network,
            "accumulates": float(np.mean(self.accumulates)),
            "macs": float(np.mean(self.macs)),
            "energy_j": float(np.mean(self.energy_j)),
            "assumptions": list(self.assumptions),
        }


def snn_op_energy(activity: Mapping[str, object], bundle=None) -> OpCountReport:
    """The student: one AC per synaptic event (`synops`), plus MACs for the neuron updates.

    A neuron update costs one MAC for the membrane decay, one more for a synaptic current (CuBa
    neurons) and one more for an adaptive threshold (ALIF): per population when `bundle`
    (riscv_soc.quant.Bundle) is given, otherwise one MAC for every update.
    """
    for key in ("synops", "neuron_updates"):
        if key not in activity:
            raise DataError(f"activity: no {key!r} count; have {sorted(activity)}")
    synops = _counts(activity, "synops")
    updates = _counts(activity, "neuron_updates")
    if bundle is None:
        per_update = 1.0
        how = "1 MAC per neuron update (membrane decay; no network given to count more)"
    else:
        sizes = [p.n for p in bundle.populations]
        macs = [1 + bool(p.synaptic) + bool(p.adaptive) for p in bundle.populations]
        per_update = float(np.dot(sizes, macs)) / sum(sizes)
        how = "1 MAC per neuron update, +1 with a synaptic current, +1 with an adaptive threshold"
    assumptions = (
        "1 AC per synaptic event (synops: every weight of a dense row, every stored synapse of "
        "a sparse one, per presynaptic spike)",
        how,
        f"AC {AC_J.value * 1e12:g} pJ, MAC {MAC_J.value * 1e12:g} pJ (45 nm fp32); memory "
        "access, control and static power are not counted",
    )
    return OpCountReport("SNN student", synops, updates * per_update, assumptions)


def ann_op_energy(macs: int | np.ndarray) -> OpCountReport:
    """The teacher: `macs` multiply-accumulates per inference (dense_macs, module_macs)."""
    macs = np.asarray(macs)
    if macs.dtype.kind not in "iu" or (macs.size and macs.min() < 0):
        raise ConfigError(f"macs={macs!r}; expected a non-negative integer count")
    assumptions = (
        "1 MAC per weight applied per inference (Linear: in x out; Conv: kernel x channels x "
        "output positions); biases, activations and pooling are not counted",
        f"MAC {MAC_J.value * 1e12:g} pJ (45 nm fp32); memory access, control and static power "
        "are not counted",
    )
    return OpCountReport("ANN teacher", np.zeros(macs.shape), macs.astype(np.float64), assumptions)


def dense_macs(sizes: Sequence[int]) -> int:
    """MACs of a fully connected network with these layer sizes, e.g. [700, 256, 20]."""
    sizes = [int(s) for s in sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ConfigError(f"sizes={sizes}; expected two or more layer sizes >= 1")
    return sum(a * b for a, b in zip(sizes, sizes[1:], strict=False))


def module_macs(module, sample) -> int:
    """MACs of one forward pass of a torch module on `sample` (batch of 1), counted from the
    shapes its layers see (forward hooks): nn.Linear, nn.Conv1d/2d, and nn.MultiheadAttention
    (projections of q, k, v and the output, scores and weighted sum; padding is not skipped)."""
    import torch
    from torch import nn

    if sample.shape[0] != 1:
        raise ConfigError(f"sample: shape {tuple(sample.shape)}; expected a batch of 1")
    total = 0

    def count(layer, inputs, output) -> None:
        nonlocal total
        if isinstance(layer, nn.Linear):
            total += layer.in_features * output.numel()
        elif isinstance(layer, nn.MultiheadAttention):
            total += _attention_macs(layer, *inputs[:2])
        else:  # a convolution: each output element takes (in / groups) x kernel MACs
            total += (
                (layer.in_channels // layer.groups)
                * math.prod(layer.kernel_size)
                * (output.numel())
            )

    kinds = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.MultiheadAttention)
    hooks = [m.register_forward_hook(count) for m in module.modules() if isinstance(m, kinds)]
    try:
        with torch.no_grad():
            module(sample)
    finally:
        for hook in hooks:
            hook.remove()
    return total


def _attention_macs(layer, query, key) -> int:
    seq_axis = 1 if layer.batch_first else 0
    lq, lk, e = query.shape[seq_axis], key.shape[seq_axis], layer.embed_dim
    projections = lq * e * e + lk * (layer.kdim + layer.vdim) * e + lq * e * e
    return projections + 2 * lq * lk * e  # q.k scores, then the weighted sum of v


def _counts(activity: Mapping[str, object], key: str) -> np.ndarray:
    values = np.asarray(activity[key])
    if values.dtype.kind not in "iu" or (values.size and values.min() < 0):
        raise DataError(f"activity: {key!r} must hold non-negative integer counts")
    return values.astype(np.float64)
