"""cocotb module: one vector lane (rtl/fenn_vpu_lane.sv) against riscv_soc.isa.numerics.

Operands are written into the lane's register file, the op is driven combinationally and the
lane's result is compared with the very functions the ISS and the core use. Run by
test_vpu_lane.py through the runner; not collected by pytest (the name starts with tb_).
"""

from __future__ import annotations

import random

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import RisingEdge, Timer

from riscv_soc.isa import numerics as nx
from riscv_soc.isa.table import OP_ID

EDGES = (-32768, -32767, -16384, -2, -1, 0, 1, 2, 255, 16384, 32766, 32767)
MUL_MODES = {"vmul": (0, False), "vmul_rn": (1, False), "vmul_rs": (2, False),
             "vmul_s": (0, True), "vmul_s_rn": (1, True), "vmul_s_rs": (2, True)}  # fmt: skip
SRAI_MODES = {"vsrai": 0, "vsrai_rn": 1, "vsrai_rs": 2}


class TB:
    def __init__(self, dut):
        self.dut = dut
        Clock(dut.clk_i, 10, unit="ns").start()
        for name in ("exec_i", "vd_i", "vs1_i", "vs2_i", "shift_i", "nbits_i", "imm16_i",
                     "mem_imm_i", "xs1_i", "xs2_i", "vsel_bit_i", "vmem_rdata_i"):  # fmt: skip
            getattr(dut, name).value = 0
        dut.vs1_i.value, dut.vs2_i.value = 1, 2

    async def reset(self):
        self.dut.rst_ni.value = 0
        await Timer(20, "ns")
        self.dut.rst_ni.value = 1
        await RisingEdge(self.dut.clk_i)

    async def result(self, op: str, a: int, b: int, shift: int = 0) -> int:
        dut = self.dut
        dut.vrf_q[1].value = a & 0xFFFF
        dut.vrf_q[2].value = b & 0xFFFF
        dut.op_i.value = OP_ID[op]
        dut.shift_i.value = shift
        await Timer(1, "ns")
        return dut.result.value.to_signed()

    def rng(self) -> tuple[int, int]:
        return int(self.dut.s0_q.value), int(self.dut.s1_q.value)


def operands(rng: random.Random, n: int):
    for k in range(n):
        pick = (lambda: rng.choice(EDGES)) if k % 3 == 0 else (lambda: rng.randint(-32768, 32767))
        yield pick(), pick(), rng.randint(0, 15)


@cocotb.test()
async def add_sub_saturate_and_wrap(dut):
    tb = TB(dut)
    await tb.reset()
    for a, b, _ in operands(random.Random(1), 300):
        assert await tb.result("vadd", a, b) == nx.add_lane(a, b, False), (a, b)
        assert await tb.result("vadd_s", a, b) == nx.add_lane(a, b, True), (a, b)
        assert await tb.result("vsub", a, b) == nx.sub_lane(a, b, False), (a, b)
        assert await tb.result("vsub_s", a, b) == nx.sub_lane(a, b, True), (a, b)


@cocotb.test()
async def multiply_and_shift_rounding(dut):
    """Floor and round-half-up; stochastic rounding with the lane's current RNG output."""
    tb = TB(dut)
    await tb.reset()
    dut.s0_q.value, dut.s1_q.value = 0x1234, 0xBEEF
    await Timer(1, "ns")
    out = nx.rng_output(0x1234, 0xBEEF)
    for a, b, shift in operands(random.Random(2), 300):
        for op, (mode, sat) in MUL_MODES.items():
            want = nx.mul_lane(a, b, shift, mode, sat, out)
            assert await tb.result(op, a, b, shift) == want, (op, a, b, shift)
        for op, mode in SRAI_MODES.items():
            assert await tb.result(op, a, b, shift) == nx.srai_lane(a, shift, mode, out), (op, a)


@cocotb.test()
async def rng_steps_like_xoroshiro32pp(dut):
    """vrng writes output >> 1 and advances the state once per executed instruction."""
    tb = TB(dut)
    await tb.reset()
    s0, s1 = 0xACE1, 0x1D2F
    dut.s0_q.value, dut.s1_q.value = s0, s1
    for _ in range(50):
        assert await tb.result("vrng", 0, 0) == nx.rng_output(s0, s1) >> 1
        dut.exec_i.value = 1
        await RisingEdge(dut.clk_i)
        dut.exec_i.value = 0
        await Timer(1, "ns")
        s0, s1 = nx.rng_advance(s0, s1)
        assert tb.rng() == (s0, s1)
