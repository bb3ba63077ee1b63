"""FeNN's rules (docs/isa.md) on the ISS and on the naive reference: each directed program of
tests/fenn/programs.py ends in the state worked out by hand (the RTL: tests/hdl/test_soc.py)."""

from __future__ import annotations

import pytest
from fenn.programs import CASES, check
from naive import ref_iss

from riscv_soc import iss
from riscv_soc.difftest import CONFIG
from riscv_soc.isa.asm import assemble


@pytest.mark.parametrize("name", list(CASES))
def test_iss(name):
    image = assemble(CASES[name].source, name, CONFIG)
    assert check(iss.run(image, 100_000, CONFIG), CASES[name]) == []


@pytest.mark.parametrize("name", list(CASES))
def test_naive_reference(name):
    image = assemble(CASES[name].source, name, CONFIG)
    assert check(ref_iss.run(image, 100_000, CONFIG), CASES[name]) == []
