"""The ISS's Python API: arguments, the reusable simulator, cycle limits, the result schema."""

from __future__ import annotations

import json

import numpy as np
import pytest

from riscv_soc import iss
from riscv_soc.errors import ConfigError, ImageError
from riscv_soc.image import MEMORIES, Image, Section
from riscv_soc.machine import diff_states
from riscv_soc.soc import SocConfig

COUNT_DOWN = """
        lw a0, 0(zero)          # the count comes from dmem
        li a1, 0
    loop:
        add a1, a1, a0
        addi a0, a0, -1
        bnez a0, loop
        sw a1, 4(zero)
        ecall
    .data
        .word 10
"""


@pytest.mark.parametrize("max_cycles", [0, -1])
def test_max_cycles_must_be_positive(build, max_cycles):
    with pytest.raises(ConfigError, match=r"max_cycles: must be in 1\.\.2\*\*62, got -?\d"):
        iss.run(build("ecall"), max_cycles)


@pytest.mark.parametrize("max_cycles", ["10", 1.5, True, None])
def test_max_cycles_must_be_an_integer(build, max_cycles):
    with pytest.raises(ConfigError, match="max_cycles: expected an integer"):
        iss.run(build("ecall"), max_cycles)


def test_image_that_does_not_fit(small):
    image = Image([Section(".text", "imem", 0, bytes(8192))], source="big.elf")
    with pytest.raises(ImageError, match=r"big\.elf: section \.text needs imem bytes"):
        iss.run(image, config=small)


def test_bad_arguments(build, small):
    with pytest.raises(ConfigError, match="image: expected a riscv_soc Image, got str"):
        iss.run("firmware.elf")
    with pytest.raises(ConfigError, match="config: expected a SocConfig"):
        iss.run(build("ecall"), config={"imem_bytes": 4})
    with pytest.raises(ConfigError, match=r"config\.vmem_bytes: must be a positive multiple of 64"):
        iss.run(build("ecall"), config=SocConfig(vmem_bytes=100))
    with pytest.raises(ConfigError, match=r"memories: unknown \['rom'\]"):
        iss.run(build("ecall"), memories=("dmem", "rom"))


def test_limit_stops_at_an_instruction_boundary(run_asm):
    state = run_asm("nop\nnop\nnop\necall", max_cycles=2)
    assert (state.exit, state.pc, state.cycles, state.instret) == ("limit", 8, 2, 2)
    assert state.instr == "nop"
    assert state.cause is None
    # a 33-cycle divide is never cut: the stop comes at the first boundary past the limit
    state = run_asm("nop\ndiv a0, a1, a2\nnop\necall", max_cycles=5)
    assert (state.exit, state.pc, state.cycles) == ("limit", 8, 34)


def test_resumed_runs_end_where_one_run_ends(build, small):
    image = build(COUNT_DOWN, small)
    whole = iss.run(image, config=small)
    machine = iss.Iss(image, small)
    for limit in (3, 10, 17, 25):
        assert machine.run(limit, memories=()).exit == "limit"
    assert not diff_states(machine.run(), whole)


def test_halted_machine_needs_a_reset(build, small):
    machine = iss.Iss(build("ecall", small), small)
    machine.run()
    with pytest.raises(ConfigError, match=r"stopped with ecall; call reset\(\) first"):
        machine.run()
    machine.reset()
    assert machine.run().exit == "ecall"


def test_repeated_runs_with_new_inputs(build):
    machine = iss.Iss(build(COUNT_DOWN))
    sums = []
    for n in (1, 5, 100):
        machine.reset()
        machine.memories["dmem"][:4] = np.array([n], "<u4").view(np.uint8)
        state = machine.run(memories=())
        assert state.memories == {}
        sums.append(int(machine.memories["dmem"][4:8].view("<u4")[0]))
    assert sums == [1, 15, 5050]


def test_reset_keeps_memories_unless_asked(build, small):
    machine = iss.Iss(build(COUNT_DOWN, small), small)
    machine.memories["dmem"][:4] = [3, 0, 0, 0]
    first = machine.run()
    machine.reset()
    assert machine.memories["dmem"][4] == 6  # the last run's output is still there
    assert machine.cycles == 0
    machine.reset(reload_memories=True)
    assert machine.memories["dmem"][:8].tolist() == [10, 0, 0, 0, 0, 0, 0, 0]
    assert first.memories["dmem"][4] == 6  # states hold copies


def test_instruction_memory_is_read_only(build):
    machine = iss.Iss(build("ecall"))
    with pytest.raises(ValueError, match="read-only"):
        machine.memories["imem"][0] = 0


def test_one_shot_run_hands_over_its_memories(build):
    state = iss.run(build(COUNT_DOWN), memories=("dmem",))
    assert list(state.memories) == ["dmem"]
    assert state.memories["dmem"][4] == 55


def test_state_schema(run_asm, small):
    state = run_asm("li a0, -1\nvlui v2, -3\necall", config=small)
    assert state.x.dtype == np.uint32 and state.x.shape == (32,)
    assert state.v.dtype == np.int16 and state.v.shape == (32, 32)
    assert state.rng.dtype == np.uint16 and state.rng.shape == (2, 32)
    assert list(state.memories) == list(MEMORIES)
    assert all(m.dtype == np.uint8 for m in state.memories.values())
    assert list(state.counters) == [
        "vec_alu_ops",
        "vec_mem_ops",
        "lane_local_ops",
        "scalar_mem_ops",
        "dma_bytes",
        "stall_cycles",
    ]
    assert set(state.csrs) == {"mcountinhibit"} | {
        f"dma_{ch}_{reg}"
        for ch in ("mm2s", "s2mm")
        for reg in ("src", "dst", "count", "control", "status")
    }
    out = json.loads(json.dumps(state.to_json()))
    assert out["x"][10] == 0xFFFFFFFF
    assert out["v"][2][0] == -3
    assert out["instr"] == "ecall"
    assert set(out["memory_sha256"]) == set(MEMORIES)


def test_entry_point(build):
    image = build("li a0, 1\nstart:\nli a1, 2\necall")
    image.entry = image.symbols["start"].address
    state = iss.run(image)
    assert (state.x[10], state.x[11], state.instret) == (0, 2, 2)
