"""The SoC RTL against the ISS on directed programs: every instruction of the table, every trap rule
(with the order of the checks), and DMA transfers in both directions, malformed ones, both channels
at once and back to back with compute overlapping. Whole states are compared, cycles included; a
few results are also pinned against docs/isa.md directly."""

from __future__ import annotations

import pytest
from fenn.programs import CASES, check
from hdl.hdl_helper import MAX_CYCLES, run_both

from riscv_soc import rtl
from riscv_soc.coverage import directed
from riscv_soc.difftest import CONFIG
from riscv_soc.errors import ConfigError
from riscv_soc.isa import csr
from riscv_soc.isa.asm import assemble
from riscv_soc.isa.table import INSTRS
from riscv_soc.machine import diff_states

pytestmark = pytest.mark.rtl
PROGRAMS = directed.all_programs() | {f"fenn_{n}": case.source for n, case in CASES.items()}


@pytest.fixture(scope="module")
def states():
    names = list(PROGRAMS)
    images = [assemble(PROGRAMS[n], n, CONFIG) for n in names]
    models = [directed.ddr_model(n) for n in names]
    return dict(zip(names, run_both(images, ddr=models), strict=True))


def test_every_instruction_has_a_directed_program():
    assert {f"instr_{i.name}" for i in INSTRS} <= set(PROGRAMS)


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_rtl_matches_iss(states, name):
    ref, rtl = states[name]
    assert diff_states(ref, rtl) == [], name


@pytest.mark.parametrize("name", list(CASES))
def test_fenn_rules_pinned(states, name):
    """The RTL ends in the state worked out by hand for each of FeNN's rules (the ISS too)."""
    ref, rtl = states[f"fenn_{name}"]
    assert check(rtl, CASES[name]) == []
    assert check(ref, CASES[name]) == []


def test_traps_pinned(states):
    cases = {
        "trap_fetch_beyond_imem": ("instruction_access_fault", 0x10000),
        "trap_hazard_rng": ("vector_load_use", 32),
        "trap_lane_first_faulting_lane": ("load_access_fault", 2048),  # lane 0 before lane 16
        "trap_misaligned_before_range": ("load_address_misaligned", 0x20001),
        "trap_hazard_before_address_check": ("vector_load_use", 1),
        "trap_fetch_branch_below_zero": ("instruction_access_fault", 0xFFFFFFD0),
        "trap_fetch_fall_off_the_end": ("instruction_access_fault", 0x10000),
    }
    for name, (cause, tval) in cases.items():
        _, rtl = states[name]
        assert (rtl.exit, rtl.cause, rtl.tval) == ("trap", cause, tval), name


def test_spin_ends_the_run_pinned(states):
    for name in ("spin_flag_then_spin", "spin_dma_in_flight"):
        rtl = states[name][1]
        assert rtl.exit == "spin" and rtl.instr == f"j 0x{rtl.pc:x}", name
        assert rtl.cycles == rtl.instret  # the spin: one cycle, retired
    assert states["spin_flag_then_spin"][1].memories["dmem"][0] == 1
    assert not states["spin_dma_in_flight"][1].csrs["dma_mm2s_status"] & csr.DMA_IDLE


def test_dma_status_pinned(states):
    x = states["dma_status_phases"][1].x
    assert x[10] & csr.DMA_STARTING and not x[10] & csr.DMA_IDLE
    assert x[14] == csr.DMA_IDLE | csr.DMA_OK and x[15] == 640
    assert states["dma_misaligned_internal_error"][1].x[10] == csr.DMA_IDLE | csr.DMA_ERR_INTERNAL
    assert states["dma_decode_error_ddr"][1].x[10] == csr.DMA_IDLE | csr.DMA_ERR_DECODE
    assert states["dma_internal_before_decode"][1].x[10] == csr.DMA_IDLE | csr.DMA_ERR_INTERNAL
    ok = states["dma_error_then_ok_clears"][1].x
    assert ok[10] & csr.DMA_ERR_INTERNAL and ok[11] == csr.DMA_IDLE | csr.DMA_OK
    for name, bit in (("slverr", csr.DMA_ERR_SLAVE), ("decerr", csr.DMA_ERR_DECODE)):
        x = states[f"dma_ddr_{name}"][1].x
        assert x[10] == x[11] == csr.DMA_IDLE | bit, name  # each channel met its error range


def test_cycle_model_pinned(states):
    """One cycle per instruction, 33 per divide: a straight-line program's mcycle."""
    ref, rtl = states["instr_div"]
    assert rtl.cycles == rtl.instret + 32 * 5 and rtl.counters["stall_cycles"] == 32 * 5


def test_only_the_named_memories_come_back(states):
    """`memories=` selects the dumps; what comes back equals the full run (the ISS's, here)."""
    for names, programs in (
        (("ddr", "llm"), ["dma_both_channels_with_compute", "instr_vstorel"]),
        (("vmem",), ["dma_mm2s_basic"]),
    ):
        images = [assemble(PROGRAMS[n], n, CONFIG) for n in programs]
        got = rtl.run_many(images, MAX_CYCLES, CONFIG, memories=names)
        for name, state in zip(programs, got, strict=True):
            assert tuple(state.memories) == names
            assert diff_states(states[name][0], state) == [], name
    with pytest.raises(ConfigError, match="memories: unknown"):
        rtl.run(assemble("ecall", "x", CONFIG), 10, CONFIG, memories=("dram",))
