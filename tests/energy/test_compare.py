"""The estimates side by side (riscv_soc/energy/compare.py)."""

from __future__ import annotations

import numpy as np
import pytest

from riscv_soc.energy import (
    BOARD,
    CORE,
    ann_op_energy,
    compare,
    energy,
    format_comparison,
    snn_op_energy,
)

COUNTERS = {
    "cycles": np.array([2_000_000, 2_200_000]),
    "instret": np.array([1_800_000, 1_900_000]),
    "vec_alu_ops": np.array([400_000, 420_000]),
    "vec_mem_ops": np.array([500_000, 520_000]),
    "lane_local_ops": np.array([0, 0]),
    "scalar_mem_ops": np.array([50_000, 51_000]),
    "dma_bytes": np.array([0, 0]),
    "stall_cycles": np.array([200_000, 300_000]),
}
SPIKES = {"synops": np.array([5_000_000, 5_500_000]), "neuron_updates": np.array([322_920] * 2)}


def test_rows_of_an_iss_run():
    activity = {**COUNTERS, **SPIKES}
    rows = compare(activity, ann_macs=184_320)
    assert [r["estimate"] for r in rows] == [
        "board (counters)",
        "core (counters)",
        "op count, SNN student",
        "op count, ANN teacher",
    ]
    board = energy(activity, BOARD)
    assert rows[0]["energy_j"] == pytest.approx(board.dynamic_j.mean())
    assert rows[0]["static_j"] == pytest.approx(board.static_j.mean())
    assert rows[0]["time_s"] == pytest.approx(board.time_s.mean())
    assert rows[1]["energy_j"] == pytest.approx(energy(activity, CORE).dynamic_j.mean())
    assert rows[2]["energy_j"] == pytest.approx(snn_op_energy(activity).energy_j.mean())
    assert rows[3]["energy_j"] == pytest.approx(ann_op_energy(184_320).energy_j)
    assert rows[2]["time_s"] is None and "1 AC per synaptic event" in rows[2]["basis"]


def test_rows_need_their_counts():
    assert [r["estimate"] for r in compare(SPIKES)] == ["op count, SNN student"]
    assert [r["estimate"] for r in compare(COUNTERS, models=[CORE])] == ["core (counters)"]
    assert compare({"cycles": 1}) == []


def test_clock_reaches_the_counter_models():
    rows = compare(COUNTERS, models=[BOARD], clock_hz=82e6)
    assert rows[0]["time_s"] == pytest.approx(COUNTERS["cycles"].mean() / 82e6)


def test_format():
    lines = format_comparison(compare({**COUNTERS, **SPIKES}, ann_macs=184_320)).splitlines()
    assert lines[0].split() == ["estimate", "energy", "idle", "time", "basis"]
    # 1.85 M instructions x 11.1 nJ; 8 W idle x 2.1 M cycles / 164 MHz
    assert lines[1].startswith("board (counters)              20.6 mJ     102 mJ   12.8 ms  KV260")
    assert lines[4].startswith("op count, ANN teacher          848 nJ          -         -  1 MAC")
