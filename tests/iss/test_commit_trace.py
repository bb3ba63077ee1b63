"""The ISS's commit trace (riscv_soc.iss.run_traced): one record per retired instruction, holding
the writes docs/isa.md defines, and no change to the run itself; riscv_soc.commit's comparison."""

from __future__ import annotations

import numpy as np
import pytest

from riscv_soc import commit, difftest, iss
from riscv_soc.difftest import CONFIG
from riscv_soc.isa.asm import assemble
from riscv_soc.machine import diff_states

SOURCE = """
    li x5, 0x1234
    sh x5, 6(x0)
    li x6, 200
    csrw dma_mm2s_src, x6
    csrrw x6, dma_mm2s_src, x6
    csrrsi x7, dma_mm2s_dst, 0
    vlui v3, 7
    li x8, 64
    vstorev v3, 128(x8)
    vextract x9, v3, 2
    addi x0, x0, 1
    ecall
"""


def _trace(source: str):
    return iss.run_traced(assemble(source, "t", CONFIG), 10_000, CONFIG)


def test_records_hold_each_write_with_its_value():
    state, trace = _trace(SOURCE)
    assert trace.size == state.instret == 13  # li 0x1234 is two instructions
    by_pc = {int(r["pc"]): r for r in trace}
    sh = by_pc[8]
    assert sh["kind"] == commit.STORE
    assert (sh["mem_addr"], sh["mem_mask"], sh["mem_data"]) == (4, 0b1100, 0x1234 << 16)
    csrw = by_pc[16]  # csrrw x0: a CSR write, no register write
    assert csrw["kind"] == commit.CSR and (csrw["csr"], csrw["csr_data"]) == (0xBC0, 200)
    swap = by_pc[20]  # rd == rs1: the CSR gets the register's value from before the instruction
    assert swap["kind"] == commit.WRITES_X | commit.CSR
    assert (swap["rd"], swap["x"], swap["csr_data"]) == (6, 200, 200)
    assert by_pc[24]["kind"] == commit.WRITES_X  # csrrsi with uimm 0 reads, writes no CSR
    vlui = by_pc[28]
    assert vlui["kind"] == commit.WRITES_V and vlui["vd"] == 3 and (vlui["vec"] == 7).all()
    vstore = by_pc[36]
    assert vstore["kind"] == commit.VSTORE and vstore["mem_addr"] == 192
    assert (vstore["vec"] == 7).all()
    assert by_pc[40]["kind"] == commit.WRITES_X and by_pc[40]["x"] == 7
    assert by_pc[44]["kind"] == 0  # a write to x0 is no write
    assert by_pc[48]["word"] == 0x00000073  # ecall retires
    counts = commit.mnemonics(trace)
    assert counts["addi"] == 4 and counts["csrrw"] == 2 and counts["ecall"] == 1
    assert sum(counts.values()) == trace.size


def test_tracing_changes_nothing_and_resumes_across_full_chunks(monkeypatch):
    image = difftest.generate(5, 1, 400, CONFIG).image(CONFIG)
    plain = iss.run(image, 1_000_000, CONFIG)
    state, trace = iss.run_traced(image, 1_000_000, CONFIG)
    assert diff_states(plain, state) == [] and trace.size == plain.instret
    monkeypatch.setattr(iss, "TRACE_CHUNK", 7)  # the kernel pauses every 7 records
    state7, trace7 = iss.run_traced(image, 1_000_000, CONFIG)
    assert diff_states(plain, state7) == []
    assert commit.first_divergence(trace, trace7) is None


def test_first_divergence_names_the_record_and_fields():
    _, trace = _trace(SOURCE)
    other = trace.copy()
    other[5]["x"] ^= 1
    div = commit.first_divergence(trace, other)
    assert div == commit.Divergence(5, ("x",))
    lines = commit.describe(div, trace, other)
    assert lines[0] == "first divergence at retired instruction 5: x"
    assert "csrrw t1, dma_mm2s_src, t1" in lines[-1] and lines[-2].startswith("  iss")
    assert len(lines) == 1 + 4 + 2  # four instructions of context
    assert commit.first_divergence(trace, trace[:-1]) == commit.Divergence(12, ("length",))


@pytest.mark.parametrize("limit", [3, 40])
def test_a_cycle_limit_ends_the_trace_at_the_last_retired_instruction(limit):
    state, trace = _trace(SOURCE)
    cut, cut_trace = iss.run_traced(assemble(SOURCE, "t", CONFIG), limit, CONFIG)
    assert cut_trace.size == cut.instret <= trace.size
    assert commit.first_divergence(trace[: cut_trace.size], cut_trace) is None
    assert np.all(cut_trace["pc"] == trace["pc"][: cut_trace.size])


def test_lane_store_mask_is_the_lanes_enabled_on_their_base():
    """A lane with a negative base stays disabled even where the offset takes the sum past zero."""
    source = """
    vlui v1, -2
    li x5, 0x5
    vsel v1, x5, v2
    vstorel v3, 4(v1)
    ecall
    """  # v1 = -2 but lanes 0 and 2 hold 0 (v2): lanes 0 and 2 enabled, -2 + 4 >= 0 elsewhere
    _, trace = _trace(source)
    store = trace[trace["kind"] == commit.LSTORE][0]
    assert (store["mem_addr"], store["mem_mask"]) == (4, 0b101)
