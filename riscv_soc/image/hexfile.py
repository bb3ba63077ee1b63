"""Per-memory `$readmemh` hex files and raw binaries of a firmware image.

Data flow: `Image` -> one file per memory, which the RTL testbench preloads into the SoC's memories
(`$readmemh`); the line layouts match the memories' word widths. docs/image.md describes each.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from riscv_soc.errors import ImageError
from riscv_soc.image import MEMORIES, Image
from riscv_soc.soc import DEFAULT, LANES, VECTOR_BYTES, SocConfig
from snnsoc_common.artefacts import write_bytes, write_text

# Bytes per hex line: imem/dmem/ddr one 32-bit word; vmem one 64-byte vector; llm one row of all
# lanes' halfwords at the same lane address (lane i's halfword in bits 16i+15:16i).
LINE_BYTES = {"imem": 4, "dmem": 4, "ddr": 4, "vmem": VECTOR_BYTES, "llm": 2 * LANES}


def memory_bytes(image: Image, memory: str, config: SocConfig = DEFAULT) -> np.ndarray:
    """The whole of `memory` (uint8) as the image loads it; llm is lane-major (lane * lane_bytes
    + address), as in the image."""
    _check_memory(memory)
    image.check(config)
    out = np.zeros(
        config.memories()[memory].size if memory != "ddr" else image.extent("ddr"), np.uint8
    )
    for sec in image.sections:
        if sec.memory == memory and sec.data:
            out[sec.address : sec.address + len(sec.data)] = np.frombuffer(sec.data, np.uint8)
    return out


def hex_lines(image: Image, memory: str, config: SocConfig = DEFAULT) -> list[str]:
    """The `$readmemh` lines of `memory`: the whole memory, except ddr up to the image's extent."""
    data = memory_bytes(image, memory, config)
    if memory == "llm":
        lanes = data.view("<u2").reshape(LANES, config.llm_lane_bytes // 2)
        data = np.ascontiguousarray(lanes.T).view(np.uint8).reshape(-1)  # rows of 32 lanes
    width = LINE_BYTES[memory]
    data = np.concatenate([data, np.zeros(-len(data) % width, np.uint8)])
    rows = data.reshape(-1, width)[:, ::-1]  # most significant byte first: lane 0 / byte 0 lowest
    return [row.tobytes().hex() for row in rows]


def write_hex(image: Image, memory: str, path: str | Path, config: SocConfig = DEFAULT) -> None:
    """Write `memory` of `image` as a `$readmemh` file: one line per word (LINE_BYTES)."""
    write_text(path, "\n".join(hex_lines(image, memory, config)) + "\n")


def write_bin(image: Image, memory: str, path: str | Path, config: SocConfig = DEFAULT) -> None:
    """Write the raw bytes of `memory` from offset 0 up to the image's extent in it."""
    write_bytes(path, memory_bytes(image, memory, config)[: image.extent(memory)].tobytes())


def _check_memory(memory: str) -> None:
    if memory not in MEMORIES:
        raise ImageError(f"memory {memory!r}: expected one of {', '.join(MEMORIES)}")
