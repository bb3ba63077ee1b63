"""The example programs in firmware/examples run on the ISS and compute what Python computes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from riscv_soc.image.elf import read_elf
from riscv_soc.isa.asm import assemble_file
from riscv_soc.isa.numerics import ROUND_NEAREST, add_lane, fill_narrow, mul_lane

FIRMWARE = Path(__file__).resolve().parents[2] / "firmware"
LIF = FIRMWARE / "examples" / "lif_step.s"
CHECKSUM_C = FIRMWARE / "examples" / "vector_checksum.c"


def run_on_iss(image, max_cycles: int = 100_000):
    """Run `image` on the ISS to its ecall (this test needs riscv_soc.iss: it fails without)."""
    from riscv_soc.iss import run

    state = run(image, max_cycles=max_cycles)
    assert state.exit == "ecall", f"{state.exit} {state.cause} at {state.pc:#x}: {state.instr}"
    return state


def lif_reference(steps=8, alpha=29491, threshold=1000):
    """firmware/examples/lif_step.s in Python, lane by lane, with the shared numerics."""
    v = [37 * lane for lane in range(32)]
    current = [50 + 13 * lane for lane in range(32)]
    spikes, mask = 0, 0
    for _ in range(steps):
        mask = 0
        for lane in range(32):
            v[lane] = add_lane(
                mul_lane(v[lane], alpha, 15, ROUND_NEAREST, False, 0), current[lane], True
            )
            if v[lane] >= threshold:
                mask |= 1 << lane
                v[lane] = 0
        spikes += bin(mask).count("1")
    return spikes, mask, v


def test_lif_example_assembles_and_runs():
    image = assemble_file(LIF)
    spikes, mask, v = lif_reference()
    assert 0 < spikes < 8 * 32  # the example is not trivial: some lanes fire, not all
    state = run_on_iss(image)
    assert [int(r) for r in state.x[10:14]] == [spikes, mask, v[0], v[31] & 0xFFFFFFFF]
    v_out = image.symbols["v_out"].address
    stored = state.memories["vmem"][v_out : v_out + 64].view("<i2")
    assert stored.tolist() == v


def checksum_reference() -> tuple[int, list[int]]:
    """firmware/examples/vector_checksum.c's return value and its vector v4, in Python."""
    seed = sum((i + 1) * (i + 1) for i in range(10))
    v3 = add_lane(fill_narrow(seed), 1000, True)
    v4 = mul_lane(v3, 1000, 6, ROUND_NEAREST, False, 0)
    v6 = add_lane(v4, v4, True)
    return (v4 + 3 * v6 + seed) & 0xFFFFFFFF, [v4] * 32


@pytest.mark.gnu
def test_c_example_built_by_gcc_runs_on_the_iss(gnu):
    image = read_elf(gnu.build_c(CHECKSUM_C))
    memories = {s.name: s.memory for s in image.sections}
    assert memories == {".text": "imem", ".bss": "dmem", ".uram": "vmem"}
    assert image.entry == image.symbols["_start"].address == 0
    assert image.symbols["main"].memory == "imem"
    assert image.symbols["scratch"].memory == "vmem"
    expected, vector = checksum_reference()
    state = run_on_iss(image)
    assert int(state.x[10]) == expected
    scratch = image.symbols["scratch"].address
    assert state.memories["vmem"][scratch : scratch + 64].view("<i2").tolist() == vector
    squares = image.symbols["squares"].address
    assert state.memories["dmem"][squares : squares + 40].view("<i4").tolist() == [
        (i + 1) ** 2 for i in range(10)
    ]
    assert np.all(state.memories["dmem"][squares + 40 : squares + 64] == 0)
