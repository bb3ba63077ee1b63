"""The spike scan: visit every spike of a source's bitfield words, in ascending neuron order.

Where it sits: program.py calls `emit_scan` once per projection and step; `on_spike` emits what a
spike does (a row kernel, or appending the row's DDR address to a list) with the row's address
in ROW = rows + n * row_bytes. Bits are taken lowest first (`ctz`, then `w &= w - 1`), words from
0 up: docs/semantics.md section 7's order.

Small sources (at most `unroll_words` words) are scanned word by word in straight code, so a word
without spikes costs a load and one branch; each nonzero word calls the shared bit loop with its
rows' base. Larger sources loop over their words.
"""

from __future__ import annotations

from collections.abc import Callable

from riscv_soc.compiler.emitter import Emitter
from riscv_soc.compiler.regalloc import (
    BIT,
    ROW,
    ROW_BYTES,
    SCAN_END,
    SCAN_ROWS,
    SCAN_STRIDE,
    SCAN_WORD,
    TMP,
    WORD,
)
from riscv_soc.soc import LANES

OnSpike = Callable[[Callable[[], None]], None]  # called with the filler that clears the bit


def emit_scan(
    e: Emitter,
    words_reg: str,
    words_offset: int,
    n_words: int,
    rows_base: int,
    row_bytes: int,
    on_spike: OnSpike,
    unroll_words: int,
) -> None:
    """Scan `n_words` spike words at `words_reg` + `words_offset` (dmem)."""
    e.add_const(SCAN_WORD, words_reg, words_offset, TMP)
    if row_bytes & (row_bytes - 1):
        e.li(ROW_BYTES, row_bytes)
    if n_words <= min(unroll_words, 511):  # 4 * word must fit a load's immediate
        _scan_unrolled(e, n_words, rows_base, row_bytes, on_spike)
    else:
        _scan_looped(e, n_words, rows_base, row_bytes, on_spike)


def _bit_loop(e: Emitter, row_bytes: int, on_spike: OnSpike) -> str:
    """Emit the loop over the set bits of WORD (rows of bit 0 at SCAN_ROWS); returns its label."""
    top = e.fresh("bits")
    e.label(top)
    e.ctz(BIT, WORD)
    if row_bytes & (row_bytes - 1):
        e.mul(BIT, BIT, ROW_BYTES)
    else:
        e.slli(BIT, BIT, row_bytes.bit_length() - 1)
    e.add(ROW, BIT, SCAN_ROWS)
    cleared = []

    def clear_bit() -> None:  # w &= w - 1, once, in the first load shadow of the row kernel
        if not cleared:
            e.addi(TMP, WORD, -1)
            e.and_(WORD, WORD, TMP)
            cleared.append(True)

    on_spike(clear_bit)
    clear_bit()
    e.bnez(WORD, top)
    return top


def _scan_unrolled(e: Emitter, n_words: int, rows_base: int, row_bytes: int, on_spike) -> None:
    bits, done = e.fresh("bitsub"), e.fresh("scanned")
    for w in range(n_words):
        skip = e.fresh("noword")
        e.lw(WORD, 4 * w, SCAN_WORD)
        e.beqz(WORD, skip)
        e.li(SCAN_ROWS, rows_base + w * LANES * row_bytes)
        e.jal("ra", bits)
        e.label(skip)
    e.j(done)
    e.label(bits)
    _bit_loop(e, row_bytes, on_spike)
    e.ret()
    e.label(done)


def _scan_looped(e: Emitter, n_words: int, rows_base: int, row_bytes: int, on_spike) -> None:
    top, skip = e.fresh("word"), e.fresh("noword")
    e.add_const(SCAN_END, SCAN_WORD, 4 * n_words, TMP)
    e.li(SCAN_ROWS, rows_base)
    e.li(SCAN_STRIDE, LANES * row_bytes)
    e.label(top)
    e.lw(WORD, 0, SCAN_WORD)
    e.beqz(WORD, skip)
    _bit_loop(e, row_bytes, on_spike)
    e.label(skip)
    e.addi(SCAN_WORD, SCAN_WORD, 4)
    e.add(SCAN_ROWS, SCAN_ROWS, SCAN_STRIDE)
    e.bne(SCAN_WORD, SCAN_END, top)
