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
        last = program.source.split()[-1]
        assert state.exit == (last if last in ("ecall", "ebreak") else "trap"), program.name
    assert exits["ecall"] > exits["ebreak"] > 0 and exits["trap"] > 0
    missing = {i.name for i in INSTRS} - ops
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


_SITUATIONS = {
    "ebreak ending": r"\n    ebreak\n$",
    "fence": r"\n    fence\n",
    "RNG reseed": r"\n    vloadr[01] \d+\(x30\)\n",
    "nested loop": r"\n    li x31, [1-3]\n",
    "backward branch": r"\n    (bnez|bne|blt|bltu) (x0, )?x(28|31), (x0, )?L\d+\n",
    "start while busy": r"csrwi dma_(mm2s|s2mm)_control, 1\n    csrwi dma_\1_control, 1\n",
    "registers rewritten in flight": r"dma_(mm2s|s2mm)_control, 1\n    csrr x\d+, dma_\1_status",
    "setup polled": r"\n    andi x24, x25, 4\n",
    "both channels": r"mm2s_control, 1\n(    csrwi dma_mm2s_control, 1\n)?    li x26, \d+\n"
    r"    csrw dma_s2mm",
}


def test_programs_cover_the_new_situations():
    """Each situation docs/isa.md defines and the generator promises shows up in 40 programs."""
    import re

    counts = collections.Counter()
    for index in range(40):
        source = difftest.generate(11, index, 400, CONFIG).source
        for name, pattern in _SITUATIONS.items():  # the prologue seeds the RNG from x0
            counts[name] += len(re.findall(pattern, source))
    missing = [name for name in _SITUATIONS if counts[name] < 3]
    assert not missing, dict(counts)


@pytest.mark.rtl
def test_new_situations_match_in_lockstep(tmp_path):
    """A short lock-step run over them: ebreak and fence retire, and the machines agree."""
    result = difftest.run(seed=7, programs=12, length=300, out_dir=tmp_path)
    assert result.mismatches == 0, result.saved
    assert result.coverage.get("ebreak", 0) > 0 and result.coverage.get("fence", 0) > 0
    assert result.coverage.get("vloadr0", 0) + result.coverage.get("vloadr1", 0) > 24
