"""The emitter's two rules: no vector load-use hazard is emitted; Pointer reaches any offset."""

import numpy as np
import pytest

from riscv_soc import iss
from riscv_soc.compiler.emitter import Emitter, Pointer
from riscv_soc.isa.builder import Builder
from riscv_soc.isa.registers import XREGS


def _words(e: Emitter) -> list[str]:
    return [
        line.split("#")[0].split(maxsplit=3)[3].strip() for line in e.builder.listing().splitlines()
    ]


@pytest.mark.parametrize(
    ("first", "second", "gap"),
    [
        (("vloadv", "v1", 0, "t0"), ("vadd", "v2", "v1", "v3"), True),  # source
        (("vloadv", "v1", 0, "t0"), ("vadd", "v1", "v2", "v3"), True),  # destination
        (("vloadv", "v1", 0, "t0"), ("vsel", "v1", "t1", "v2"), True),  # vsel reads its vd
        (("vloadl", "v1", 0, "v4"), ("vloadl", "v2", 0, "v1"), True),  # address register
        (("vloadv", "v1", 0, "t0"), ("vstorev", "v1", 0, "t0"), True),
        (("vloadr0", 0, "t0"), ("vmul_rs", "v2", "v3", "v4", 3), True),  # steps the RNG
        (("vloadr0", 0, "t0"), ("vrng", "v2"), True),
        (("vloadr0", 0, "t0"), ("vloadr1", 64, "t0"), False),
        (("vloadv", "v1", 0, "t0"), ("vadd", "v2", "v3", "v4"), False),
        (("vloadv", "v1", 0, "t0"), ("addi", "t0", "t0", 64), False),
        (("vadd", "v1", "v2", "v3"), ("vadd", "v4", "v1", "v1"), False),  # ALU results forward
    ],
)
def test_gap_only_where_the_next_instruction_touches_the_load(first, second, gap):
    e = Emitter(Builder())
    e.emit(*first)
    e.emit(*second)
    assert e.nops == int(gap)
    assert (_words(e)[1] == "nop") == gap


def test_a_scalar_instruction_in_between_is_enough():
    e = Emitter(Builder())
    e.vloadv("v1", 0, "t0")
    e.addi("t0", "t0", 64)
    e.vadd("v2", "v1", "v1")
    assert e.nops == 0


def test_method_names_map_to_mnemonics():
    e = Emitter(Builder())
    e.and_("t0", "t1", "t2")
    e.sext_b("t0", "t1")
    assert _words(e) == ["and t0, t1, t2", "sext.b t0, t1"]


@pytest.mark.parametrize("targets", [[0, 64, 4096, 4160, 8192, 64], [5000, 100, 70_000, -3000]])
def test_pointer_reaches_every_offset(targets):
    """Each load through the pointer reads the word at the region offset it asked for."""
    base, regs = 0x8000, ("s1", "s2", "s3", "s4", "s5", "s6")
    e = Emitter(Builder())
    e.li("a0", base)
    pointer = Pointer(e, "a0", tmp="a1")
    for reg, target in zip(regs, targets, strict=False):
        e.lw(reg, pointer.imm(target), "a0")
    e.ecall()
    machine = iss.Iss(e.builder.build())
    for target in targets:
        word = np.array([target], "<i4").view(np.uint8)
        machine.memories["dmem"][base + target : base + target + 4] = word
    state = machine.run(10_000)
    assert state.exit == "ecall"
    got = [int(np.int32(state.x[XREGS[r]])) for r in regs[: len(targets)]]
    assert got == targets
