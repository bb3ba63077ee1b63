"""The spike record through DDR (`CompileOptions(spike_record="ddr")`): for records too large for
the scalar data memory, such as the 1,170 steps of FeNN's SHD classifier beside its input raster.

Where it sits: placement calls `place_vmem` and `place_ddr`; the neuron update (neurons.py) calls
`emit_constants` once per step and `emit_vector` after each vector's spike word; program.py calls
`emit_clear` from net_init, `emit_flush` at the end of every step and `emit_drain` after the last.

The scalar core cannot write vector memory, so the record is kept in vectors: lane l of record
vector k holds, in bit s, the spike of neuron 32k + l at step 16b + s of block b. Per vector and
step that costs 4 instructions (`vloadv R; vadd X, R, TBIT; vsel R, spike, X; vstorev R`, TBIT
= 1 << (t mod 16) in every lane). The vectors of all populations recorded this way form one
block, double-buffered in vector memory: after the 16th step of a block (or the last step) the
S2MM channel copies it to block b of the DDR record while the next block fills the other buffer
(cleared then; its own copy, started 16 steps earlier, is waited for first). The runtime
(riscv_soc.runtime.io) turns the blocks back into the record's spike words.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from riscv_soc.compiler.emitter import Emitter
from riscv_soc.compiler.errors import CompileError
from riscv_soc.compiler.regalloc import LANE_RECORD, SPIKE, STEP, STEPS, TMP, TMP2, ZERO
from riscv_soc.soc import VECTOR_BYTES

if TYPE_CHECKING:  # placement imports this module
    from riscv_soc.compiler.placement import Plan, PopulationPlan

BLOCK_STEPS = 16  # steps per record vector: one bit of each int16 lane per step
REGISTERS = ("RECV", "RECX", "TBIT")  # vector temporaries of the neuron update
S2MM_IDLE, S2MM_ERRORS = 2, 0x70  # status bits (docs/isa.md, "DMA engine")


def recorded(plan: Plan) -> list:
    """The population plans whose spikes go to the DDR record, in update order."""
    if plan.options.spike_record != "ddr":
        return []
    names = plan.options.record
    return [pp for pp in plan.pops if pp.pop.spiking and (names is None or pp.pop.name in names)]


def first_vector(plan: Plan, pp: PopulationPlan) -> int:
    """Index of `pp`'s vector 0 in a record block."""
    pops = recorded(plan)
    return sum(p.nvec for p in pops[: pops.index(pp)])


def block_bytes(plan: Plan) -> int:
    return VECTOR_BYTES * sum(pp.nvec for pp in recorded(plan))


def blocks(plan: Plan) -> int:
    return -(-plan.bundle.num_steps // BLOCK_STEPS)


def place_vmem(plan: Plan, vmem) -> None:
    for pp in recorded(plan):
        if pp.looped or pp.pop.dual:
            why = (
                f"{pp.nvec} vectors, unroll_vectors={plan.options.unroll_vectors}"
                if pp.looped
                else f"{pp.pop.kind} updates do not generate it"
            )
            raise CompileError(
                f"population {pp.pop.name!r}: spike_record='ddr' needs an update "
                f"in straight code of one current ({why})"
            )
    if recorded(plan):
        vmem.add(
            "record_buffers",
            2 * block_bytes(plan),
            VECTOR_BYTES,
            f"spike record blocks of {BLOCK_STEPS} steps, two buffers",
        )


def place_ddr(plan: Plan, ddr) -> None:
    if recorded(plan):
        ddr.add(
            "record",
            blocks(plan) * block_bytes(plan),
            VECTOR_BYTES,
            f"spike record: {blocks(plan)} blocks of {BLOCK_STEPS} steps (S2MM)",
        )


def manifest(plan: Plan) -> dict:
    """io.record.lanes of manifest.json: where the runtime finds the blocks."""
    region = plan.region("record")
    return {
        "memory": region.memory,
        "address": region.address,
        "block_steps": BLOCK_STEPS,
        "vectors": sum(pp.nvec for pp in recorded(plan)),
    }


def emit_constants(e: Emitter, plan: Plan, r: dict) -> None:
    """TBIT = 1 << (t mod 16) in every lane, LANE_RECORD = this block's buffer. vfill keeps
    bits 14:0 and moves bit 31 to bit 15, so bit s goes in as (1 << s) * 0x10001."""
    e.andi(TMP, STEP, BLOCK_STEPS - 1)
    e.li(TMP2, 0x10001)
    e.sll(TMP2, TMP2, TMP)
    e.vfill(r["TBIT"], TMP2)
    _buffer(e, plan, LANE_RECORD)


def emit_vector(e: Emitter, plan: Plan, pp: PopulationPlan, r: dict, k: int, load: bool) -> None:
    """Vector k of `pp`: `load` issues the record vector's load (in the spike test's shadow),
    else the update of the loaded vector with the spike word in SPIKE."""
    at = VECTOR_BYTES * (first_vector(plan, pp) + k)
    if load:
        e.vloadv(r["RECV"], at, LANE_RECORD)
        return
    e.vadd(r["RECX"], r["RECV"], r["TBIT"])
    e.vsel(r["RECV"], SPIKE, r["RECX"])
    e.vstorev(r["RECV"], at, LANE_RECORD)


def emit_clear(e: Emitter, plan: Plan) -> None:
    """net_init: both buffers zero."""
    if not recorded(plan):
        return
    e.li(TMP, plan.region("record_buffers").address)
    for at in range(0, 2 * block_bytes(plan), VECTOR_BYTES):
        e.vstorev(ZERO, at, TMP)


def emit_flush(e: Emitter, plan: Plan) -> None:
    """End of step t: after the block's 16th step or the last step, copy the block to DDR and
    clear the other buffer (its own copy waited for)."""
    if not recorded(plan):
        return
    flush, skip = e.fresh("record_flush"), e.fresh("record_kept")
    size = block_bytes(plan)
    e.addi(TMP, STEP, 1)
    e.beq(TMP, STEPS, flush)
    e.andi(TMP, TMP, BLOCK_STEPS - 1)
    e.bnez(TMP, skip)
    e.label(flush)
    _wait(e)
    e.srli(TMP, STEP, BLOCK_STEPS.bit_length() - 1)
    e.li(TMP2, size)
    e.mul(TMP, TMP, TMP2)
    e.add_const(TMP, TMP, plan.region("record").address, TMP2)
    e.csrw("dma_s2mm_dst", TMP)
    _buffer(e, plan, "a0")
    e.csrw("dma_s2mm_src", "a0")
    e.li(TMP2, size)
    e.csrw("dma_s2mm_count", TMP2)
    e.csrwi("dma_s2mm_control", 1)
    buffers = plan.region("record_buffers").address
    e.li(TMP2, 2 * buffers + size)  # the other buffer: base + (size - (a0 - base))
    e.sub("a0", TMP2, "a0")
    for at in range(0, size, VECTOR_BYTES):
        e.vstorev(ZERO, at, "a0")
    e.label(skip)


def emit_drain(e: Emitter, plan: Plan) -> None:
    """After the last step: the last copy done (the host reads DDR once the program ends)."""
    if recorded(plan):
        _wait(e)


def _buffer(e: Emitter, plan: Plan, reg: str) -> None:
    """reg = the buffer of step t's block: base + ((t >> 4) & 1) * block bytes."""
    e.srli(reg, STEP, BLOCK_STEPS.bit_length() - 1)
    e.andi(reg, reg, 1)
    e.li(TMP2, block_bytes(plan))
    e.mul(reg, reg, TMP2)
    e.add_const(reg, reg, plan.region("record_buffers").address, TMP2)


def _wait(e: Emitter) -> None:
    """Until S2MM is idle; a copy that failed stops the machine (ebreak: a DMA error)."""
    top, ok = e.fresh("s2mm_wait"), e.fresh("s2mm_ok")
    e.label(top)
    e.csrr(TMP, "dma_s2mm_status")
    e.andi(TMP2, TMP, S2MM_IDLE)
    e.beqz(TMP2, top)
    e.andi(TMP2, TMP, S2MM_ERRORS)
    e.beqz(TMP2, ok)
    e.ebreak()
    e.label(ok)
