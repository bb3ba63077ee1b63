"""The testbench's memory files: images -> sparse `$readmemh` files, `$writememh` dumps -> arrays.

Where it sits: between `Image.memory_arrays()` and rtl/tb/fenn_soc_tb.sv, inside the cocotb driver.
Loading writes only the nonzero words (`@index` lines): the testbench zeroes every memory first,
so a program costs what it holds, not what the SoC holds. Line layouts are those of
`riscv_soc.image.hexfile` (word or vector per line, least significant byte at the lowest
address; lane-local memory as one 512-bit line per lane address, lane i in bits 16i+15:16i).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from riscv_soc.image.hexfile import LINE_BYTES
from riscv_soc.soc import LANES

__all__ = ["LINE_BYTES", "llm_from_lines", "llm_lines", "read_dump", "write_sparse"]


def llm_lines(llm: np.ndarray, lane_bytes: int) -> np.ndarray:
    """Lane-major lane-local bytes -> one row of 2*LANES bytes per lane address."""
    halves = llm.view(np.uint16).reshape(LANES, lane_bytes // 2)
    return np.ascontiguousarray(halves.T).view(np.uint8).reshape(-1, 2 * LANES)


def llm_from_lines(lines: np.ndarray, lane_bytes: int) -> np.ndarray:
    """Inverse of `llm_lines`: rows per lane address -> lane-major bytes."""
    halves = np.ascontiguousarray(lines).view(np.uint16).reshape(lane_bytes // 2, LANES)
    return np.ascontiguousarray(halves.T).view(np.uint8).reshape(-1)


def write_sparse(path: Path, lines: np.ndarray) -> None:
    """Write the nonzero rows of `lines` (uint8 [n, line_bytes]) as `@index` + hex lines."""
    nonzero = np.flatnonzero(lines.any(axis=1))
    text = [f"@{int(i):x}\n{lines[i, ::-1].tobytes().hex()}\n" for i in nonzero]
    path.write_text("".join(text))


def read_dump(path: Path, line_bytes: int, count: int) -> np.ndarray:
    """Parse a `$writememh` dump of `count` lines into uint8 [count, line_bytes]."""
    text = path.read_text()
    if "/" not in text and "@" not in text:
        raw = bytes.fromhex(text)  # fast path: full-width lines only (fromhex skips whitespace)
        if len(raw) == count * line_bytes:
            return np.frombuffer(raw, np.uint8).reshape(count, line_bytes)[:, ::-1].copy()
    digits = [
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line.startswith(("//", "@"))
    ]
    if len(digits) != count:
        raise RuntimeError(f"{path}: {len(digits)} lines, expected {count}")
    width = 2 * line_bytes
    raw = bytes.fromhex("".join(d.rjust(width, "0") for d in digits))
    return np.frombuffer(raw, np.uint8).reshape(count, line_bytes)[:, ::-1].copy()
