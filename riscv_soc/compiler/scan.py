"""The spike scan: visit every spike of a source's bitfield words, in ascending neuron order.

Where it sits: program.py calls `emit_scan` once per projection and step; `on_spike(e, filler)`
emits through `e` what a spike does (a row kernel, or appending the row's DDR address to a list)
with the row's address in ROW = rows + n * row_bytes, and `filler` (the bit clear) in a load
shadow. Bits are taken lowest first (`ctz`, then `w &= w - 1`), words from 0 up:
docs/semantics.md section 7's order. Per spike the scan costs 6 instructions: `ctz`, the row
address (`slli` or `mul`, `add`), the bit clear (`addi`, `and`) and the loop branch.

Small sources (at most `unroll_words` words) are scanned word by word in straight code, so a word
without spikes costs a load and one branch. Each word with spikes runs its own copy of the bit
loop (row base in a register, 1-2 instructions) while the copies take at most `inline_bytes`;
beyond that each calls one shared bit loop (2 instructions more: the call and the return).
Larger sources loop over their words.
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
from riscv_soc.isa.builder import Builder
from riscv_soc.soc import LANES

# on_spike(e, filler): emit, through `e`, what one spike does; `filler` emits the bit clear
OnSpike = Callable[[Emitter, Callable[[], None]], None]
MAX_UNROLLED_WORDS = 511  # 4 * word must fit a load's immediate


def emit_scan(
    e: Emitter,
    words_reg: str,
    words_offset: int,
    n_words: int,
    rows_base: int,
    row_bytes: int,
    on_spike: OnSpike,
    unroll_words: int,
    inline_bytes: int = 0,
    row_bias: int = 0,
) -> None:
    """Scan `n_words` spike words at `words_reg` + `words_offset` (dmem); per spike, ROW holds
    the address of the row plus `row_bias`."""
    e.add_const(SCAN_WORD, words_reg, words_offset, TMP)
    if row_bytes & (row_bytes - 1):
        e.li(ROW_BYTES, row_bytes)
    rows_base += row_bias
    if n_words > min(unroll_words, MAX_UNROLLED_WORDS):
        _scan_looped(e, n_words, rows_base, row_bytes, on_spike)
    elif n_words * bit_loop_bytes(row_bytes, on_spike) <= inline_bytes:
        _scan_inlined(e, n_words, rows_base, row_bytes, on_spike)
    else:
        _scan_unrolled(e, n_words, rows_base, row_bytes, on_spike)


def bit_loop_bytes(row_bytes: int, on_spike: OnSpike) -> int:
    """Code bytes of one copy of the bit loop (emitted into a scratch builder)."""
    probe = Emitter(Builder())
    _bit_loop(probe, row_bytes, on_spike)
    return probe.builder.here()


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
    cleared: list[bool] = []

    def clear_bit() -> None:  # w &= w - 1, once, in a load shadow of the row kernel
        if not cleared:
            e.addi(TMP, WORD, -1)
            e.and_(WORD, WORD, TMP)
            cleared.append(True)

    on_spike(e, clear_bit)
    clear_bit()
    e.bnez(WORD, top)
    return top


def _scan_inlined(e: Emitter, n_words: int, rows_base: int, row_bytes: int, on_spike) -> None:
    for w in range(n_words):
        skip = e.fresh("noword")
        e.lw(WORD, 4 * w, SCAN_WORD)
        e.beqz(WORD, skip)
        e.li(SCAN_ROWS, rows_base + w * LANES * row_bytes)
        _bit_loop(e, row_bytes, on_spike)
        e.label(skip)


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
