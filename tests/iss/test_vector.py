"""Directed tests of the vector instructions on the ISS: lane arithmetic, edges, RNG, lane memory.

Expected values are literal, or come from exact rational arithmetic (`floor_div`) and the
independent xoroshiro32++ in tests/naive, never from riscv_soc.isa.numerics.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from naive.xoroshiro import Xoroshiro32pp

LANES = 32


def padded(values: list[int]) -> list[int]:
    return list(values) + [0] * (LANES - len(values))


def vec_data(*vectors: list[int]) -> str:
    """A .vmem section holding the vectors at 0, 64, 128, ..."""
    lines = [".section .vmem"]
    lines += [".half " + ", ".join(str(x) for x in padded(vec)) for vec in vectors]
    return "\n".join(lines)


def vector_op(run_asm, op: str, a: list[int], b: list[int] | None = None, pre: str = ""):
    """Run `op` with v1 = a, v2 = b (v3 = 0 first); returns (v3 after, state)."""
    state = run_asm(
        f"""
        vloadv v1, 0(zero)
        vloadv v2, 64(zero)
        nop
        {pre}
        {op}
        ecall
        {vec_data(a, b or [])}
        """
    )
    assert state.exit == "ecall", state.to_json(False)
    return state.v[3].tolist(), state


def floor_div(n: int, shift: int) -> int:
    return math.floor(n / 2**shift) if abs(n) < 2**50 else n >> shift


def wrap(n: int) -> int:
    return (n + 2**15) % 2**16 - 2**15


def sat(n: int) -> int:
    return max(-32768, min(32767, n))


ADD_SUB = [  # (op, a, b, result)
    ("vadd", [32767, -32768, 100], [1, -1, -200], [-32768, 32767, -100]),
    ("vadd_s", [32767, -32768, 32767, -32768, 100], [1, -1, 32767, -32768, -200])
    + ([32767, -32768, 32767, -32768, -100],),
    ("vsub", [-32768, 32767, 0], [1, -1, -32768], [32767, -32768, -32768]),
    ("vsub_s", [-32768, 32767, 0, 5], [1, -1, -32768, 7], [-32768, 32767, 32767, -2]),
    ("vand", [-1, -32768, 0x1234], [0x1234, 0x7FFF, -1], [0x1234, 0, 0x1234]),
    # shift amount: all of vs2[i] as an unsigned 16-bit number; FeNN: 16..31 shift every bit out
    # (its exp() kernels rely on it); ours: so does any larger amount, negative ones included
    (
        "vsll",
        [1, 1, 3, 0x4001, 1, -1, 5],
        [15, 16, 17, 1, -1, 31, 32],
        [-32768, 0, 0, -32766, 0, 0, 0],
    ),
    ("vsra", [-32768, -7, 7, -5, -1, 32767, -2, -300, 300], [15, 1, 1, 16, 15, 31, -1, 20, 17])
    + ([-1, -4, 3, -1, -1, 0, -1, -1, 0],),
]


@pytest.mark.parametrize(("op", "a", "b", "want"), ADD_SUB, ids=[c[0] for c in ADD_SUB])
def test_lane_alu(run_asm, op, a, b, want):
    got, _ = vector_op(run_asm, f"{op} v3, v1, v2", a, b)
    assert got == padded(want)


# vmul operands: negative products, ties, shift 0 and 15, results beyond int16.
MUL_A = [-3, 3, -1, -5, 5, 7, -1, -16384, -16385, 32767, -32768, -32768, 200, -200, 1, -1]
MUL_B = [1, 1, 1, 1, 1, 3, 1, 1, 1, 32767, -32768, -32768, 300, 300, -1, -1]


def vmul_expected(a: int, b: int, shift: int, rnd: str, saturate: bool, rng_out: int = 0) -> int:
    r = {"": 0, "_rn": 2 ** (shift - 1) if shift else 0, "_rs": rng_out % 2**shift}[rnd]
    value = floor_div(a * b + r, shift)
    return sat(value) if saturate else wrap(value)


@pytest.mark.parametrize("saturate", [False, True])
@pytest.mark.parametrize("rnd", ["", "_rn"])
@pytest.mark.parametrize("shift", [0, 1, 4, 15])
def test_vmul(run_asm, saturate, rnd, shift):
    op = f"vmul{'_s' if saturate else ''}{rnd}"
    got, _ = vector_op(run_asm, f"{op} v3, v1, v2, {shift}", MUL_A, MUL_B)
    want = [vmul_expected(a, b, shift, rnd, saturate) for a, b in zip(MUL_A, MUL_B, strict=True)]
    assert got == padded(want)


def test_vmul_rounding_pins(run_asm):
    """The semantics.md examples: floor -3/2 = -2; RN ties go up: -3/2 -> -1, 3/2 -> 2."""
    a, b = [-3, 3, -16384, -16385, 32767, -32768], [1, 1, 1, 1, 32767, -32768]
    floor, _ = vector_op(run_asm, "vmul v3, v1, v2, 1", a[:2], b[:2])
    nearest, _ = vector_op(run_asm, "vmul_rn v3, v1, v2, 1", a[:2], b[:2])
    assert (floor[:2], nearest[:2]) == ([-2, 1], [-1, 2])
    q15, _ = vector_op(run_asm, "vmul_rn v3, v1, v2, 15", a[2:], b[2:])
    assert q15[:4] == [0, -1, 32766, -32768]  # -0.5 -> 0; 2^30 >> 15 = 32768 wraps
    q15_sat, _ = vector_op(run_asm, "vmul_s_rn v3, v1, v2, 15", a[2:], b[2:])
    assert q15_sat[:4] == [0, -1, 32766, 32767]


SRAI_A = [-3, 3, -5, 5, -32768, 32767, -1, 1, -16384, 16384]


@pytest.mark.parametrize("rnd", ["", "_rn"])
@pytest.mark.parametrize("shift", [0, 1, 2, 15])
def test_vsrai(run_asm, rnd, shift):
    got, _ = vector_op(run_asm, f"vsrai{rnd} v3, v1, {shift}", SRAI_A)
    r = 2 ** (shift - 1) if rnd and shift else 0
    assert got == padded([wrap(floor_div(a + r, shift)) for a in SRAI_A])


def test_vsrai_pins(run_asm):
    floor, _ = vector_op(run_asm, "vsrai v3, v1, 1", [-3, 3, -32768])
    nearest, _ = vector_op(run_asm, "vsrai_rn v3, v1, 15", [-16384, 16384, -16385, 32767])
    assert floor[:3] == [-2, 1, -16384]
    assert nearest[:4] == [0, 1, -1, 1]


@pytest.mark.parametrize("shift", [0, 1, 15])
def test_vslli(run_asm, shift):
    a = [1, 0x4001, -1, 32767, -32768, 3]
    got, _ = vector_op(run_asm, f"vslli v3, v1, {shift}", a)
    assert got == padded([wrap(x * 2**shift) for x in a])
    assert vector_op(run_asm, "vslli v3, v1, 15", [1])[0][0] == -32768


def test_compares_write_lane_masks(run_asm):
    a = list(range(-16, 16))  # lane i holds i - 16
    b = [0] * LANES
    state = run_asm(
        f"""
        vloadv v1, 0(zero)
        vloadv v2, 64(zero)
        nop
        vteq a0, v1, v2
        vtne a1, v1, v2
        vtlt a2, v1, v2
        vtge a3, v1, v2
        vtlt a4, v2, v1
        ecall
        {vec_data(a, b)}
        """
    )
    assert [state.x[r] for r in range(10, 15)] == [
        1 << 16,
        0xFFFFFFFF & ~(1 << 16),
        0x0000FFFF,
        0xFFFF0000,
        0xFFFE0000,
    ]


def test_vsel_takes_lanes_of_the_scalar_mask(run_asm):
    got, _ = vector_op(
        run_asm, "vsel v3, a0, v2", [], list(range(100, 132)), pre="li a0, 0xAAAAAAAA\nvlui v3, 7"
    )
    assert got == [100 + i if i % 2 else 7 for i in range(LANES)]


@pytest.mark.parametrize(("imm", "lane"), [("-5", -5), ("0xffff", -1), ("0x7fff", 32767)])
def test_vlui(run_asm, imm, lane):
    got, _ = vector_op(run_asm, f"vlui v3, {imm}", [])
    assert got == [lane] * LANES


@pytest.mark.parametrize(
    ("scalar", "lane"),
    [(0x80000001, -32767), (0x00012345, 0x2345), (-1, -1), (0x7FFFFFFF, 32767), (0x8000, 0)],
)
def test_vfill_keeps_sign_and_low_15_bits(run_asm, scalar, lane):
    got, _ = vector_op(run_asm, "vfill v3, a0", [], pre=f"li a0, {scalar}")
    assert got == [lane] * LANES


def test_vextract_sign_extends(run_asm):
    a = [-2] + [0] * 30 + [-32768]
    state = run_asm(
        f"""
        vloadv v1, 0(zero)
        nop
        vextract a0, v1, 0
        vextract a1, v1, 31
        vextract a2, v1, 5
        ecall
        {vec_data(a)}
        """
    )
    assert [state.x[r] for r in (10, 11, 12)] == [0xFFFFFFFE, 0xFFFF8000, 0]


@pytest.mark.parametrize(("nbits", "scalar"), [(0, 0x12345), (4, -1), (15, 1), (15, -32768)])
def test_vandadd(run_asm, nbits, scalar):
    a = [-1, 0x7FFF, 0x1234, -32768, 17]
    got, _ = vector_op(run_asm, f"vandadd v3, v1, a0, {nbits}", a, pre=f"li a0, {scalar}")
    addend = wrap(scalar)  # the low 16 bits of the scalar
    assert got == [wrap((x & (2**nbits - 1)) + addend) for x in padded(a)]


# ---- the RNG: vloadr0/1 seed it, vrng and *_rs step it; checked against naive.xoroshiro

SEED0 = [(0x9E37 * (i + 1)) % 2**16 for i in range(LANES)]
SEED1 = [(0x79B9 * (i + 3) + 1) % 2**16 for i in range(LANES)]


def signed16(values: list[int]) -> list[int]:
    return [wrap(v) for v in values]


def seeded(body: str, extra_vectors: tuple = ()) -> str:
    return f"""
        vloadr0 0(zero)
        vloadr1 64(zero)
        nop
        {body}
        ecall
        {vec_data(signed16(SEED0), signed16(SEED1), *extra_vectors)}
        """


def reference_generators() -> list[Xoroshiro32pp]:
    return [Xoroshiro32pp(s0, s1) for s0, s1 in zip(SEED0, SEED1, strict=True)]


def test_vloadr_sets_the_rng_state(run_asm):
    state = run_asm(seeded("nop"))
    assert state.rng.tolist() == [SEED0, SEED1]


def test_vrng_sequence(run_asm):
    state = run_asm(seeded("vrng v3\nvrng v4\nvrng v5"))
    gens = reference_generators()
    for reg in (3, 4, 5):
        assert state.v[reg].tolist() == [g.next() >> 1 for g in gens]
    assert state.rng.tolist() == [[g.s0 for g in gens], [g.s1 for g in gens]]
    assert (state.v[3:6] >= 0).all()


@pytest.mark.parametrize("shift", [0, 1, 7, 15])
@pytest.mark.parametrize("saturate", [False, True])
def test_vmul_rs_uses_low_rng_bits_and_steps(run_asm, shift, saturate):
    a = [(-1) ** i * (1000 + 37 * i) for i in range(LANES)]
    b = [(i * 911) % 3000 - 1500 for i in range(LANES)]
    op = "vmul_s_rs" if saturate else "vmul_rs"
    body = f"""
        vloadv v1, 128(zero)
        vloadv v2, 192(zero)
        nop
        {op} v3, v1, v2, {shift}
        {op} v4, v1, v2, {shift}
    """
    state = run_asm(seeded(body, (a, b)))
    gens = reference_generators()
    for reg in (3, 4):
        outs = [g.next() for g in gens]
        want = [
            vmul_expected(x, y, shift, "_rs", saturate, r)
            for x, y, r in zip(a, b, outs, strict=True)
        ]
        assert state.v[reg].tolist() == want
    assert state.rng.tolist() == [[g.s0 for g in gens], [g.s1 for g in gens]]


@pytest.mark.parametrize("shift", [0, 3, 15])
def test_vsrai_rs(run_asm, shift):
    a = [-32768 + 2047 * i for i in range(LANES)]
    body = f"""
        vloadv v1, 128(zero)
        nop
        vsrai_rs v3, v1, {shift}
    """
    state = run_asm(seeded(body, (a,)))
    gens = reference_generators()
    outs = [g.next() for g in gens]
    want = [wrap(floor_div(x + r % 2**shift, shift)) for x, r in zip(a, outs, strict=True)]
    assert state.v[3].tolist() == want
    assert state.rng.tolist() == [[g.s0 for g in gens], [g.s1 for g in gens]]


def test_zero_rng_state_outputs_zero_for_ever(run_asm):
    state = run_asm("vrng v1\nvrng v2\necall")
    assert not state.v[1:3].any()
    assert not state.rng.any()


# ---- lane-local memory


def llm_data(lane_bytes: int = 2048) -> str:
    """Lane i, half-word k of its memory holds 1000 * i + k (first 8 half-words of every lane)."""
    lines = [".section .llm"]
    for lane in range(LANES):
        lines.append(f".half {', '.join(str(1000 * lane + k) for k in range(8))}")
        lines.append(f".zero {lane_bytes - 16}")
    return "\n".join(lines)


def test_vloadl_gathers_enabled_lanes_only(run_asm):
    # even lanes: address 2 * (i % 4); odd lanes: base -6, disabled whatever the immediate (FeNN
    # enables a lane on its base vs1[i] >= 0, before the immediate is added)
    addresses = [2 * (i % 4) if i % 2 == 0 else -6 for i in range(LANES)]
    state = run_asm(
        f"""
        vloadv v1, 0(zero)
        vlui v3, 7
        vlui v4, 7
        vloadl v3, 0(v1)
        nop
        vloadl v4, 6(v1)
        ecall
        {vec_data(addresses)}
        {llm_data()}
        """
    )
    assert state.exit == "ecall"
    assert state.v[3].tolist() == [1000 * i + (i % 4) if i % 2 == 0 else 7 for i in range(LANES)]
    assert state.v[4].tolist() == [  # odd lanes: -6 + 6 = 0, but still disabled
        1000 * i + (i % 4) + 3 if i % 2 == 0 else 7 for i in range(LANES)
    ]


def test_vstorel_scatters_enabled_lanes_only(run_asm):
    addresses = [2 * i if i < 16 else -2 for i in range(LANES)]
    values = [-100 - i for i in range(LANES)]
    state = run_asm(
        f"""
        vloadv v1, 0(zero)
        vloadv v2, 64(zero)
        nop
        vstorel v2, 4(v1)
        ecall
        {vec_data(addresses, values)}
        """
    )
    llm = state.memories["llm"].view("<i2").reshape(LANES, -1)
    for lane in range(LANES):
        expect = np.zeros(llm.shape[1], np.int16)
        if lane < 16:
            expect[lane + 2] = -100 - lane  # byte address 2 * lane + 4
        # lanes 16..31: base -2, disabled although -2 + 4 = 2 >= 0
        assert llm[lane].tolist() == expect.tolist(), lane


def test_vloadv_vstorev_round_trip(run_asm):
    a = list(range(-16, 16))
    state = run_asm(
        f"""
        li t0, 4096
        vloadv v1, 0(zero)
        nop
        vstorev v1, -64(t0)      # byte 4032
        vstorev v1, 2047(t0)     # t0 + 2047 = 6143: not a multiple of 64 -> trap
        ecall
        {vec_data(a)}
        """
    )
    assert state.memories["vmem"][4032:4096].view("<i2").tolist() == a
    assert (state.exit, state.cause, state.tval) == ("trap", "store_address_misaligned", 6143)
