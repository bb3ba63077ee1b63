"""The lock-step difftest on the RTL: commit traces equal to the ISS's on random programs, and an
injected RTL bug that only the lock-step comparison sees (its value is overwritten before the end).
"""

from __future__ import annotations

import pytest
from hdl.hdl_helper import BUGGY

from riscv_soc import commit, difftest, iss, rtl
from riscv_soc.difftest import CONFIG
from riscv_soc.isa.asm import assemble
from riscv_soc.machine import diff_states

pytestmark = pytest.mark.rtl

# lbu of 0x80, then the register is overwritten: the end state cannot tell a wrong extension.
TRANSIENT = """
    li x5, 0x80
    sb x5, 16(x0)
    lbu x6, 16(x0)
    li x6, 1
    ecall
"""


def test_random_programs_retire_the_same_records(tmp_path):
    result = difftest.run(seed=7, programs=6, length=300, out_dir=tmp_path)
    assert result.mismatches == 0, result.saved
    assert result.lockstep and result.programs == 6
    assert sum(result.coverage.values()) == result.instructions > 0
    assert 0 < result.generated < result.instructions  # loops retire words more than once
    assert "lock-step and end state" in result.line()


@pytest.mark.parametrize("limit", [301, 302, 345])
def test_a_cycle_limit_exit_ends_both_traces_at_the_same_record(limit):
    """A loop that never ends, with a divide (multi-cycle) and a load in it."""
    source = "    li x5, 9\n1:  lw x6, 0(x0)\n    div x7, x5, x5\n    addi x5, x5, 1\n    j 1b\n"
    image = assemble(source, "forever", CONFIG)
    [(state, trace)] = rtl.run_many_traced([image], limit, CONFIG)
    ref, ref_trace = iss.run_traced(image, limit, CONFIG)
    assert state.exit == "limit" and diff_states(ref, state) == []
    assert commit.first_divergence(ref_trace, trace) is None and trace.size == state.instret


@pytest.mark.slow
def test_a_transient_wrong_value_is_found_in_lock_step_only():
    image = assemble(TRANSIENT, "transient", CONFIG)
    [(_, _, end_state)] = difftest.compare([image], CONFIG, lockstep=False, rtl_defines=BUGGY)
    assert end_state == []
    [(_, _, lockstep)] = difftest.compare([image], CONFIG, lockstep=True, rtl_defines=BUGGY)
    assert lockstep[0] == "first divergence at retired instruction 2: x"
    assert "lbu t1, 16(zero)" in lockstep[-2] and "x6=0x00000080" in lockstep[-2]
    assert "x6=0xffffff80" in lockstep[-1] and lockstep[-1].startswith("  rtl")
    assert len(lockstep) == 5  # the divergence, the two records before it, both sides
