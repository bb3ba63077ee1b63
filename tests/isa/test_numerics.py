"""riscv_soc.isa.numerics against obvious Python arithmetic, at the edges and on drawn values.

Each function is checked twice: compiled (what the ISS and the core call) and as plain Python
(`.py_func`, what cocotb testbenches call), so both agree with exact integer arithmetic.
"""

from __future__ import annotations

from fractions import Fraction
from math import floor

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from naive.xoroshiro import Xoroshiro32pp

from riscv_soc.isa import numerics as nm

INT16 = st.integers(-(2**15), 2**15 - 1)
UINT16 = st.integers(0, 2**16 - 1)
SHIFT = st.integers(0, 15)
MODE = st.sampled_from([nm.ROUND_FLOOR, nm.ROUND_NEAREST, nm.ROUND_STOCHASTIC])
INT16_EDGES = [-32768, -32767, -16385, -16384, -3, -1, 0, 1, 3, 16384, 32766, 32767]
SETTINGS = settings(max_examples=120, deadline=None)


def both(fn):
    """The compiled function and its plain-Python original."""
    return pytest.mark.parametrize("impl", [fn, fn.py_func], ids=["njit", "python"])


def wrapped(n: int) -> int:
    return (n + 2**15) % 2**16 - 2**15


def clamped(n: int) -> int:
    return max(-32768, min(32767, n))


def term(mode: int, shift: int, rng_out: int) -> int:
    if mode == nm.ROUND_NEAREST:
        return 2 ** (shift - 1) if shift else 0
    if mode == nm.ROUND_STOCHASTIC:
        return rng_out % 2**shift
    return 0


def shifted(n: int, shift: int) -> int:
    """n / 2**shift rounded toward minus infinity, with exact rationals."""
    return floor(Fraction(n, 2**shift))


@both(nm.wrap16)
@pytest.mark.parametrize(
    ("x", "want"),
    [(32767, 32767), (32768, -32768), (-32769, 32767), (65536, 0), (-65537, -1), (2**31, 0)],
)
def test_wrap16_edges(impl, x, want):
    assert impl(x) == want


@both(nm.sat16)
@pytest.mark.parametrize(
    ("x", "want"), [(32767, 32767), (32768, 32767), (-32769, -32768), (-(2**31), -32768), (5, 5)]
)
def test_sat16_edges(impl, x, want):
    assert impl(x) == want


@both(nm.wrap16)
@SETTINGS
@given(x=st.integers(-(2**40), 2**40))
def test_wrap16(impl, x):
    assert impl(x) == wrapped(x)


@both(nm.sat16)
@SETTINGS
@given(x=st.integers(-(2**40), 2**40))
def test_sat16(impl, x):
    assert impl(x) == clamped(x)


@both(nm.round_term)
@SETTINGS
@given(mode=MODE, shift=SHIFT, rng_out=UINT16)
def test_round_term(impl, mode, shift, rng_out):
    assert impl(mode, shift, rng_out) == term(mode, shift, rng_out)


def test_round_term_pins():
    assert nm.round_term(nm.ROUND_NEAREST, 0, 0xFFFF) == 0  # no addend when nothing is shifted
    assert nm.round_term(nm.ROUND_NEAREST, 15, 0) == 16384
    assert nm.round_term(nm.ROUND_STOCHASTIC, 0, 0xFFFF) == 0
    assert nm.round_term(nm.ROUND_STOCHASTIC, 15, 0xFFFF) == 0x7FFF  # the low 15 bits
    assert nm.round_term(nm.ROUND_FLOOR, 15, 0xFFFF) == 0


def test_rounding_pins_from_semantics_md():
    mul = nm.mul_lane
    assert mul(-3, 1, 1, nm.ROUND_FLOOR, False, 0) == -2  # floor: -3 >> 1 = -2
    assert mul(-3, 1, 1, nm.ROUND_NEAREST, False, 0) == -1  # ties up: -3/2 -> -1
    assert mul(3, 1, 1, nm.ROUND_NEAREST, False, 0) == 2  # 3/2 -> 2
    assert mul(-32768, -32768, 15, nm.ROUND_FLOOR, False, 0) == -32768  # 2^15 wraps
    assert mul(-32768, -32768, 15, nm.ROUND_FLOOR, True, 0) == 32767  # saturates after the shift
    assert mul(200, 300, 0, nm.ROUND_FLOOR, False, 0) == -5536
    assert mul(-1, 1, 15, nm.ROUND_STOCHASTIC, False, 0x7FFF) == 0  # (-1 + 32767) >> 15
    assert nm.srai_lane(-32768, 15, nm.ROUND_FLOOR, 0) == -1
    assert nm.srai_lane(32767, 1, nm.ROUND_NEAREST, 0) == 16384  # no saturation needed or done


@both(nm.mul_lane)
@pytest.mark.parametrize("saturate", [False, True])
@pytest.mark.parametrize("mode", [nm.ROUND_FLOOR, nm.ROUND_NEAREST, nm.ROUND_STOCHASTIC])
def test_mul_lane_edges(impl, saturate, mode):
    limit = clamped if saturate else wrapped
    for a in INT16_EDGES:
        for b in INT16_EDGES:
            for shift in (0, 1, 15):
                for rng_out in (0, 0x5555, 0xFFFF):
                    want = limit(shifted(a * b + term(mode, shift, rng_out), shift))
                    assert impl(a, b, shift, mode, saturate, rng_out) == want, (a, b, shift)


@both(nm.mul_lane)
@SETTINGS
@given(a=INT16, b=INT16, shift=SHIFT, mode=MODE, saturate=st.booleans(), rng_out=UINT16)
def test_mul_lane(impl, a, b, shift, mode, saturate, rng_out):
    value = shifted(a * b + term(mode, shift, rng_out), shift)
    want = clamped(value) if saturate else wrapped(value)
    assert impl(a, b, shift, mode, saturate, rng_out) == want


@both(nm.srai_lane)
@SETTINGS
@given(a=INT16, shift=SHIFT, mode=MODE, rng_out=UINT16)
def test_srai_lane(impl, a, shift, mode, rng_out):
    want = wrapped(shifted(a + term(mode, shift, rng_out), shift))
    assert impl(a, shift, mode, rng_out) == want


@both(nm.add_lane)
@SETTINGS
@given(a=INT16, b=INT16, saturate=st.booleans())
def test_add_lane(impl, a, b, saturate):
    assert impl(a, b, saturate) == (clamped(a + b) if saturate else wrapped(a + b))


@both(nm.sub_lane)
@SETTINGS
@given(a=INT16, b=INT16, saturate=st.booleans())
def test_sub_lane(impl, a, b, saturate):
    assert impl(a, b, saturate) == (clamped(a - b) if saturate else wrapped(a - b))


@both(nm.add_lane)
def test_add_sub_edges(impl):
    assert impl(32767, 1, False) == -32768
    assert impl(32767, 1, True) == 32767
    assert impl(-32768, -1, True) == -32768
    assert nm.sub_lane(-32768, 1, False) == 32767
    assert nm.sub_lane(0, -32768, True) == 32767


@both(nm.fill_narrow)
@pytest.mark.parametrize(
    ("x", "want"),
    [(0x80000001, -32767), (0x00012345, 0x2345), (-1, -1), (0x7FFFFFFF, 32767), (0x8000, 0)]
    + [(-(2**31), -32768), (-32769, -1)],
)
def test_fill_narrow_pins(impl, x, want):
    assert impl(x) == want


@both(nm.fill_narrow)
@SETTINGS
@given(x=st.integers(-(2**31), 2**32 - 1))
def test_fill_narrow(impl, x):
    bits = format(x % 2**32, "032b")  # bit 31 first
    low = int(bits[-15:], 2)
    assert impl(x) == (low - 32768 if bits[0] == "1" else low)


@both(nm.rng_output)
@SETTINGS
@given(s0=UINT16, s1=UINT16)
def test_rng_output(impl, s0, s1):
    assert impl(s0, s1) == Xoroshiro32pp(s0, s1).output()


@both(nm.rng_advance)
@SETTINGS
@given(s0=UINT16, s1=UINT16)
def test_rng_advance(impl, s0, s1):
    gen = Xoroshiro32pp(s0, s1)
    gen.advance()
    assert tuple(impl(s0, s1)) == (gen.s0, gen.s1)


def test_rng_sequence_over_many_steps():
    s0, s1 = 1, 2
    gen = Xoroshiro32pp(1, 2)
    for _ in range(500):
        assert nm.rng_output(s0, s1) == gen.next()
        s0, s1 = nm.rng_advance(s0, s1)
    assert (s0, s1) == (gen.s0, gen.s1)
    assert nm.rng_output(0, 0) == 0 and nm.rng_advance(0, 0) == (0, 0)  # zero state stays zero


@settings(max_examples=30, deadline=None)
@given(seeds=st.lists(st.tuples(UINT16, UINT16), min_size=32, max_size=32))
def test_rng_step_lanes(seeds):
    s0 = np.array([a for a, _ in seeds], np.uint16)
    s1 = np.array([b for _, b in seeds], np.uint16)
    out = np.zeros(32, np.uint16)
    nm.rng_step_lanes(s0, s1, out)
    gens = [Xoroshiro32pp(a, b) for a, b in seeds]
    assert out.tolist() == [g.next() for g in gens]
    assert (s0.tolist(), s1.tolist()) == ([g.s0 for g in gens], [g.s1 for g in gens])
