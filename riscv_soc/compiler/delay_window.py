"""Delay rings as sliding windows: one instruction less per 32 synapses of a delayed row.

Where it sits: placement gives a population with delayed inputs a window (`window_fits`) when
twice its ring fits the lane-local memory; program.py then emits the row kernels with
`window=True` (rows.py) and `emit_shift` at the start of its synaptic phase; the neuron update
reads the window like a ring, at its stride.

The modulo ring (docs/semantics.md section 7) keeps D slots per neuron and finds the slot of a
word (w << d) | 2 delay as ((2 delay + 2t) mod 2D) + ring: `vadd` of 2t, then `vandadd`. A window
keeps 2D slots; in the block of D steps that holds step t, slot j is step D (t div D) + j, so the
slot of a delay is (t mod D) + delay, below 2D - 1: `vandadd(word, ring + 2 (t mod D), d)` alone.
Step t reads and clears slot t mod D, as the ring does. When a block ends, every slot below D has
been read and cleared, and `emit_shift` moves slots D..2D-1 down to 0..D-1 (and clears them),
once per D steps (about 3.5 instructions per neuron vector and step at D = 64). Every sum
collects the same contributions in the same order as in the modulo ring, so saturating additions
give the same results.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from riscv_soc.compiler.emitter import Emitter
from riscv_soc.compiler.regalloc import CHUNK, STEP, TMP, ZERO, VectorPool

if TYPE_CHECKING:  # placement imports this module
    from riscv_soc.compiler.placement import Plan, PopulationPlan

WINDOW = 2  # slots per neuron: WINDOW x D


def ring_bytes(pp: PopulationPlan, window: bool) -> int:
    """Lane-local bytes of a population's ring (per lane)."""
    return 2 * pp.nvec * pp.pop.delay_slots * (WINDOW if window else 1)


def emit_shift(e: Emitter, plan: Plan, pp: PopulationPlan, pool: VectorPool) -> None:
    """At the first step of every block after the first: slots D..2D-1 of every neuron down to
    0..D-1, and cleared."""
    slots, stride = pp.pop.delay_slots, pp.ring_stride
    skip, top = e.fresh("window_kept"), e.fresh("window_shift")
    regs = pool.take(("A", "C0", "C1"), "the delay window's shift")
    base, c = regs["A"], (regs["C0"], regs["C1"])
    e.andi(TMP, STEP, slots - 1)
    e.bnez(TMP, skip)
    e.beqz(STEP, skip)
    e.li(TMP, plan.region(f"ring.{pp.pop.name}").address)
    e.li(CHUNK, slots)
    e.label(top)
    e.vfill(base, TMP)
    for k in range(pp.nvec + 1):  # vector k's load, then vector k - 1's stores
        if k < pp.nvec:
            e.vloadl(c[k % 2], k * stride + 2 * slots, base)
        if k == pp.nvec - 1:  # the counters in the last load's shadow
            e.addi(TMP, TMP, 2)
            e.addi(CHUNK, CHUNK, -1)
        if k:
            e.vstorel(c[(k - 1) % 2], (k - 1) * stride, base)
            e.vstorel(ZERO, (k - 1) * stride + 2 * slots, base)
    e.bnez(CHUNK, top)
    e.label(skip)
    pool.release(regs)
