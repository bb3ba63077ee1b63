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


def test_programs_exercise_fenn_rules():
    """Lane bases of both signs with offsets that take a negative base across zero (a lane FeNN
    keeps disabled), vsll/vsra by amounts 0..31, and writes to mcountinhibit."""
    import re

    import numpy as np

    from riscv_soc.difftest import generator as g

    crossing = shifts_0_31 = inhibit_writes = 0
    for index in range(40):
        program = difftest.generate(11, index, 400, CONFIG)
        vmem = program.data["vmem"].view("<i2")
        lines = program.source.splitlines()
        for k, line in enumerate(lines):
            m = re.match(r"\s+v(?:loadl|storel) v\d+, (-?\d+)\(v(\d+)\)", line)
            if m and int(m.group(2)) in g.ADDR_V:
                at = g.ADDR_VECTORS // 2 + g.LANES * (int(m.group(2)) - g.ADDR_V[0])
                bases = vmem[at : at + g.LANES].astype(np.int64)
                crossing += int(((bases < 0) & (bases + int(m.group(1)) >= 0)).sum())
            if re.match(r"\s+vandadd (v\d+), v\d+, x0, 5$", line):
                amounts = line.split()[1].rstrip(",")
                if re.match(rf"\s+vs(ll|ra) v\d+, v\d+, {amounts}$", lines[k + 1]):
                    shifts_0_31 += 1
            if re.match(r"\s+csrr[wsc]i? x\d+, mcountinhibit, (x[1-9]|[1-9])", line):
                inhibit_writes += 1
    assert crossing > 20 and shifts_0_31 > 20 and inhibit_writes > 20, (
        crossing,
        shifts_0_31,
        inhibit_writes,
    )
