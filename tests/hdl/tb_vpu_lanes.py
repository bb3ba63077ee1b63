"""cocotb module: the 32 vector lanes' arithmetic (rtl/fenn_vpu_lanes.sv) against
riscv_soc.isa.numerics.

Each evaluation drives 32 different operand pairs (one per lane), the op combinationally, and
compares every lane's result with the very functions the ISS and the core use. The generators are
seeded per lane, stepped and read back. Run by test_vpu_lanes.py through the runner; not collected
by pytest (the name starts with tb_).
"""

from __future__ import annotations

import random

import cocotb
from cocotb.triggers import Timer

from riscv_soc.isa import numerics
from riscv_soc.isa.table import OP_ID

LANES = 32
EDGES = (-32768, -32767, -16384, -2, -1, 0, 1, 2, 255, 16384, 32766, 32767)
MUL_MODES = {
    "vmul": (0, False),
    "vmul_rn": (1, False),
    "vmul_rs": (2, False),
    "vmul_s": (0, True),
    "vmul_s_rn": (1, True),
    "vmul_s_rs": (2, True),
}
SRAI_MODES = {"vsrai": 0, "vsrai_rn": 1, "vsrai_rs": 2}
# Ops whose register writes (if any) do not come from the lanes' ALU.
NO_ALU_WRITE = (
    "vteq",
    "vtne",
    "vtlt",
    "vtge",
    "vextract",
    "vloadv",
    "vloadr0",
    "vloadr1",
    "vloadl",
    "vstorev",
    "vstorel",
)
COMPARES = {
    "vteq": lambda a, b: a == b,
    "vtne": lambda a, b: a != b,
    "vtlt": lambda a, b: a < b,
    "vtge": lambda a, b: a >= b,
}


def signed16(x: int) -> int:
    return x - 65536 if x & 0x8000 else x


class TB:
    def __init__(self, dut):
        self.dut = dut
        for name in (
            "step_i",
            "seed0_i",
            "seed1_i",
            "shift_i",
            "nbits_i",
            "imm16_i",
            "xs1_i",
            "xs2_i",
        ):
            getattr(dut, name).value = 0
        self.clk = 0
        dut.clk_i.value = 0

    async def reset(self):
        self.dut.rst_ni.value = 0
        await Timer(1, "ns")
        self.dut.rst_ni.value = 1
        await Timer(1, "ns")

    async def tick(self):
        """One rising clock edge (the module's only sequential logic is the generators)."""
        self.dut.clk_i.value = 1
        await Timer(1, "ns")
        self.dut.clk_i.value = 0
        await Timer(1, "ns")

    def operands(self, a: list[int], b: list[int]) -> None:
        for lane in range(LANES):
            self.dut.a_i[lane].value = a[lane] & 0xFFFF
            self.dut.b_i[lane].value = b[lane] & 0xFFFF

    async def results(self, op: str, shift: int = 0) -> tuple[list[int], int, int]:
        """(result per lane, writes mask, compare mask) of `op` on the current operands."""
        dut = self.dut
        dut.op_i.value = OP_ID[op]
        dut.shift_i.value = shift
        await Timer(1, "ns")
        result = [signed16(int(dut.result_o[lane].value)) for lane in range(LANES)]
        return result, int(dut.writes_o.value), int(dut.cmp_o.value)

    async def seed(self, s0: list[int], s1: list[int]) -> None:
        for flag, values in (("seed0_i", s0), ("seed1_i", s1)):
            for lane in range(LANES):
                self.dut.seed_i[lane].value = values[lane]
            getattr(self.dut, flag).value = 1
            await self.tick()
            getattr(self.dut, flag).value = 0

    def state(self) -> tuple[list[int], list[int]]:
        dut = self.dut
        return (
            [int(dut.s0_q[lane].value) for lane in range(LANES)],
            [int(dut.s1_q[lane].value) for lane in range(LANES)],
        )


def operand_vectors(rng: random.Random, n: int):
    """n pairs of 32-lane operand vectors, a third of the values from the edges."""

    def pick(k):
        return rng.choice(EDGES) if k % 3 == 0 else rng.randint(-32768, 32767)

    for _ in range(n):
        yield [pick(k) for k in range(LANES)], [pick(k + 1) for k in range(LANES)]


@cocotb.test()
async def add_sub_logic_and_compare(dut):
    tb = TB(dut)
    await tb.reset()
    for a, b in operand_vectors(random.Random(1), 40):
        tb.operands(a, b)
        expect = {
            "vadd": [numerics.add_lane(x, y, False) for x, y in zip(a, b, strict=True)],
            "vadd_s": [numerics.add_lane(x, y, True) for x, y in zip(a, b, strict=True)],
            "vsub": [numerics.sub_lane(x, y, False) for x, y in zip(a, b, strict=True)],
            "vsub_s": [numerics.sub_lane(x, y, True) for x, y in zip(a, b, strict=True)],
            "vand": [signed16((x & y) & 0xFFFF) for x, y in zip(a, b, strict=True)],
            "vsll": [numerics.sll_lane(x, y) for x, y in zip(a, b, strict=True)],
            "vsra": [numerics.sra_lane(x, y) for x, y in zip(a, b, strict=True)],
        }
        for op, want in expect.items():
            result, writes, cmp = await tb.results(op)
            assert result == want and writes == (1 << LANES) - 1 and cmp == 0, (op, a, b)
        for op, rule in COMPARES.items():
            _, _, cmp = await tb.results(op)
            want = sum(rule(x, y) << lane for lane, (x, y) in enumerate(zip(a, b, strict=True)))
            assert cmp == want, (op, a, b)


@cocotb.test()
async def per_lane_shift_amounts(dut):
    """vsll/vsra by every amount -2..33 (FeNN: 16..31 shift every bit out; ours: any amount)."""
    tb = TB(dut)
    await tb.reset()
    rng = random.Random(3)
    for k in range(12):
        a = [rng.choice(EDGES) if lane % 2 else rng.randint(-32768, 32767) for lane in range(LANES)]
        b = [(k * LANES + lane) % 36 - 2 for lane in range(LANES)]
        tb.operands(a, b)
        for op, rule in (("vsll", numerics.sll_lane), ("vsra", numerics.sra_lane)):
            result, _, _ = await tb.results(op)
            assert result == [rule(x, y) for x, y in zip(a, b, strict=True)], (op, a, b)


@cocotb.test()
async def multiply_and_shift_rounding(dut):
    """Floor, round half up and stochastic rounding with each lane's own generator output."""
    tb = TB(dut)
    await tb.reset()
    rng = random.Random(2)
    s0 = [rng.randrange(1 << 16) for _ in range(LANES)]
    s1 = [rng.randrange(1 << 16) for _ in range(LANES)]
    await tb.seed(s0, s1)
    out = [numerics.rng_output(x, y) for x, y in zip(s0, s1, strict=True)]
    for k, (a, b) in enumerate(operand_vectors(rng, 30)):
        tb.operands(a, b)
        for shift in (k % 16, 15 - k % 16):
            for op, (mode, sat) in MUL_MODES.items():
                want = [
                    numerics.mul_lane(a[i], b[i], shift, mode, sat, out[i]) for i in range(LANES)
                ]
                assert (await tb.results(op, shift))[0] == want, (op, shift, a, b)
            for op, mode in SRAI_MODES.items():
                want = [numerics.srai_lane(a[i], shift, mode, out[i]) for i in range(LANES)]
                assert (await tb.results(op, shift))[0] == want, (op, shift, a)
            result, _, _ = await tb.results("vslli", shift)
            assert result == [numerics.wrap16(x << shift) for x in a], ("vslli", shift)


@cocotb.test()
async def scalar_operand_ops(dut):
    """vsel writes only the lanes xs1 selects; vlui, vfill, vandadd take scalar operands."""
    tb = TB(dut)
    await tb.reset()
    rng = random.Random(3)
    for a, b in operand_vectors(rng, 20):
        tb.operands(a, b)
        mask, xs1, xs2, nbits = rng.getrandbits(32), rng.getrandbits(32), rng.getrandbits(32), 0
        dut.xs1_i.value = mask
        result, writes, _ = await tb.results("vsel")
        assert result == b and writes == mask
        dut.xs1_i.value = xs1
        result, _, _ = await tb.results("vfill")
        assert result == [numerics.fill_narrow(xs1 - (1 << 32) if xs1 >> 31 else xs1)] * LANES
        imm = rng.randrange(1 << 16)
        dut.imm16_i.value = imm
        assert (await tb.results("vlui"))[0] == [signed16(imm)] * LANES
        nbits = rng.randrange(16)
        dut.nbits_i.value = nbits
        dut.xs2_i.value = xs2
        want = [numerics.wrap16((x & ((1 << nbits) - 1)) + (xs2 & 0xFFFF)) for x in a]
        assert (await tb.results("vandadd"))[0] == want, (nbits, xs2)
        for op in NO_ALU_WRITE:
            _, writes, _ = await tb.results(op)
            assert writes == 0, op


@cocotb.test()
async def generators_step_like_xoroshiro32pp(dut):
    """Seeding loads each lane's halves; vrng writes output >> 1; a step advances every lane."""
    tb = TB(dut)
    await tb.reset()
    assert tb.state() == ([0] * LANES, [0] * LANES)
    rng = random.Random(4)
    s0 = [rng.randrange(1 << 16) for _ in range(LANES)]
    s1 = [rng.randrange(1 << 16) for _ in range(LANES)]
    await tb.seed(s0, s1)
    for _ in range(40):
        assert tb.state() == (s0, s1)
        result, _, _ = await tb.results("vrng")
        assert result == [numerics.rng_output(x, y) >> 1 for x, y in zip(s0, s1, strict=True)]
        dut.step_i.value = 1
        await tb.tick()
        dut.step_i.value = 0
        s0, s1 = (list(t) for t in zip(*map(numerics.rng_advance, s0, s1), strict=True))
    await tb.tick()  # no step: the state holds
    assert tb.state() == (s0, s1)
