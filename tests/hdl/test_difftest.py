"""The ISS-vs-RTL differential test (riscv_soc/difftest): the generator's guarantees, and the CI run
of 200 programs of 500 instructions at 0 mismatches (whole state and cycles)."""

from __future__ import annotations

import collections

import pytest

from riscv_soc import difftest, iss
from riscv_soc.difftest import CONFIG
from riscv_soc.isa.table import INSTRS, lookup


def _executed_ops(program, state_limit=1_000_000):
    image = program.image(CONFIG)
    words = image.memory_arrays(CONFIG)["imem"].view("<u4")
    return {lookup(int(w)).name for w in words if lookup(int(w)) is not None}


def test_generator_is_deterministic():
    a, b = difftest.generate(3, 9, 300, CONFIG), difftest.generate(3, 9, 300, CONFIG)
    assert a.source == b.source and all((a.data[m] == b.data[m]).all() for m in a.data)
    assert a.source != difftest.generate(3, 10, 300, CONFIG).source


def test_programs_terminate_and_cover_the_instruction_set():
    exits = collections.Counter()
    ops = set()
    for index in range(40):
        program = difftest.generate(11, index, 400, CONFIG)
        state = iss.run(program.image(CONFIG), 1_000_000, CONFIG)
        exits[state.exit] += 1
        ops |= _executed_ops(program)
        assert state.exit in ("ecall", "trap"), program.name
    assert exits["ecall"] > exits["trap"] > 0
    missing = {i.name for i in INSTRS} - ops - {"ebreak", "fence"}
    assert not missing, f"never generated: {sorted(missing)}"


@pytest.mark.rtl
@pytest.mark.slow
def test_ci_run_has_no_mismatch(tmp_path):
    result = difftest.run(seed=2024, programs=200, length=500, out_dir=tmp_path)
    assert result.line().endswith(
        "200 programs, " + f"{result.instructions} instructions, 0 mismatches"
    )
    assert result.mismatches == 0, result.saved
    assert result.max_cycle_diff == 0.0
