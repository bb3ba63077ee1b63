"""The text assembler: syntax, directives, sections and memories, and every error message."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riscv_soc.errors import AsmError
from riscv_soc.isa.asm import assemble, assemble_file, parse
from riscv_soc.isa.builder import MNEMONICS
from riscv_soc.isa.disasm import disassemble
from riscv_soc.soc import SocConfig


def words(source: str, section: str = ".text") -> list[int]:
    data = next(s.data for s in assemble(source).sections if s.name == section)
    return [int.from_bytes(data[i : i + 4], "little") for i in range(0, len(data), 4)]


def text(source: str) -> list[str]:
    return [disassemble(w, 4 * i) for i, w in enumerate(words(source))]


def section(image, name: str):
    return next(s for s in image.sections if s.name == name)


# Syntax.


def test_comments_labels_statement_separators_and_case():
    source = """
    # a comment line
    start:  ADDI a0, zero, 1   # trailing comment
    next: addi a1, a0, '#' ; addi a2, a1, 2
    1: 2:
        ret
    """
    assert text(source) == ["li a0, 1", "addi a1, a0, 35", "addi a2, a1, 2", "ret"]


def test_register_names_abi_numeric_and_vector():
    assert words("add x10, x11, x12") == words("add a0, a1, a2")
    assert words("add fp, s0, x8") == words("add s0, s0, s0")
    assert text("vadd v31, v0, v7") == ["vadd v31, v0, v7"]


def test_expressions_follow_gnu_precedence_and_c_division():
    assert text("li a0, 1 + 2 << 3") == ["li a0, 17"]  # shifts bind tighter than +
    assert text("li a0, 6 | 1 + 1") == ["li a0, 8"]  # | binds tighter than +
    assert text("li a0, -7 / 2") == ["li a0, -3"]  # truncates toward zero
    assert text("li a0, -7 % 2") == ["li a0, -1"]
    assert text("li a0, ~0x0f & 0xff") == ["li a0, 240"]
    assert text("li a0, 'a' - '\\n'") == ["li a0, 87"]
    assert text("li a0, 010 + 0b11 + 0x10") == ["li a0, 27"]


def test_hi_lo_and_memory_operands():
    source = (
        ".equ X, 0x12345fff\nlui a0, %hi(X)\naddi a0, a0, %lo(X)\nlw a1, %lo(X)(a0)\nlw a2, (a0)"
    )
    assert text(source) == ["lui a0, 0x12346", "addi a0, a0, -1", "lw a1, -1(a0)", "lw a2, 0(a0)"]


def test_equ_set_redefinition_and_forward_symbols():
    source = ".equ N, 4\nli a0, N\n.set N, N + 1\nli a1, N\nli a2, LATER\n.equ LATER, 7"
    # LATER is not a constant yet when li sees it: the lui/addi form, like a label
    assert text(source) == ["li a0, 4", "li a1, 5", "lui a2, 0x0", "addi a2, a2, 7"]


def test_numeric_local_labels_and_dot():
    source = "1: j 1f\n1: j 1b\nj 1b\nbeq a0, a1, .\nbne a0, a1, .+8\n1: nop"
    assert text(source) == ["j 0x4", "j 0x4", "j 0x4", "beq a0, a1, 0xc", "bne a0, a1, 0x18", "nop"]


def test_csr_names_numbers_and_immediate_forms():
    assert text("csrr a0, dma_mm2s_status") == ["csrr a0, dma_mm2s_status"]
    assert words("csrr a0, 0xfc0") == words("csrr a0, dma_mm2s_status")
    assert text("csrw dma_mm2s_control, 1") == ["csrwi dma_mm2s_control, 1"]
    assert text("csrrs a0, mcycle, 3") == ["csrrsi a0, mcycle, 3"]


def test_jalr_and_jr_spellings():
    assert words("jalr a0") == words("jalr ra, 0(a0)")
    assert words("jalr 4(a0)") == words("jalr ra, 4(a0)")
    assert words("jalr t0, a0") == words("jalr t0, 0(a0)")
    assert words("jalr t0, a0, 8") == words("jalr t0, 8(a0)")
    assert words("jr a0") == words("jalr zero, 0(a0)")
    assert words("jr -4(a0)") == words("jalr zero, -4(a0)")


def test_li_and_la_of_labels_use_absolute_values():
    source = "li a0, buf\nla a1, buf + 4\n.data\n.zero 0x1000\nbuf: .word 1"
    assert text(source) == ["lui a0, 0x1", "mv a0, a0", "lui a1, 0x1", "addi a1, a1, 4"]


def test_call_and_tail_reach_labels_pc_relatively():
    source = "nop\ncall f\ntail f\n.zero 0x2000\nf: ret"
    # f is at 0x2014: 0x2010 from the first auipc, 0x2008 from the second
    assert text(source)[:5] == ["nop", "auipc ra, 0x2", "jalr 16(ra)", "auipc t1, 0x2", "jr 8(t1)"]


# Directives, sections and memories.


def test_data_directives_are_little_endian():
    image = assemble(
        '.data\n.word 0x11223344, -1\n.half 0x5566\n.byte 7, -1\n.ascii "ab"\n'
        '.asciz "c\\n"\n.space 2, 0x5a\n.zero 1'
    )
    assert section(image, ".data").data == bytes.fromhex("44332211ffffffff665507ff6162630a005a5a00")


def test_align_pads_with_zeros_in_data_and_gnu_fill_in_code():
    image = assemble(".data\n.byte 1\n.align 2\n.byte 2\n.balign 8, 0xee\n.byte 3")
    assert section(image, ".data").data == bytes.fromhex("01000000 02eeeeee 03")
    code = section(assemble(".byte 1\n.align 3\n.half 2\n.align 4"), ".text").data
    assert code == bytes.fromhex("01 00 0100 13000000 0200 0100 13000000")  # as GNU as 2.40


def test_sections_map_to_memories_in_order_of_first_use_zero_filled_last():
    source = """
    .bss
    b: .zero 8
    .data
    d: .word 1
    .section .rodata.table
    r: .byte 1
    .section .uram
    u: .half 1
    .section .vmem.more, "aw", @nobits
    u2: .zero 64
    .section .llm
    l: .half 2
    .section .ddr
    x: .word 3
    .text
    _start: nop
    """
    image = assemble(source)
    placed = {s.name: (s.memory, s.address, s.size, len(s.data)) for s in image.sections}
    assert placed == {
        ".text": ("imem", 0, 4, 4),
        ".data": ("dmem", 0, 4, 4),
        ".rodata.table": ("dmem", 4, 1, 1),
        ".bss": ("dmem", 8, 8, 0),  # zero-filled sections go last, 4-byte aligned
        ".uram": ("vmem", 0, 2, 2),
        ".vmem.more": ("vmem", 64, 64, 0),  # vector memory sections start on a vector
        ".llm": ("llm", 0, 2, 2),
        ".ddr": ("ddr", 0, 4, 4),
    }
    assert {n: (s.memory, s.address) for n, s in image.symbols.items()} == {
        "b": ("dmem", 8),
        "d": ("dmem", 0),
        "r": ("dmem", 4),
        "u": ("vmem", 0),
        "u2": ("vmem", 64),
        "l": ("llm", 0),
        "x": ("ddr", 0),
        "_start": ("imem", 0),
    }


def test_entry_point_is_start_or_zero():
    assert assemble("nop\n_start: nop").entry == 4
    assert assemble("nop").entry == 0


def test_hidden_labels_stay_out_of_the_symbol_table():
    image = assemble("1: j 1b\n.L_local: nop\nglobal_one: nop\nbeq a0, a1, .")
    assert set(image.symbols) == {"global_one"}


def test_accepted_and_ignored_directives():
    source = '.globl f\n.type f, @function\n.option norelax\n.attribute arch, "rv32i"\nf: ret\n'
    assert text(source + ".size f, . - f") == ["ret"]


def test_memory_sizes_come_from_the_config():
    small = SocConfig(imem_bytes=64)
    assemble(".zero 64", config=small)
    with pytest.raises(AsmError, match="overflows imem"):
        assemble(".zero 64\nnop", config=small)


def test_assemble_file_and_parse(tmp_path):
    path = tmp_path / "prog.s"
    path.write_text("_start: li a0, 1\necall\n")
    assert assemble_file(path).entry == 0
    listing = parse(path.read_text(), str(path)).listing()
    assert "li a0, 1" in listing and f"{path}:1:" in listing
    with pytest.raises(AsmError, match="cannot read"):
        assemble_file(tmp_path / "missing.s")


# Errors.

ERRORS = [
    ("vadds v1, v2, v3", "t.s:1:1: unknown instruction vadds; did you mean vadd_s, vadd"),
    ("addi a0, a1", "t.s:1:1: addi expects 3 operands (xd, xs1, imm12), got 2"),
    ("ecall a0", "t.s:1:1: ecall expects no operands, got 1"),
    ("jal a0, a1, a2", "jal expects 2 operands (xd, joff) or 1 operand (target), got 3"),
    ("vadd v1, a0, v2", "t.s:1:10: vadd expects a vector register for vs1, got a0"),
    ("add a0, v1, a2", "t.s:1:9: add expects a scalar register for xs1, got v1"),
    ("mv a0, v3", "t.s:1:8: mv expects a scalar register for rs, got v3"),
    ("addi a0, a1, a2", "t.s:1:14: addi expects a value for imm12, got register a2"),
    ("addi a0, a1, 2048", "t.s:1:14: addi imm12 must be in -2048..2047, got 2048"),
    ("sw a0, -2049(sp)", "t.s:1:8: sw simm12 must be in -2048..2047, got -2049"),
    ("slli a0, a0, 32", "t.s:1:14: slli shamt must be in 0..31, got 32"),
    ("vmul v1, v2, v3, 16", "t.s:1:18: vmul vshift must be in 0..15, got 16"),
    ("vlui v1, 65536", "t.s:1:10: vlui imm16 must be in -32768..65535, got 65536"),
    ("li a0, 0x100000000", "t.s:1:8: li imm must be in -2147483648..4294967295, got 4294967296"),
    ("csrwi mcycle, 32", "t.s:1:15: csrwi uimm must be in 0..31, got 32"),
    ("beq a0, a1, 3", "t.s:1:13: beq target 0x3 is misaligned: offset 3 from pc 0x0 is odd"),
    (
        "beq a0, a1, . + 4096",
        "t.s:1:13: beq target 0x1000 is out of reach from pc 0x0: "
        "offset 4096 is not in -4096..4094",
    ),
    ("j nowhere", "t.s:1:3: undefined label nowhere"),
    ("addi a0, a1, 1 + missing", "t.s:1:18: undefined label missing"),
    ("j 1f", "t.s:1:3: undefined label 1f"),
    ("j 2b", "t.s:1:3: 2b: no label 2: before here"),
    ("x:\nx: nop", "t.s:2:1: duplicate label x (first defined at t.s:1:1)"),
    (".equ x, 1\nx: nop", "t.s:2:1: duplicate label x (first defined at t.s:1:1)"),
    (
        "nop\n.zero 70000",
        "t.s:2:1: section .text overflows imem: it would end at 0x11174, but "
        "imem holds 0x10000 bytes",
    ),
    (
        ".data\n.zero 0x20000\n.word 1",
        "t.s:3:7: section .data overflows dmem: it would end at "
        "0x20004, but dmem holds 0x20000 bytes",
    ),
    ("lw a0, a1", "t.s:1:8: lw expects a memory operand imm12(xs1) as operand 2, got a1"),
    ("lw a0, 4(a1), 5", "t.s:1:1: lw expects 2 operands (xd, imm12(xs1)), got 3"),
    ("add a0, 4(a1), a2", "t.s:1:9: add does not take a memory operand as operand 2"),
    (
        ".data\naddi a0, a0, 1",
        "t.s:2:1: addi in section .data, which is in dmem: instructions go in .text (imem)",
    ),
    (".bss\n.word 1", "t.s:2:7: section .bss is zero-filled; .word stores non-zero bytes there"),
    (".foo 1", "t.s:1:1: unknown directive .foo"),
    (".section .foo", "t.s:1:1: unknown section .foo; known: .text"),
    ("li a0, 1 +", "t.s:1:11: expression '1 +' ends early"),
    ("li a0, (1", "t.s:1:10: expression '(1' ends early"),
    ("li a0, 1 $ 2", "t.s:1:10: unexpected '$' in expression '1 $ 2'"),
    ("li a0, 1 / 0", "t.s:1:8: division by zero in (1 / 0)"),
    ("li a0, 1 << 100", "t.s:1:8: shift count 100 in (1 << 100) is outside 0..64"),
    ("li a0, %foo(1)", "t.s:1:8: unknown operator %foo; known: %hi, %lo"),
    ("csrr a0, mcycel", "t.s:1:10: csrr: unknown CSR mcycel; did you mean mcycle"),
    (".data\nd: .word 0\n.text\nj d", "t.s:4:3: j target d is in dmem, not in imem"),
    (".data\n_start: .word 0", "t.s:2:1: entry label _start is in dmem, not in imem"),
    (".align 3, 1, 2", "t.s:1:1: .align expects 1 or 2 operands, got 3"),
    (".balign 3", "t.s:1:9: .balign 3 is not a power of two"),
    (".zero x", "t.s:1:7: .zero size must be a constant, got x"),
    (".space -1", "t.s:1:8: .space size must be >= 0, got -1"),
    (".word 0x100000000", "t.s:1:7: .word value must be in -2147483648..4294967295"),
    (".byte 256", "t.s:1:7: .byte value must be in -128..255, got 256"),
    (".ascii abc", "t.s:1:8: .ascii expects a string in double quotes, got abc"),
    (".equ a, b\n.equ b, a\nli a0, a", "t.s:1:1: symbol a is defined in terms of itself"),
    ("addi a0, a1,", "t.s:1:13: empty operand"),
]


@pytest.mark.parametrize(("source", "message"), ERRORS, ids=[e[1][:40] for e in ERRORS])
def test_error_messages(source, message):
    with pytest.raises(AsmError) as err:
        assemble(source, "t.s")
    assert message in str(err.value)


def test_the_first_error_is_reported():
    with pytest.raises(AsmError, match="t.s:2:"):
        assemble("nop\naddi a0, a0, 5000\nfoo a0", "t.s")


_TOKENS = st.sampled_from(
    [
        *MNEMONICS[::3],
        "a0",
        "v1",
        "x31",
        "zero",
        "mcycle",
        "(",
        ")",
        ",",
        "1",
        "-2048",
        "0x7ff",
        "%hi(",
        "%lo(",
        "lbl",
        "1b",
        "1f",
        ".",
        "+",
        "<<",
        "'a'",
        '"s"',
        ":",
        ";",
        "#",
        ".word",
        ".align",
        ".section",
        ".data",
        ".uram",
        ".equ",
        "lbl:",
        "1:",
        "2048",
        "~",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_TOKENS, max_size=6).map(" ".join), max_size=6).map("\n".join))
def test_any_input_gives_an_image_or_an_asm_error(source):
    try:
        assemble(source, "fuzz.s")
    except AsmError as err:
        assert str(err).startswith("fuzz.s:"), str(err)
