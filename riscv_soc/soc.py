"""Sizes of the SoC's memories: one configuration shared by the assembler, image, ISS and RTL.

Defaults are FeNN-DMA's. Every memory is addressed from 0 on its own bus (Harvard); the load
addresses give each memory its own window in one host-side address map, which is what ELF program
headers carry so that GNU tools see no overlap.
"""

from __future__ import annotations

from dataclasses import dataclass

# The vector unit's shape, re-exported: the SoC's users read it here.
from riscv_soc.isa.hardware import LANES as LANES
from riscv_soc.isa.hardware import VREGS as VREGS

VECTOR_BYTES = 2 * LANES  # one 32 x int16 vector


@dataclass(frozen=True)
class Memory:
    """One memory: its name, size in bytes, and its window in the host-side load map."""

    name: str
    size: int
    load_base: int
    doc: str


@dataclass(frozen=True)
class SocConfig:
    """Memory sizes in bytes (all powers of two)."""

    imem_bytes: int = 64 * 1024
    dmem_bytes: int = 128 * 1024
    vmem_bytes: int = 512 * 1024
    llm_lane_bytes: int = 2 * 1024
    ddr_bytes: int = 256 * 1024 * 1024

    def memories(self) -> dict[str, Memory]:
        return {
            m.name: m
            for m in (
                Memory("imem", self.imem_bytes, 0x0000_0000, "instruction memory"),
                Memory("dmem", self.dmem_bytes, 0x1000_0000, "scalar data memory"),
                Memory("vmem", self.vmem_bytes, 0x2000_0000, "vector memory (URAM)"),
                Memory(
                    "llm",
                    LANES * self.llm_lane_bytes,
                    0x3000_0000,
                    "lane-local memories, lane-major: byte lane*lane_bytes + address",
                ),
                Memory("ddr", self.ddr_bytes, 0x4000_0000, "DDR behind the DMA engine"),
            )
        }


DEFAULT = SocConfig()
