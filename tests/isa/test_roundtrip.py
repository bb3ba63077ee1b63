"""Every instruction of the table round-trips through encode, disassemble, assemble and decode."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riscv_soc.isa.asm import assemble
from riscv_soc.isa.disasm import decode, disassemble
from riscv_soc.isa.table import INSTRS, OPERANDS, encode, operand_range

PC = 0x4000  # where the absolute-target form is assembled


def operand_values(instr) -> st.SearchStrategy[dict[str, int]]:
    """Random legal values of every operand of `instr`, keyed by operand kind."""
    fields = {}
    for name in instr.operands:
        lo, hi = operand_range(OPERANDS[name])
        if OPERANDS[name].align == 2:
            fields[name] = st.integers(lo // 2, (hi - 1) // 2).map(lambda v: 2 * v)
        else:
            fields[name] = st.integers(lo, hi)
    return st.fixed_dictionaries(fields)


def first_word(source: str, address: int = 0) -> int:
    image = assemble(source)
    text = next(s for s in image.sections if s.memory == "imem")
    return int.from_bytes(text.data[address : address + 4], "little")


def canonical_text(instr, values: dict[str, int]) -> str:
    """The instruction in the table's syntax, numbers for every operand (targets as `.+off`)."""

    def value(m: re.Match) -> str:
        name = m.group(0)
        operand = OPERANDS[name]
        if operand.kind == "xreg":
            return f"x{values[name]}"
        if operand.kind == "vreg":
            return f"v{values[name]}"
        if operand.align == 2:
            return f". + {values[name]}"
        return str(values[name])

    return f"{instr.name} " + re.sub(r"[a-z]+[0-9]*", value, instr.syntax)


@pytest.mark.parametrize("instr", INSTRS, ids=lambda i: i.name)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_encode_disassemble_assemble(instr, data):
    values = data.draw(operand_values(instr))
    word = encode(instr.name, **values)
    assert decode(word) == (instr, values)
    assert first_word(disassemble(word)) == word, disassemble(word)
    at_pc = disassemble(word, PC)
    assert first_word(f".zero {PC}\n{at_pc}", PC) == word, at_pc


@pytest.mark.parametrize("instr", INSTRS, ids=lambda i: i.name)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_assemble_then_decode_gives_the_operands(instr, data):
    values = data.draw(operand_values(instr))
    text = canonical_text(instr, values)
    assert decode(first_word(text)) == (instr, values), text


def test_illegal_words_print_as_data_and_reassemble():
    for word in (0x00000000, 0xFFFFFFFF, 0x0000007F):
        text = disassemble(word)
        assert text == f".word {word:#010x}"
        assert first_word(text) == word


def test_vlui_takes_signed_or_unsigned_halfwords():
    assert first_word("vlui v1, 0xffff") == first_word("vlui v1, -1")
    assert first_word("vlui v1, 0x8000") == first_word("vlui v1, -32768")
    assert decode(first_word("vlui v3, 40000"))[1] == {"vd": 3, "imm16": 40000 - 65536}


@pytest.mark.parametrize(
    ("word", "pc", "text"),
    [
        (0x00000013, None, "nop"),
        (0x00A00513, None, "li a0, 10"),
        (0x00058513, None, "mv a0, a1"),
        (0x00008067, None, "ret"),
        (0x000500E7, None, "jalr a0"),
        (0x00050067, None, "jr a0"),
        (0xFE051EE3, 0x18, "bnez a0, 0x14"),
        (0xFE051EE3, None, "bnez a0, .-4"),
        (0x0080006F, 0x4C, "j 0x54"),
        (0xC0002573, None, "rdcycle a0"),
        (0xB0002573, None, "csrr a0, mcycle"),
        (0xBC051073, None, "csrw dma_mm2s_src, a0"),
        (0xBC30D073, None, "csrwi dma_mm2s_control, 1"),
        (0xC0001073, None, "unimp"),
        (0x0FF5F513, None, "zext.b a0, a1"),
        (0x00359513, None, "slli a0, a1, 0x3"),
        (0x123455B7, None, "lui a1, 0x12345"),
        (0x2821C202, None, "vmul_rn v4, v3, v2, 4"),
        (0x04058112, None, "vloadv v2, 64(a1)"),
        (0x0FFFF086, None, "vlui v1, -1"),
    ],
)
def test_disassembler_spelling(word, pc, text):
    assert disassemble(word, pc) == text
