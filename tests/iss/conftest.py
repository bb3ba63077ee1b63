"""ISS test helpers: a program (assembly text or machine words) -> Image -> MachineState.

Tests take the fixtures; the plain functions behind them are here so fixtures stay one-liners.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from riscv_soc import iss
from riscv_soc.image import Image, Section
from riscv_soc.isa.asm import assemble
from riscv_soc.machine import MachineState
from riscv_soc.soc import DEFAULT, SocConfig

# Small memories: quick to allocate, copy and compare, and their ends are easy to reach.
SMALL = SocConfig(
    imem_bytes=4096, dmem_bytes=4096, vmem_bytes=8192, llm_lane_bytes=256, ddr_bytes=16384
)


def image_of(program: str | list[int], config: SocConfig = DEFAULT) -> Image:
    """Assemble text (dedented), or place machine words at address 0 of instruction memory."""
    if isinstance(program, str):
        return assemble(textwrap.dedent(program), config=config)
    return Image([Section(".text", "imem", 0, np.array(program, "<u4").tobytes())])


def run_program(
    program: str | list[int], max_cycles: int = 100_000, config: SocConfig = DEFAULT
) -> MachineState:
    return iss.run(image_of(program, config), max_cycles, config)


@pytest.fixture
def run_asm():
    """run_asm(program, max_cycles=100_000, config=DEFAULT) -> MachineState.

    Read results with views: `state.memories["dmem"].view("<i4")[k]`, `...["vmem"].view("<i2")`.
    """
    return run_program


@pytest.fixture
def build():
    """build(program, config=DEFAULT) -> Image."""
    return image_of


@pytest.fixture
def small():
    """A SocConfig with small memories."""
    return SMALL
