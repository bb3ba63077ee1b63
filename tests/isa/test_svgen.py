"""The checked-in SV package of the RTL is generated from the instruction table and is current."""

from __future__ import annotations

import re

from riscv_soc.isa import svgen
from riscv_soc.isa.table import INSTRS


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
