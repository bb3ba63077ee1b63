"""The checked-in SV package of the RTL is generated from the ISA, CSR and hardware tables, is
current, and says what the tables say."""

from __future__ import annotations

import re

import numpy as np

from riscv_soc.isa import csr, hardware, svgen
from riscv_soc.isa.table import FUNCT3, FUNCT7, INSTRS, OPCODE, OPERANDS, encode, extract


def test_checked_in_package_is_current():
    text = svgen.PKG_PATH.read_text()
    assert text == svgen.render_sv_pkg(), "run: python -m riscv_soc.isa.svgen"


def test_every_instruction_has_match_mask_and_a_decode_line():
    text = svgen.render_sv_pkg()
    for instr in INSTRS:
        base = svgen.sv_name(instr)[2:]
        assert f"Match{base}" in text and f"Mask{base}" in text
        match = re.search(rf"Match{base}\s*= 32'h([0-9a-f]+);", text)
        assert int(match.group(1), 16) == instr.match
        assert f"7'({svgen.sv_name(instr)})" in text


def test_names_are_unique():
    names = [svgen.sv_name(i) for i in INSTRS]
    assert len(names) == len(set(names))


def _sv_function(text: str, name: str) -> tuple[int, str]:
    """Result width and return expression of a one-line generated function."""
    match = re.search(rf"logic \[(\d+):0\] {name}\(logic \[31:0\] instr\);\n\s+return (.+);", text)
    assert match, f"no function {name}"
    return int(match.group(1)) + 1, match.group(2)


def _sv_parts(expr: str) -> list[str]:
    """The top-level parts of a concatenation `{a, {n{b}}, c}` (or the one bare part)."""
    if not expr.startswith("{"):
        return [expr]
    parts, depth, start = [], 0, 1
    for i, char in enumerate(expr[1:-1], start=1):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(expr[start:i].strip())
            start = i + 1
    return [*parts, expr[start:-1].strip()]


def _sv_eval(expr: str, word: int) -> tuple[int, int]:
    """Value and width of a generated extraction expression on `word`: bit selects, `1'b0` and
    replications `{n{instr[b]}}` only."""
    value = width = 0
    for part in _sv_parts(expr):
        if part == "1'b0":
            bits, n = 0, 1
        elif rep := re.fullmatch(r"\{(\d+)\{instr\[(\d+)\]\}\}", part):
            n = int(rep.group(1))
            bits = ((1 << n) - 1) * ((word >> int(rep.group(2))) & 1)
        else:
            hi, lo = re.fullmatch(r"instr\[(\d+)(?::(\d+))?\]", part).groups()
            lo = lo or hi
            n = int(hi) - int(lo) + 1
            bits = (word >> int(lo)) & ((1 << n) - 1)
        value, width = (value << n) | bits, width + n
    return value, width


def test_operand_functions_extract_what_the_table_extracts():
    text = svgen.render_sv_pkg()
    words = np.random.default_rng(0).integers(0, 1 << 32, 500, dtype=np.uint64)
    for name, operand in OPERANDS.items():
        width, expr = _sv_function(text, f"operand_{name}")
        for word in map(int, words):
            value, got_width = _sv_eval(expr, word)
            assert got_width == width
            assert value == extract(operand, word) & ((1 << width) - 1), (name, hex(word))


def test_field_functions_slice_the_table_fields():
    text = svgen.render_sv_pkg()
    for name, (hi, lo) in (("opcode", OPCODE), ("funct3", FUNCT3), ("funct7", FUNCT7)):
        assert _sv_function(text, f"field_{name}") == (hi - lo + 1, f"instr[{hi}:{lo}]")


def test_exit_codes_causes_and_shape_are_the_hardware_tables():
    text = svgen.render_sv_pkg()
    exits = dict(re.findall(r"Exit(\w+) = 3'd(\d)", text))
    assert {name: int(code) for name, code in exits.items()} == {
        svgen._camel(name): code for name, code in hardware.EXIT_CODES.items()
    }
    causes = dict(re.findall(r"Cause(\w+) = 4'd(\d+)", text))
    assert {int(code): name for name, code in causes.items() if name != "None"} == {
        code: svgen._camel(name) for code, name in hardware.TRAP_CAUSES.items()
    }
    assert f"Lanes    = {hardware.LANES};" in text
    assert f"NumVregs = {hardware.VREGS};" in text
    assert f"SpinWord = 32'h{encode('jal', xd=0, joff=0):08x};" in text


def test_counter_csr_decode_is_the_csr_table():
    text = svgen.render_sv_pkg()
    decoded = {}
    pattern = r"^\s+((?:Csr\w+, )*Csr\w+): sel = '\{hit: 1'b1, hi: 1'b(\d), idx: \d'd(\d)\};$"
    for names, hi, idx in re.findall(pattern, text, re.MULTILINE):
        decoded.update(dict.fromkeys(names.split(", "), (int(idx), hi == "1")))
    assert decoded == {f"Csr{svgen._camel(n)}": sel for n, sel in csr.COUNTER_CSRS.items()}
