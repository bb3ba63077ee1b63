"""Fake quantisation of student weights to FeNN's power-of-two fixed point (research/fenn.md 3.2).

Sits inside `SpikingStudent.forward`: when the arch asks for `weight_bits`, every population's
incoming weights are snapped to a signed `weight_bits`-bit grid of step 2^-F before use, with a
straight-through gradient, so training sees the weights the hardware will hold.

Format choice per target population (FeNN's NIR importer): m = the `percentile`-th percentile of
|w| over all its incoming weights (feed-forward and recurrent), high_bit = floor(log2 m),
F = (bits - 2) - high_bit, clamped to [0, bits - 1]. Then w_q = clamp(round(w * 2^F), -2^(bits-1),
2^(bits-1) - 1) / 2^F, ties to even (torch.round). The bias of the population uses the same F.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch


def frac_bits(weights: Sequence[torch.Tensor], bits: int, percentile: float) -> int:
    """Fractional bits F of the population whose incoming weight matrices are `weights`."""
    magnitudes = torch.cat([w.detach().abs().flatten() for w in weights]).double()
    m = float(torch.quantile(magnitudes, percentile / 100.0)) if magnitudes.numel() else 0.0
    if m <= 0.0:
        return bits - 1  # all-zero weights: any format holds them; take the finest
    high_bit = math.floor(math.log2(m))
    return min(max((bits - 2) - high_bit, 0), bits - 1)


def quantise(w: torch.Tensor, frac: int, bits: int) -> torch.Tensor:
    """`w` on the grid 2^-frac, saturated to `bits` signed bits; straight-through gradient."""
    scale = float(2**frac)
    lo, hi = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    snapped = torch.clamp(torch.round(w * scale), lo, hi) / scale
    return w + (snapped - w).detach()


def to_raw(w: torch.Tensor, frac: int, bits: int) -> torch.Tensor:
    """The integers (int64) the hardware stores for `w` in format F = frac."""
    lo, hi = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    return torch.clamp(torch.round(w.detach() * float(2**frac)), lo, hi).to(torch.int64)
