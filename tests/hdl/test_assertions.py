"""The SystemVerilog assertions in rtl/ are compiled into the simulation build: the plain build runs
a program that writes x0 without a complaint; a build whose write-back writes x0 (a deliberate
bug) stops at the write-back assertion and the run fails with its message."""

from __future__ import annotations

import pytest
from hdl.hdl_helper import BUGGY

from riscv_soc import rtl
from riscv_soc.difftest import CONFIG
from riscv_soc.isa.asm import assemble

pytestmark = pytest.mark.rtl

WRITES_X0 = """
    li x5, 3
    addi x0, x5, 4
    add x6, x0, x5
    ecall
"""


def test_the_plain_build_keeps_the_invariants():
    state = rtl.run(assemble(WRITES_X0, "x0", CONFIG), 1000, CONFIG, memories=())
    assert state.exit == "ecall" and state.x[0] == 0 and state.x[6] == 3


@pytest.mark.slow
def test_a_violated_assertion_fails_the_run():
    image = assemble(WRITES_X0, "x0", CONFIG)
    with pytest.raises(RuntimeError, match="a_wb_after_retire"):
        rtl.run_many([image], 1000, CONFIG, memories=(), defines=BUGGY)
