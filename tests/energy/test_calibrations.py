"""The BOARD and CORE calibrations: the fit to FeNN's anchor, each derivation, their docs."""

from __future__ import annotations

from pathlib import Path

import pytest

from riscv_soc.energy import BOARD, CORE, FENN_SHD, MODELS, constants_table, energy
from riscv_soc.energy import calibrations as cal

DOCS = Path(__file__).resolve().parents[2] / "docs" / "energy.md"
PROCESS = (16 / 45) * (0.85 / 0.9) ** 2


def fenn_inference(instret: float, cycles: float) -> dict:
    counts = dict.fromkeys(["vec_alu_ops", "vec_mem_ops", "lane_local_ops", "scalar_mem_ops"], 0)
    return {**counts, "dma_bytes": 0, "cycles": round(cycles), "instret": round(instret)}


def test_board_reproduces_fenns_shd_point():
    """FeNN's own counts per inference give back its 19.2 mJ (net) and 12.6 ms."""
    run = fenn_inference(3.91e9 / 2264, 12.6e-3 * 164e6)
    report = energy(run, BOARD)
    assert report.dynamic_j == pytest.approx(19.2e-3, rel=1e-3)
    assert report.time_s == pytest.approx(12.6e-3, rel=1e-3)
    assert report.static_j == pytest.approx(8.0 * 12.6e-3, rel=1e-3)  # idle, outside the 19.2 mJ
    # The fit is net energy per instruction: about 11 nJ (research/fenn.md 6).
    assert BOARD.instr_j.value == pytest.approx(11.1e-9, rel=5e-3)


def test_board_fits_one_parameter():
    dynamic = {n: c.value for n, c in BOARD.constants().items() if n.endswith("_j")}
    assert [n for n, v in dynamic.items() if v] == ["instr_j"]
    assert not any(c.estimated for c in BOARD.constants().values())


def test_anchor_arithmetic():
    assert FENN_SHD.instructions_per_inference == pytest.approx(1.727e6, rel=1e-3)
    assert FENN_SHD.ise_time_s == pytest.approx(
        10.29e-3, rel=1e-3
    )  # 3.82e9 cycles / 2264 / 164 MHz
    # The measured power increment over idle that the anchor implies, about 1.5 W.
    assert FENN_SHD.net_energy_j / FENN_SHD.time_s == pytest.approx(1.52, abs=0.01)
    assert FENN_SHD.running_w - FENN_SHD.idle_w == pytest.approx(1.51)


def test_horowitz_interpolations():
    assert cal.add_j(8) == pytest.approx(0.03e-12)
    assert cal.add_j(32) == pytest.approx(0.1e-12)
    assert cal.add_j(16) == pytest.approx((0.03 + 0.07 / 3) * 1e-12)
    # The sqrt(capacity) law through the 8 KB point lands on Horowitz's 32 KB (20 pJ per 64 bits)
    # and near his 1 MB (100 pJ) point.
    assert 64 * cal.sram_bit_j(8 * 1024) == pytest.approx(10e-12)
    assert 64 * cal.sram_bit_j(32 * 1024) == pytest.approx(20e-12)
    assert 64 * cal.sram_bit_j(1024 * 1024) == pytest.approx(100e-12, rel=0.15)


def test_core_derivations():
    assert cal.PROCESS_SCALE == PROCESS
    assert round(PROCESS, 3) == 0.317
    rf_bit = 10e-12 / 64 * (64 / 8192) ** 0.5
    assert CORE.cycle_j.value == pytest.approx(65e-12 * 14 * PROCESS)
    assert CORE.instr_j.value == pytest.approx((5e-12 + 0.1e-12 * 14) * PROCESS)
    assert CORE.vec_alu_op_j.value == pytest.approx(
        32 * (cal.add_j(16) + 48 * rf_bit) * 14 * PROCESS
    )
    assert CORE.vec_mem_op_j.value == pytest.approx((8 * 20e-12 + 512 * rf_bit * 14) * PROCESS)
    assert CORE.lane_local_op_j.value == pytest.approx(
        32 * (16 * 10e-12 / 64 * 0.5 + 16 * rf_bit * 14) * PROCESS
    )
    assert CORE.scalar_mem_op_j.value == pytest.approx(5e-12 * PROCESS)
    assert CORE.dma_byte_j.value == pytest.approx(8 * 15e-12)
    assert CORE.clock_hz.value == 175e6


def test_every_constant_has_a_source_and_core_flags_estimates():
    for model in MODELS.values():
        model.check()
        for name, const in model.constants().items():
            assert len(const.source) > 10, (model.name, name)
    flagged = [n for n, c in CORE.constants().items() if c.estimated]
    assert flagged == [n for n in CORE.constants() if n != "clock_hz"]


@pytest.mark.parametrize("model", list(MODELS.values()), ids=list(MODELS))
def test_docs_show_the_constants(model):
    """docs/energy.md embeds constants_table(model); regenerate it when a constant changes."""
    assert constants_table(model) in DOCS.read_text()
