"""The commit trace: one record per retired instruction, the same from the ISS and the RTL.

In the spirit of RVFI (github.com/SymbioticEDA/riscv-formal, docs/rvfi.md): each record holds the
instruction's pc and word and every architectural write it makes, with the values written. The
ISS fills records in its trace mode (`riscv_soc.iss.run_traced`), the RTL testbench writes them
from the retiring instruction and its write-back (`riscv_soc.rtl.run_many_traced`). Fields a
record's `kind` does not name are zero, so two traces compare byte for byte.

    ref, rtl = iss_trace, rtl_trace                     # numpy arrays of COMMIT
    divergence = first_divergence(ref, rtl)             # None, or the first record that differs
    print(describe(divergence, ref, rtl))               # with the instructions around it

Not in a record: the RNG state, DMA data movement and counters (the end-state comparison covers
them).
"""

from __future__ import annotations

import collections
from dataclasses import dataclass

import numpy as np

from riscv_soc.isa.disasm import disassemble
from riscv_soc.isa.table import lookup
from riscv_soc.soc import LANES

# Bits of `kind`: what the instruction wrote.
WRITES_X = 1  # x[rd] <- x (rd != 0)
WRITES_V = 2  # v[vd] <- vec (the whole register after the write)
STORE = 4  # dmem word mem_addr, byte enables mem_mask, data mem_data (disabled bytes 0)
VSTORE = 8  # vector memory at mem_addr <- vec (mem_mask all lanes)
LSTORE = 16  # lane-local memories: lanes in mem_mask at v[vs1] + mem_addr <- vec
CSR = 32  # CSR csr <- csr_data (the value after the write)

COMMIT = np.dtype(
    [
        ("pc", "<u4"),
        ("word", "<u4"),
        ("kind", "u1"),
        ("rd", "u1"),
        ("vd", "u1"),
        ("pad", "u1"),
        ("csr", "<u4"),
        ("x", "<u4"),
        ("mem_addr", "<u4"),
        ("mem_mask", "<u4"),
        ("mem_data", "<u4"),
        ("csr_data", "<u4"),
        ("vec", "<i2", (LANES,)),
    ]
)
_FIELDS: tuple[str, ...] = COMMIT.names or ()  # a structured dtype: names is never None


@dataclass(frozen=True)
class Divergence:
    """The first record where two traces differ (`index` may be past the end of one)."""

    index: int
    fields: tuple[str, ...]  # the fields that differ; ("length",) when one trace ended


def first_divergence(ref: np.ndarray, dut: np.ndarray) -> Divergence | None:
    """The first record that differs between `ref` and `dut`, or None when they are equal."""
    n = min(ref.size, dut.size)
    rows_ref = ref[:n].view(np.uint8).reshape(n, COMMIT.itemsize)
    rows_dut = dut[:n].view(np.uint8).reshape(n, COMMIT.itemsize)
    differs = np.flatnonzero((rows_ref != rows_dut).any(axis=1))
    if differs.size:
        i = int(differs[0])
        names = tuple(f for f in _FIELDS if np.any(ref[i][f] != dut[i][f]))
        return Divergence(i, names)
    if ref.size != dut.size:
        return Divergence(n, ("length",))
    return None


def format_record(record: np.void) -> str:
    """One line: pc, disassembly and the writes the record holds."""
    pc, word, kind = int(record["pc"]), int(record["word"]), int(record["kind"])
    parts = [f"{pc:08x}: {disassemble(word, pc):<28}"]
    if kind & WRITES_X:
        parts.append(f"x{record['rd']}={int(record['x']):#010x}")
    if kind & WRITES_V:
        parts.append(f"v{record['vd']}={_lanes(record['vec'])}")
    if kind & STORE:
        mask, data = int(record["mem_mask"]), int(record["mem_data"])
        parts.append(f"dmem[{int(record['mem_addr']):#x}]&{mask:#x}={data:#010x}")
    if kind & (VSTORE | LSTORE):
        where = "vmem" if kind & VSTORE else "llm"
        addr, mask = int(record["mem_addr"]), int(record["mem_mask"])
        parts.append(f"{where}[{addr:#x}] lanes {mask:#010x}={_lanes(record['vec'])}")
    if kind & CSR:
        parts.append(f"csr {int(record['csr']):#05x}={int(record['csr_data']):#010x}")
    return "  ".join(parts)


def describe(div: Divergence, ref: np.ndarray, dut: np.ndarray, context: int = 4) -> list[str]:
    """Lines showing the divergence and the `context` instructions before it on both sides."""
    lines = [f"first divergence at retired instruction {div.index}: {', '.join(div.fields)}"]
    first = max(0, div.index - context)
    lines += [f"      {i:7d} {format_record(ref[i])}" for i in range(first, div.index)]
    for side, trace in (("iss", ref), ("rtl", dut)):
        shown = format_record(trace[div.index]) if div.index < trace.size else "(trace ended)"
        lines.append(f"  {side} {div.index:7d} {shown}")
    return lines


def mnemonics(trace: np.ndarray) -> collections.Counter[str]:
    """Retired instructions per mnemonic (executed-instruction coverage)."""
    words, counts = np.unique(trace["word"], return_counts=True)
    out: collections.Counter[str] = collections.Counter()
    for word, count in zip(words, counts, strict=True):
        instr = lookup(int(word))
        out[instr.name if instr else "illegal"] += int(count)
    return out


def _lanes(vec: np.ndarray) -> str:
    values = [int(v) & 0xFFFF for v in vec]
    if all(v == values[0] for v in values):
        return f"[{values[0]:#06x} x{LANES}]"
    return "[" + " ".join(f"{v:04x}" for v in values) + "]"
