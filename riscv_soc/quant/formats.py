"""Fixed-point formats `sI_F`: naming, float -> raw conversion and FeNN's power-of-two scale choice.

Used by the quantiser (riscv_soc.quant.quantise) when it turns float parameters into the int16 raw
values a bundle stores. docs/semantics.md section 5 states the rules; tests/quant/test_formats.py
pins them.
"""

from __future__ import annotations

import math

import numpy as np

from riscv_soc.isa.numerics import INT16_MAX, INT16_MIN


def format_name(frac_bits: int, saturate: bool = False) -> str:
    """`s{15-F}_{F}` with `_sat` for a saturating variable: `format_name(8, True) == "s7_8_sat"`."""
    return f"s{15 - frac_bits}_{frac_bits}" + ("_sat" if saturate else "")


def parse_format(name: str) -> tuple[int, bool]:
    """Inverse of `format_name`: (frac_bits, saturate). Raises ValueError on a malformed name."""
    body, sat = (name[:-4], True) if name.endswith("_sat") else (name, False)
    if not body.startswith("s") or "_" not in body:
        raise ValueError(f"fixed-point format {name!r}: expected sI_F or sI_F_sat")
    int_bits, frac_bits = (int(part) for part in body[1:].split("_", 1))
    if int_bits + frac_bits != 15 or not 0 <= frac_bits <= 15:
        raise ValueError(f"fixed-point format {name!r}: I + F must be 15 with 0 <= F <= 15")
    return frac_bits, sat


def round_half_up(x: np.ndarray | float) -> np.ndarray:
    """floor(x + 0.5): the same tie rule as the vector unit's RN (ties toward plus infinity)."""
    return np.floor(np.asarray(x, dtype=np.float64) + 0.5)


def to_raw(x, frac_bits: int, lo: int = INT16_MIN, hi: int = INT16_MAX) -> tuple[np.ndarray, int]:
    """round_half_up(x * 2**frac_bits) clipped to [lo, hi]; returns (int64 raw, number clipped)."""
    scaled = round_half_up(np.asarray(x, dtype=np.float64) * 2.0**frac_bits)
    clipped = int(np.count_nonzero((scaled < lo) | (scaled > hi)))
    return np.clip(scaled, lo, hi).astype(np.int64), clipped


def decay_format(decay: float) -> int:
    """Fractional bits of a decay factor in [0, 1]: s0_15, or s1_14 when it rounds to 1.0.

    A decay of exactly 1 (an integrator) is 16384 in s1_14, so V * 1 stays exact; every other decay
    keeps FeNN's s0_15 and its extra bit of precision.
    """
    return 14 if round_half_up(decay * 2**15) > INT16_MAX else 15


def weight_frac_bits(magnitude: float, weight_bits: int) -> int:
    """FeNN's scale choice: F = -(floor(log2 m) - (weight_bits - 2)) for a weight magnitude m.

    The weights then span weight_bits signed bits with the percentile magnitude m just below the
    top one: [-2**(hb+1), 2**(hb+1) - 2**lb] in float units (research/fenn.md 3.2).
    """
    if not magnitude > 0:
        return 15
    high_bit = math.floor(math.log2(magnitude))
    return -(high_bit - (weight_bits - 2))


def headroom_frac_bits(largest: float) -> int:
    """Largest F at which `largest` (threshold, reset value) still leaves V one bit of headroom.

    |x| * 2**F <= 2**14, so V can exceed the threshold by as much again before it saturates.
    """
    if not largest > 0:
        return 15
    return math.floor(14 - math.log2(largest))
