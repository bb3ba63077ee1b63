"""The per-event model (riscv_soc/energy/model.py): the equation, shapes, and bad input."""

from __future__ import annotations

import dataclasses
import textwrap

import numpy as np
import pytest

from riscv_soc import iss
from riscv_soc.energy import EVENTS, Constant, EnergyModel, activity_of, energy
from riscv_soc.errors import ConfigError, DataError
from riscv_soc.isa.asm import assemble

# Distinct powers of two, so a count multiplied by the wrong constant shows in every test.
TOY = EnergyModel(
    name="toy",
    description="test model",
    clock_hz=Constant(100e6, "test"),
    static_w=Constant(2.0, "test"),
    cycle_j=Constant(1.0, "test"),
    instr_j=Constant(2.0, "test"),
    vec_alu_op_j=Constant(4.0, "test"),
    vec_mem_op_j=Constant(8.0, "test"),
    lane_local_op_j=Constant(16.0, "test"),
    scalar_mem_op_j=Constant(32.0, "test"),
    dma_byte_j=Constant(64.0, "test"),
)
ONE_RUN = {
    "cycles": 1000,
    "instret": 900,
    "vec_alu_ops": 100,
    "vec_mem_ops": 50,
    "lane_local_ops": 7,
    "scalar_mem_ops": 3,
    "dma_bytes": 128,
    "stall_cycles": 100,
}


def test_equation_per_component():
    report = energy(ONE_RUN, TOY)
    assert report.time_s == pytest.approx(1000 / 100e6)
    assert report.components_j == {
        "static": pytest.approx(2.0 * 1000 / 100e6),
        "cycles": 1000.0,
        "instret": 1800.0,
        "vec_alu_ops": 400.0,
        "vec_mem_ops": 400.0,
        "lane_local_ops": 112.0,
        "scalar_mem_ops": 96.0,
        "dma_bytes": 8192.0,
    }
    assert report.dynamic_j == pytest.approx(1000 + 1800 + 400 + 400 + 112 + 96 + 8192)
    assert report.total_j == pytest.approx(report.dynamic_j + 2e-5)


def test_every_counter_is_an_event_except_stalls():
    assert sorted(EVENTS.values()) == sorted(set(ONE_RUN) - {"stall_cycles"})
    more_stalls = energy({**ONE_RUN, "stall_cycles": 10**9}, TOY)
    assert more_stalls.total_j == energy(ONE_RUN, TOY).total_j  # stalls are cycles - instret


def test_clock_override_scales_time_and_static_only():
    slow = energy(ONE_RUN, TOY, clock_hz=50e6)
    fast = energy(ONE_RUN, TOY)
    assert slow.time_s == pytest.approx(2 * fast.time_s)
    assert slow.static_j == pytest.approx(2 * fast.static_j)
    assert slow.dynamic_j == fast.dynamic_j
    assert energy(ONE_RUN, TOY, clock_hz=np.int64(100_000_000)).clock_hz == 100e6


def test_per_sample_arrays_match_single_runs():
    rng = np.random.default_rng(0)
    batch = {k: rng.integers(0, 10**6, size=5) for k in ONE_RUN}
    report = energy(batch, TOY)
    assert report.total_j.shape == (5,)
    for s in range(5):
        single = energy({k: int(v[s]) for k, v in batch.items()}, TOY)
        assert report.total_j[s] == pytest.approx(single.total_j)
    mean = report.mean()
    assert mean["samples"] == 5
    assert mean["total_j"] == pytest.approx(report.total_j.mean())
    assert mean["components_j"]["dma_bytes"] == pytest.approx(64.0 * batch["dma_bytes"].mean())


def test_machine_state_of_the_iss():
    """The counter names of the ISS are the model's: a MachineState goes straight in."""
    program = """
        vlui v1, 3
        vadd v2, v1, v1
        vstorev v2, 0(zero)
        vloadv v3, 64(zero)
        vstorel v1, 0(v0)
        lw a0, 0(zero)
        sw a0, 4(zero)
        ecall
    """
    state = iss.run(assemble(textwrap.dedent(program)), 1000)
    report = energy(state, TOY)
    assert report.components_j["vec_alu_ops"] == 4.0 * 2
    assert report.components_j["vec_mem_ops"] == 8.0 * 2
    assert report.components_j["lane_local_ops"] == 16.0 * 1
    assert report.components_j["scalar_mem_ops"] == 32.0 * 2
    assert report.components_j["instret"] == 2.0 * state.instret
    assert report.time_s == pytest.approx(state.cycles / 100e6)
    assert activity_of(state)["cycles"] == state.cycles


def test_format_lists_components_and_shares():
    assert energy(ONE_RUN, TOY).format().splitlines() == [
        "toy: 1 inference(s) at 100 MHz, 10 us each",
        "  component             energy   share",
        "  static                 20 uJ    0.0%",
        "  cycles               1e+03 J    8.3%",
        "  instret            1.8e+03 J   15.0%",
        "  vec_alu_ops            400 J    3.3%",
        "  vec_mem_ops            400 J    3.3%",
        "  lane_local_ops         112 J    0.9%",
        "  scalar_mem_ops          96 J    0.8%",
        "  dma_bytes         8.19e+03 J   68.3%",
        "  dynamic            1.2e+04 J",
        "  total              1.2e+04 J",
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"dma_bytes": None}, "no 'dma_bytes' counter"),
        ({"cycles": -1}, "counter 'cycles' has a negative count -1"),
        ({"instret": 1.5}, "counter 'instret' has dtype float64"),
        ({"vec_mem_ops": [1, 2]}, "counter 'vec_mem_ops' has shape (2,)"),
    ],
)
def test_bad_counters(change, message):
    activity = {k: v for k, v in {**ONE_RUN, **change}.items() if v is not None}
    with pytest.raises(DataError, match=message.replace("(", r"\(").replace(")", r"\)")):
        energy(activity, TOY)


@pytest.mark.parametrize("clock", [0, -5e6, float("nan"), "fast"])
def test_bad_clock(clock):
    with pytest.raises(ConfigError, match="clock_hz="):
        energy(ONE_RUN, TOY, clock_hz=clock)


def test_bad_model():
    negative = dataclasses.replace(TOY, dma_byte_j=Constant(-1.0, "test"))
    with pytest.raises(ConfigError, match="energy model 'toy': dma_byte_j=-1.0; must be >= 0"):
        energy(ONE_RUN, negative)
    unsourced = dataclasses.replace(TOY, cycle_j=Constant(1.0, " "))
    with pytest.raises(ConfigError, match="cycle_j has no source"):
        energy(ONE_RUN, unsourced)
