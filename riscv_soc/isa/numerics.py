"""FeNN fixed-point numerics: saturation, the three rounding modes and the per-lane RNG.

One definition of each rule, as tiny Numba functions shared by the ISS, the event-driven core and
the cocotb testbenches (they run as plain Python there). docs/semantics.md states each rule in
words and names the test that pins it. No `fastmath` anywhere: every result must be bit-exact.
"""

from __future__ import annotations

import numpy as np
from numba import njit

INT16_MIN = -32768
INT16_MAX = 32767

# Rounding modes of VMUL and VSRAI (the instruction's 2-bit `round` field).
ROUND_FLOOR = 0  # "RZ" in FeNN's naming, but an arithmetic shift rounds toward minus infinity
ROUND_NEAREST = 1  # adds 2**(shift-1) before the shift: ties round up (toward plus infinity)
ROUND_STOCHASTIC = 2  # adds the low `shift` bits of the lane's RNG output, then advances the RNG
ROUND_NAMES = {"floor": ROUND_FLOOR, "rn": ROUND_NEAREST, "sr": ROUND_STOCHASTIC}


@njit(cache=True, inline="always")
def wrap16(x: int) -> int:
    """Two's-complement wrap of an integer to int16 (what every non-saturating lane op does)."""
    return ((x + 32768) & 0xFFFF) - 32768


@njit(cache=True, inline="always")
def sat16(x: int) -> int:
    """Clamp an integer to [-32768, 32767] (the `_s` forms)."""
    return INT16_MIN if x < INT16_MIN else (INT16_MAX if x > INT16_MAX else x)


@njit(cache=True, inline="always")
def round_term(mode: int, shift: int, rng_out: int) -> int:
    """Addend applied before an arithmetic right shift by `shift` (0 to 15).

    `rng_out` is the lane's raw 16-bit xoroshiro32++ output; only stochastic rounding reads it.
    """
    if mode == ROUND_NEAREST:
        return (1 << (shift - 1)) if shift > 0 else 0
    if mode == ROUND_STOCHASTIC:
        return rng_out & ((1 << shift) - 1)
    return 0


@njit(cache=True, inline="always")
def mul_lane(a: int, b: int, shift: int, mode: int, saturate: bool, rng_out: int) -> int:
    """VMUL on one lane: (a*b + round_term) >> shift in 32 bits, then clamp or wrap to int16."""
    p = (a * b + round_term(mode, shift, rng_out)) >> shift
    return sat16(p) if saturate else wrap16(p)


@njit(cache=True, inline="always")
def srai_lane(a: int, shift: int, mode: int, rng_out: int) -> int:
    """VSRAI on one lane: (a + round_term) >> shift wrapped to int16 (never saturates)."""
    return wrap16((a + round_term(mode, shift, rng_out)) >> shift)


@njit(cache=True, inline="always")
def add_lane(a: int, b: int, saturate: bool) -> int:
    return sat16(a + b) if saturate else wrap16(a + b)


@njit(cache=True, inline="always")
def sub_lane(a: int, b: int, saturate: bool) -> int:
    return sat16(a - b) if saturate else wrap16(a - b)


@njit(cache=True, inline="always")
def sll_lane(a: int, amount: int) -> int:
    """VSLL on one lane: a << amount wrapped to int16, the amount (vs2[i]) read as an unsigned
    16-bit number; 16 or more shifts every bit out (FeNN: 16..31 give 0; beyond, our rule)."""
    amount &= 0xFFFF
    return 0 if amount >= 16 else wrap16(a << amount)


@njit(cache=True, inline="always")
def sra_lane(a: int, amount: int) -> int:
    """VSRA on one lane: a >> amount (arithmetic), the amount read as an unsigned 16-bit number;
    15 or more leaves only the sign: 0 or -1 (FeNN: 16..31 give 0 or -1; beyond, our rule)."""
    amount &= 0xFFFF
    return a >> (15 if amount >= 15 else amount)


@njit(cache=True, inline="always")
def fill_narrow(x: int) -> int:
    """VFILL's int32 -> int16 narrowing: bit 31 becomes the sign, bits 14:0 are kept."""
    return wrap16((((x >> 31) & 1) << 15) | (x & 0x7FFF))


@njit(cache=True, inline="always")
def _rotl16(x: int, k: int) -> int:
    return ((x << k) | (x >> (16 - k))) & 0xFFFF


@njit(cache=True, inline="always")
def rng_output(s0: int, s1: int) -> int:
    """xoroshiro32++ (13, 5, 10, 9) output of one lane's state halves (uint16 values)."""
    return (_rotl16((s0 + s1) & 0xFFFF, 9) + s0) & 0xFFFF


@njit(cache=True, inline="always")
def rng_advance(s0: int, s1: int) -> tuple[int, int]:
    """One xoroshiro32++ state step; returns the new (s0, s1)."""
    s1 ^= s0
    new_s0 = _rotl16(s0, 13) ^ s1 ^ ((s1 << 5) & 0xFFFF)
    return new_s0, _rotl16(s1, 10)


@njit(cache=True)
def rng_step_lanes(s0: np.ndarray, s1: np.ndarray, out: np.ndarray) -> None:
    """Write every lane's current output to `out`, then advance every lane once (in place).

    `s0`, `s1` are uint16 arrays of lane state; `out` receives the raw 16-bit outputs.
    """
    for lane in range(s0.shape[0]):
        a = np.int64(s0[lane])
        b = np.int64(s1[lane])
        out[lane] = rng_output(a, b)
        a, b = rng_advance(a, b)
        s0[lane] = a
        s1[lane] = b
