"""Pre-decoding of instruction memory into one row of integer fields per word.

A loop over the table's instructions, each step numpy over all words at once.

Sits between the firmware image and the ISS kernel (`_kernels.py`): `riscv_soc.iss` calls
`predecode(imem)` once per image (instruction memory cannot be written by the program), and the
kernel then reads an op id and ready-made operands per word instead of decoding bits. Every field is
derived from `riscv_soc.isa.table` and `riscv_soc.isa.csr`; nothing here knows an encoding.

A row holds (column constants below):

- `OP`: the table's op id (`table.OP_ID`), or `table.ILLEGAL_OP` for a word no instruction matches,
  including CSR accesses that docs/isa.md makes illegal (unknown CSR, write to a read-only CSR).
- `RD`, `RS1`, `RS2`: the raw register fields, except that a scalar destination x0 becomes
  `X_SINK` (register 32), a slot the kernel writes but never reads, so x0 stays 0 without a branch.
- `IMM`: the instruction's one immediate operand (sign-extended where the table says so), or for
  CSR instructions a dense CSR code (`CSR_CODES`); `csrr*i`'s 5-bit immediate stays in `RS1`.
- `VUSE`: bit r set when the instruction uses vector register r as a source or destination, bit
  `RNG_BIT` when it steps the RNG: what the load-use hazard check ANDs with the pending load.
- `ACT`: the index of the activity counter the instruction increments (`ACT_NONE` for none).
- `CYC`: the cycles the instruction takes when it retires (`Instr.cycles`).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from riscv_soc.isa import csr, table

# Row columns.
OP, RD, RS1, RS2, IMM, VUSE, ACT, CYC = range(8)
N_FIELDS = 8  # 64-byte rows: one cache line per instruction

X_SINK = 32  # writes to x0 land here
RNG_BIT = 32  # VUSE bit of instructions that step the RNG (vrng, *_rs)

# Counter slots of the kernel's `counters` array: activity counters in csr.COUNTERS order, then a
# slot that absorbs the increments of instructions that count nothing.
ACT_INDEX = {name: k for k, name in enumerate(csr.COUNTERS)}
ACT_NONE = len(csr.COUNTERS)
_CLASS_COUNTER = {klass: ACT_INDEX[name] for klass, name in csr.COUNTER_OF_CLASS.items()}

# Dense CSR codes. Counter c (0: cycles, 1: instret, 2 + k: csr.COUNTERS[k]) reads as code 2c (low
# half) and 2c + 1 (high half); then mhartid, mcountinhibit; then per DMA channel its registers in
# DMA_REGS order.
N_COUNTERS = csr.N_COUNTERS
N_COUNTER_CODES = 2 * N_COUNTERS
CSR_MHARTID = N_COUNTER_CODES
CSR_MCOUNTINHIBIT = CSR_MHARTID + 1
CSR_DMA_BASE = CSR_MCOUNTINHIBIT + 1
DMA_CHANNELS = ("mm2s", "s2mm")
DMA_REGS = ("src", "dst", "count", "control", "status")
DMA_SRC, DMA_DST, DMA_COUNT, DMA_CONTROL, DMA_STATUS = range(len(DMA_REGS))


def _csr_codes() -> dict[int, int]:
    codes = {csr.CSRS[name]: 2 * c + hi for name, (c, hi) in csr.COUNTER_CSRS.items()}
    codes[csr.CSRS["mhartid"]] = CSR_MHARTID
    codes[csr.CSRS["mcountinhibit"]] = CSR_MCOUNTINHIBIT
    for ch, channel in enumerate(DMA_CHANNELS):
        for r, reg in enumerate(DMA_REGS):
            codes[csr.CSRS[f"dma_{channel}_{reg}"]] = CSR_DMA_BASE + ch * len(DMA_REGS) + r
    missing = sorted(set(csr.CSRS.values()) - set(codes))
    if missing:  # a CSR added to csr.py needs a meaning here and in the kernel
        raise RuntimeError(f"CSRs without an ISS code: {[csr.CSR_NAMES[n] for n in missing]}")
    return codes


CSR_CODES: dict[int, int] = _csr_codes()


def csr_writable(code: int) -> bool:
    """Whether a program may write the CSR with this code (mcountinhibit, DMA registers other
    than status)."""
    if code == CSR_MCOUNTINHIBIT:
        return True
    return code >= CSR_DMA_BASE and (code - CSR_DMA_BASE) % len(DMA_REGS) != DMA_STATUS


_CSR_LOOKUP = np.full(1 << 12, -1, np.int64)  # CSR number -> code, -1 where none exists
_CSR_LOOKUP[list(CSR_CODES)] = list(CSR_CODES.values())
# Indexed by code; the extra last entry answers for code -1 (no such CSR).
_CSR_WRITABLE = np.array([csr_writable(c) for c in range(max(CSR_CODES.values()) + 1)] + [False])

# CSR instructions that always write; the others write only when their source field is not 0.
_ALWAYS_WRITE = ("csrrw", "csrrwi")
_CSR_INSTRS = ("csrrw", "csrrs", "csrrc", "csrrwi", "csrrsi", "csrrci")


def _immediate_operand(instr: table.Instr) -> table.Operand | None:
    kinds = ("imm", "uimm", "csr")
    names = [n for n in instr.operands if table.OPERANDS[n].kind in kinds and n != "uimm5"]
    if len(names) > 1:
        raise RuntimeError(f"{instr.name}: more than one immediate operand: {names}")
    return table.OPERANDS[names[0]] if names else None


def _extract(operand: table.Operand, words: np.ndarray) -> np.ndarray:
    """`table.extract` over an array of words."""
    raw = table.extract(dataclasses.replace(operand, kind="uimm"), words)  # bit gathering only
    if operand.kind == "imm":
        sign = 1 << (operand.width - 1)
        raw = np.where(raw >= sign, raw - 2 * sign, raw)
    return raw


def _field(bits: tuple[int, int], words: np.ndarray) -> np.ndarray:
    hi, lo = bits
    return (words >> lo) & ((1 << (hi - lo + 1)) - 1)


def predecode(imem: np.ndarray) -> np.ndarray:
    """Decode every word of instruction memory (uint8 bytes, little-endian) into int64 rows.

    Returns an int64 array of shape [len(imem) // 4, N_FIELDS]. A row depends on its word alone,
    so each distinct word is decoded once (a program fills little of the memory: mostly zeros).
    """
    words = np.frombuffer(np.ascontiguousarray(imem).tobytes(), "<u4").astype(np.int64)
    distinct, where = np.unique(words, return_inverse=True)
    return _decode_words(distinct)[where.reshape(-1)]


def _decode_words(words: np.ndarray) -> np.ndarray:
    """One row per word of `words` (int64)."""
    rows = np.zeros((words.size, N_FIELDS), np.int64)
    rows[:, OP] = table.ILLEGAL_OP
    rows[:, ACT] = ACT_NONE
    rows[:, CYC] = 1
    rows[:, RD] = _field(table.RD, words)
    rows[:, RS1] = _field(table.RS1, words)
    rows[:, RS2] = _field(table.RS2, words)
    for instr in table.INSTRS:
        hit = (words & instr.mask) == instr.match
        if not hit.any():
            continue
        sel = words[hit]
        row = rows[hit]
        row[:, OP] = table.OP_ID[instr.name]
        row[:, ACT] = _CLASS_COUNTER.get(instr.klass, ACT_NONE)
        row[:, CYC] = instr.cycles
        if "xd" in instr.operands:
            row[:, RD] = np.where(row[:, RD] == 0, X_SINK, row[:, RD])
        imm = _immediate_operand(instr)
        if imm is not None:
            row[:, IMM] = _extract(imm, sel)
        for name, column in (("vd", RD), ("vs1", RS1), ("vs2", RS2)):
            if name in instr.operands:
                row[:, VUSE] |= np.left_shift(1, row[:, column])
        if instr.name == "vrng" or instr.name.endswith("_rs"):
            row[:, VUSE] |= 1 << RNG_BIT
        if instr.name in _CSR_INSTRS:
            _decode_csr(instr, row)
        rows[hit] = row
    return rows


def _decode_csr(instr: table.Instr, row: np.ndarray) -> None:
    """Replace CSR numbers by codes; mark unknown CSRs and writes to read-only ones illegal."""
    code = _CSR_LOOKUP[row[:, IMM]]
    writes = np.full(len(row), instr.name in _ALWAYS_WRITE) | (row[:, RS1] != 0)
    illegal = (code < 0) | (writes & ~_CSR_WRITABLE[code])
    row[:, IMM] = code
    row[illegal, OP] = table.ILLEGAL_OP
    row[illegal, ACT] = ACT_NONE
    row[illegal, VUSE] = 0
