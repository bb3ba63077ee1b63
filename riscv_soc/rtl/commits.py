"""The testbench's commit-trace lines (rtl/tb/fenn_soc_tb.sv) as `riscv_soc.commit.COMMIT` records.

Each line is fixed-width lower-case hex, fields separated by one space, in this order and width
(hex digits): pc 8, word 8, kind 2, rd 2, vd 2, csr 8, x 8, mem_addr 8, mem_mask 8, mem_data 8,
csr_data 8, then the 32 lanes as one 512-bit number (lane 0 in the last 4 digits).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from riscv_soc.commit import COMMIT
from riscv_soc.soc import LANES

FIELDS = (
    ("pc", 8),
    ("word", 8),
    ("kind", 2),
    ("rd", 2),
    ("vd", 2),
    ("csr", 8),
    ("x", 8),
    ("mem_addr", 8),
    ("mem_mask", 8),
    ("mem_data", 8),
    ("csr_data", 8),
)
VEC_DIGITS = 4 * LANES
LINE = sum(w + 1 for _, w in FIELDS) + VEC_DIGITS + 1  # the newline included

_HEX = np.full(256, -1, np.int64)
_HEX[np.frombuffer(b"0123456789abcdef", np.uint8)] = np.arange(16)


def read(path: str | Path) -> np.ndarray:
    """The records of one trace file; ValueError naming the file for a malformed one."""
    raw = np.frombuffer(Path(path).read_bytes(), np.uint8)
    if raw.size % LINE:
        raise ValueError(f"{path}: {raw.size} bytes, not a multiple of the {LINE}-byte line")
    lines = raw.reshape(-1, LINE)
    out = np.zeros(len(lines), COMMIT)
    col = 0
    for name, width in FIELDS:
        out[name] = _number(lines[:, col : col + width], path)
        col += width + 1
    digits = lines[:, col : col + VEC_DIGITS].reshape(len(lines), LANES, 4)[:, ::-1]
    out["vec"] = _number(digits.reshape(-1, 4), path).reshape(len(lines), LANES).astype(np.uint16)
    return out


def _number(digits: np.ndarray, path) -> np.ndarray:
    """Hex digit columns (most significant first) as integers."""
    values = _HEX[digits]
    if (values < 0).any():
        raise ValueError(f"{path}: a trace field holds a character that is not a hex digit")
    weights = 1 << (4 * np.arange(digits.shape[1] - 1, -1, -1, dtype=np.int64))
    return values @ weights
