"""The builder API: one method per mnemonic, labels and data, and errors at the caller's line."""

from __future__ import annotations

import inspect
import re

import numpy as np
import pytest

from riscv_soc.errors import AsmError
from riscv_soc.isa import expr
from riscv_soc.isa.asm import assemble
from riscv_soc.isa.builder import MNEMONICS, PSEUDOS, Builder, method_name
from riscv_soc.isa.table import INSTRS


def image_bytes(image) -> dict[str, bytes]:
    return {s.name: s.data for s in image.sections}


def test_a_method_for_every_mnemonic_and_pseudo_instruction():
    names = {i.name for i in INSTRS} | {p.name for p in PSEUDOS}
    assert set(MNEMONICS) == names
    for name in names:
        assert callable(getattr(Builder, method_name(name))), name
    assert method_name("sext.b") == "sext_b"
    assert method_name("and") == "and_" and method_name("not") == "not_"
    assert "xd, xs1, imm12" in Builder.addi.__doc__


def test_builder_and_text_assembler_build_the_same_image():
    b = Builder()
    b.label("_start")
    b.li("a0", 100)
    b.la("a1", "table")
    b.label("loop")
    b.lw("t0", 4, "a1")
    b.vloadv("v1", 0, "a2")
    b.nop()
    b.vadd_s(3, 1, "v1")
    b.and_("t0", "t0", "a0")
    b.sext_b(5, 5)
    b.addi("a0", "a0", -1)
    b.bnez("a0", "loop")
    b.jalr("ra")
    b.jal("loop")
    b.call("loop")
    b.ecall()
    b.section(".data")
    b.word([1, 2])
    b.label("table")
    b.word(np.array([3, -4], np.int32))
    b.half(range(3))
    b.byte(b"\x07\x08")
    b.word("loop")
    b.section(".uram")
    b.align(64)
    b.half([5] * 32)
    source = (
        """
    _start: li a0, 100
            la a1, table
    loop:   lw t0, 4(a1)
            vloadv v1, 0(a2)
            nop
            vadd_s v3, v1, v1
            and t0, t0, a0
            sext.b t0, t0
            addi a0, a0, -1
            bnez a0, loop
            jalr ra
            jal loop
            call loop
            ecall
    .data
            .word 1, 2
    table:  .word 3, -4
            .half 0, 1, 2
            .byte 7, 8
            .word loop
    .section .uram
            .balign 64
    """
        + "        .half 5\n" * 32
    )
    assert image_bytes(b.build()) == image_bytes(assemble(source))
    assert b.build().symbols == assemble(source).symbols


def test_here_sections_and_expressions():
    b = Builder()
    assert b.here() == 0 and b.current_section == ".text"
    b.nop()
    b.nop()
    assert b.here() == 8
    b.section(".data")
    assert b.here() == 0
    b.label("x")
    b.word(0)
    b.section(".text")
    assert b.here() == 8
    b.lui("a0", expr.parse("%hi(x + 0x800)"))
    b.addi("a0", "a0", expr.parse("%lo(x + 0x800)"))
    b.equ("K", 7)
    b.li("a1", "K")
    words = [int.from_bytes(b.build().sections[0].data[i : i + 4], "little") for i in (8, 12, 16)]
    assert words == [0x00001537, 0x80050513, 0x00700593]  # lui a0, 1; addi a0, a0, -2048; li 7


def test_numeric_local_labels():
    b = Builder()
    b.local_label(1)
    b.j(b.local_ref(1, "f"))
    b.local_label(1)
    b.j(b.local_ref(1, "b"))
    assert assemble("1: j 1f\n1: j 1b").sections[0].data == b.build().sections[0].data


def test_errors_name_the_calling_python_line():
    b = Builder()
    line = inspect.currentframe().f_lineno + 2
    with pytest.raises(AsmError, match=rf"test_builder.py:{line}: addi imm12 must be in"):
        b.addi("a0", "a0", 4096)
    b.j("missing")
    line = inspect.currentframe().f_lineno - 1
    with pytest.raises(AsmError, match=rf"test_builder.py:{line}: undefined label missing"):
        b.build()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda b: b.add("a0", "a1"), "add expects 3 operands (xd, xs1, xs2), got 2"),
        (lambda b: b.add("a0", "a1", 40), "add expects a scalar register for xs2, got 40"),
        (lambda b: b.add("a0", "a1", "q9"), "got q9 (not a register)"),
        (lambda b: b.addi("a0", "a1", 1.5), "expected an int, a label or an expression"),
        (lambda b: b.section(".heap"), "unknown section .heap"),
        (lambda b: b.label("2bad"), "'2bad' is not a valid label name"),
        (lambda b: b.align(3), "alignment must be a power of two, got 3"),
        (lambda b: b.space(-1), ".space count must be >= 0, got -1"),
        (lambda b: b.emit("frob"), "unknown instruction frob"),
    ],
)
def test_builder_errors(call, message):
    with pytest.raises(AsmError, match=re.escape(message)):
        call(Builder())


def test_listing_shows_addresses_words_source_and_comments():
    b = Builder(source="kernel")
    b.loc = None
    b.li("a0", 0x12345678, comment="load the magic")
    b.section(".data")
    b.word(5)
    listing = b.listing().splitlines()
    assert listing[0].startswith("imem 00000000  12345537  lui a0, 0x12345")
    assert listing[0].endswith("load the magic")
    assert "test_builder.py" in listing[0]
    assert listing[1].startswith("imem 00000004  67850513  addi a0, a0, 1656")
    assert listing[2].startswith("dmem 00000000  00000005  .word 0x5")


def test_build_is_repeatable():
    b = Builder()
    b.j("end")
    b.label("end")
    b.ret()
    first = b.build()
    assert b.build() == first
