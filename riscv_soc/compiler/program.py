"""The generated program: `net_init` (per-sample state) and `net_run` (the time loop).

Where it sits: `riscv_soc.compiler.compile_bundle` assembles the runtime (firmware/runtime/*.s:
start-up, host flag, counters, DMA and memory helpers) and then calls `emit_program`, which
generates the two routines the runtime's `_start` calls:

    net_init: every state-block field that starts a sample at a known value (V, I, A, the
              accumulators, the readout), the lane-local memory in use, the profile counters
    net_run:  for t in 0..T-1: for each population in update order: its synaptic phase (every
              projection into it, in bundle order: spike scan + row kernel, or for rows in DDR a
              spike list, then double-buffered DMA of row i+1 behind the compute of row i),
              then its neuron update (neurons.py)

docs/compiler.md, "Kernel structure", shows the generated code.
"""

from __future__ import annotations

from riscv_soc.compiler import delay_window, lane_record, regalloc
from riscv_soc.compiler.emitter import Emitter, Pointer
from riscv_soc.compiler.neurons import emit_update, initial_fields
from riscv_soc.compiler.placement import (
    ACC_FIELDS,
    PROFILE_PHASES,
    Plan,
    PopulationPlan,
    Region,
    source_index,
)
from riscv_soc.compiler.rows import ROW_BIAS, RowKernel
from riscv_soc.compiler.scan import emit_scan
from riscv_soc.quant.bundle import Projection
from riscv_soc.soc import LANES, VECTOR_BYTES

LLM_ZERO_UNROLL_BYTES = 16  # the runtime's llm_zero clears 8 halves per lane per iteration
CLEAR_UNROLL_WORDS = 16  # dmem regions of at most this many words are cleared in straight code


def emit_program(e: Emitter, plan: Plan) -> None:
    _emit_init(e, plan)
    _emit_run(e, plan)


def _emit_init(e: Emitter, plan: Plan) -> None:
    e.label("net_init")
    e.mv(regalloc.LINK, "ra")
    minimum = "v1"
    e.vlui(minimum, -32768)
    for pop_plan in plan.pops:
        values = initial_fields(pop_plan, plan.bundle.readout)
        e.li(regalloc.STATE, plan.region(f"state.{pop_plan.pop.name}").address)
        if pop_plan.looped:
            top = e.fresh("init")
            e.li(regalloc.CHUNK, pop_plan.nvec)
            e.label(top)
            _init_slot(e, pop_plan, values, minimum)
            e.addi(regalloc.STATE, regalloc.STATE, pop_plan.slot_bytes)
            e.addi(regalloc.CHUNK, regalloc.CHUNK, -1)
            e.bnez(regalloc.CHUNK, top)
        else:
            state = Pointer(e, regalloc.STATE, tmp=regalloc.TMP2)
            for k in range(pop_plan.nvec):
                _init_slot(e, pop_plan, values, minimum, state, k)
    llm_top = max((r.end for r in plan.regions.values() if r.memory == "llm"), default=0)
    if llm_top:
        e.li("a0", 0)
        e.li(
            "a1",
            min(
                -(-llm_top // LLM_ZERO_UNROLL_BYTES) * LLM_ZERO_UNROLL_BYTES,
                plan.config.llm_lane_bytes,
            ),
        )
        e.jal("ra", "llm_zero")
    if plan.options.profile:
        _clear_words(e, plan.region("profile"))
    if plan.latest_words:  # no spikes before step 0
        _clear_words(e, plan.region("latest_spikes"))
    lane_record.emit_clear(e, plan)
    e.jalr("zero", 0, regalloc.LINK)


def _init_slot(
    e: Emitter,
    pop_plan: PopulationPlan,
    values: dict,
    minimum: str,
    state: Pointer | None = None,
    k: int = 0,
) -> None:
    """Slot k's initial fields (through `state`, else at STATE); V copied from V0 (the image's
    initial V) when there is one, its load issued before the other stores so nothing waits."""

    def at(name: str) -> int:
        offset = pop_plan.field_offset(name, k)
        return state.imm(offset) if state is not None else offset

    copy = "V0" in pop_plan.fields
    if copy:
        e.vloadv("v2", at("V0"), regalloc.STATE)
    for name, value in values.items():
        if not (copy and name == "V"):
            e.vstorev(minimum if value else regalloc.ZERO, at(name), regalloc.STATE)
    if copy:
        e.vstorev("v2", at("V"), regalloc.STATE)


def _clear_words(e: Emitter, region: Region) -> None:
    """Zero a dmem region: straight stores when few, else a loop."""
    if region.size <= 4 * CLEAR_UNROLL_WORDS:
        e.li(regalloc.TMP, region.address)
        for at in range(0, region.size, 4):
            e.sw("zero", at, regalloc.TMP)
        return
    top = e.fresh("clear")
    e.li(regalloc.TMP, region.address)
    e.li(regalloc.TMP2, region.end)
    e.label(top)
    e.sw("zero", 0, regalloc.TMP)
    e.addi(regalloc.TMP, regalloc.TMP, 4)
    e.bne(regalloc.TMP, regalloc.TMP2, top)


def _emit_run(e: Emitter, plan: Plan) -> None:
    e.label("net_run")
    e.mv(regalloc.LINK, "ra")
    e.li(regalloc.STEP, 0)
    e.li(regalloc.STEPS, plan.bundle.num_steps)
    e.li(regalloc.INPUT_ROW, plan.region("input").address)
    if plan.record_words:
        e.li(regalloc.RECORD_ROW, plan.region("record").address + 4 * plan.record_words)
    step = e.fresh("step")
    e.label(step)
    for pop_plan in plan.pops:
        pool = regalloc.VectorPool(pop_plan.pop.name)
        accs = []
        if pop_plan.home == "registers":
            accs = list(
                pool.take([f"acc{k}" for k in range(pop_plan.nvec)], "the accumulators").values()
            )
        _profile_start(e, plan)
        _emit_synaptic(e, plan, pop_plan, pool, accs)
        _profile_end(e, plan, pop_plan, 0)
        emit_update(e, plan, pop_plan, pool, accs)
        _profile_end(e, plan, pop_plan, 1)
    lane_record.emit_flush(e, plan)
    e.addi(regalloc.STEP, regalloc.STEP, 1)
    e.add_const(regalloc.INPUT_ROW, regalloc.INPUT_ROW, 4 * plan.input_words, regalloc.TMP)
    if plan.record_words:
        e.add_const(regalloc.RECORD_ROW, regalloc.RECORD_ROW, 4 * plan.record_words, regalloc.TMP)
    e.far_branch("bne", regalloc.STEP, regalloc.STEPS, step)
    lane_record.emit_drain(e, plan)
    e.jalr("zero", 0, regalloc.LINK)


def _profile_start(e: Emitter, plan: Plan) -> None:
    if plan.options.profile:
        e.csrr(regalloc.PROFILE_T, "mcycle")


def _profile_end(e: Emitter, plan: Plan, pop_plan: PopulationPlan, phase: int) -> None:
    """Add the cycles since PROFILE_T (not counting the reads) to the phase's counter."""
    if not plan.options.profile:
        return
    at = plan.region("profile").address + 4 * (len(PROFILE_PHASES) * pop_plan.index + phase)
    e.csrr(regalloc.TMP, "mcycle")
    e.sub(regalloc.TMP, regalloc.TMP, regalloc.PROFILE_T)
    e.addi(regalloc.TMP, regalloc.TMP, -1)
    e.lw(regalloc.TMP2, at, "zero")
    e.add(regalloc.TMP2, regalloc.TMP2, regalloc.TMP)
    e.sw(regalloc.TMP2, at, "zero")
    if phase == 0:
        e.csrr(regalloc.PROFILE_T, "mcycle")


def _emit_synaptic(e: Emitter, plan: Plan, pop_plan: PopulationPlan, pool, accs: list[str]) -> None:
    for acc in accs:
        e.vlui(acc, 0)
    if pop_plan.ring_window:
        delay_window.emit_shift(e, plan, pop_plan, pool)
    incoming = [
        (q, p) for q, p in enumerate(plan.bundle.projections) if p.target == pop_plan.pop.name
    ]
    if pop_plan.home == "tiles":
        _emit_tiles(e, plan, pop_plan, pool, [(q, p) for q, p in incoming if p.layout == "dense"])
        incoming = [(q, p) for q, p in incoming if p.layout != "dense"]  # delayed: into the ring
    for q, proj in incoming:
        proj_plan = plan.projs[q]
        regs = pool.take(
            regalloc.row_registers(proj.layout, pop_plan.home, proj_plan.split),
            f"the row kernel of {proj.name}",
        )
        kernel = _row_kernel(e, plan, pop_plan, proj, regs, accs)
        words_reg, words_offset, n_words = _source_words(plan, pop_plan, proj)
        if proj_plan.memory == "vmem":
            emit_scan(
                e,
                words_reg,
                words_offset,
                n_words,
                plan.region(f"rows.{proj.name}").address,
                proj_plan.stored_row_bytes,
                kernel.on_spike,
                plan.options.unroll_words,
                plan.options.inline_scan_bytes,
                ROW_BIAS,
            )
        else:
            _ddr_rows(e, plan, proj, kernel, words_reg, words_offset, n_words)
        pool.release(regs)


def _emit_tiles(e: Emitter, plan: Plan, pop_plan: PopulationPlan, pool, dense) -> None:
    """Accumulators in register tiles: per tile, every dense projection's spikes are scanned
    with rows cut to the tile's vectors, then the tile goes to the state block's isyn field."""
    block = plan.region(f"state.{pop_plan.pop.name}").address
    for tile in regalloc.tiles(pop_plan.nvec):
        taken = pool.take([f"acc{k}" for k in tile], "a tile of accumulators")
        accs = list(taken.values())
        for acc in accs:
            e.vlui(acc, 0)
        for _, proj in dense:
            regs = pool.take(
                regalloc.row_registers("dense", "registers"), f"the rows of {proj.name}"
            )
            kernel = RowKernel(
                "dense",
                len(tile),
                0,
                pop_plan.pop.saturate,
                "registers",
                regs,
                plan.options.unroll_row_vectors,
                accs=accs,
            )
            words_reg, words_offset, n_words = _source_words(plan, pop_plan, proj)
            rows = plan.region(f"rows.{proj.name}").address + tile.start * VECTOR_BYTES
            emit_scan(
                e,
                words_reg,
                words_offset,
                n_words,
                rows,
                proj.row_words * 2,
                kernel.on_spike,
                plan.options.unroll_words,
                plan.options.inline_scan_bytes,
                ROW_BIAS,
            )
            pool.release(regs)
        e.li(regalloc.ACC_PTR, block + pop_plan.field_offset("isyn", tile.start))
        isyn = Pointer(e, regalloc.ACC_PTR, tmp=regalloc.TMP2)
        for j, acc in enumerate(accs):
            e.vstorev(acc, isyn.imm(j * pop_plan.slot_bytes), regalloc.ACC_PTR)
        pool.release(taken)


def _row_kernel(e: Emitter, plan: Plan, pop_plan: PopulationPlan, proj: Projection, regs, accs):
    """The kernel of `proj`'s rows, with its per-projection set-up emitted now."""
    pop = pop_plan.pop
    split = plan.projs[plan.bundle.projections.index(proj)].split
    kernel = RowKernel(
        proj.layout,
        proj.row_words // LANES,
        proj.bits,
        pop.saturate,
        pop_plan.home,
        regs,
        plan.options.unroll_row_vectors,
        accs=accs,
        split=split,
    )
    acc = ACC_FIELDS[proj.port]
    if proj.layout == "sparse":
        if not split:  # split rows hold the addresses themselves
            e.li(regalloc.BASE, plan.region(f"{acc}.{pop.name}").address)
    elif proj.layout == "delayed":
        kernel.ring_stride, kernel.window = pop_plan.ring_stride, pop_plan.ring_window
        e.li(regalloc.BASE2, plan.region(f"ring.{pop.name}").address)
        e.andi(regalloc.TMP, regalloc.STEP, pop.delay_slots - 1)  # the time term 2t, modulo 2D
        e.slli(regalloc.TMP, regalloc.TMP, 1)
        if pop_plan.ring_window:  # the window's slot of delay 0 (delay_window.py)
            e.add(regalloc.BASE2, regalloc.BASE2, regalloc.TMP)
        else:
            e.vfill(regs["TV"], regalloc.TMP)
    elif pop_plan.home == "vmem":
        kernel.slot_bytes = pop_plan.slot_bytes
        block = plan.region(f"state.{pop.name}").address
        e.li(regalloc.ACC_PTR, block + pop_plan.field_offset(acc))
    elif pop_plan.home == "llm":
        kernel.llm_base = plan.region(f"{acc}.{pop.name}").address
        e.vlui(regs["AV"], kernel.llm_base)
    return kernel


def _source_words(plan: Plan, pop_plan: PopulationPlan, proj: Projection) -> tuple[str, int, int]:
    """(register, byte offset, words) of the spike words a projection reads in step t: the
    input's, a population's of this step (earlier in the order), or of the last step; those of
    a population not recorded are its latest update's, the one either reader wants."""
    src = source_index(plan.bundle, proj.source)
    if src < 0:
        return regalloc.INPUT_ROW, 0, plan.input_words
    spp = plan.pops[src]
    if not spp.recorded:
        return "zero", plan.region("latest_spikes").address + 4 * spp.record_word, spp.nvec
    offset = 4 * spp.record_word - (4 * plan.record_words if src >= pop_plan.index else 0)
    return regalloc.RECORD_ROW, offset, spp.nvec


def _ddr_rows(
    e: Emitter,
    plan: Plan,
    proj: Projection,
    kernel: RowKernel,
    words_reg: str,
    words_offset: int,
    n_words: int,
) -> None:
    """Rows in DDR: list the spiking rows' addresses, then for each the DMA of the next row runs
    while the current one (already in vector memory) is processed."""
    row_bytes = proj.row_words * 2
    spikes = plan.region("spike_list").address

    def append(e: Emitter, filler) -> None:
        e.sw(regalloc.ROW, 0, regalloc.LIST_PTR)
        e.addi(regalloc.LIST_PTR, regalloc.LIST_PTR, 4)
        filler()

    e.li(regalloc.LIST_PTR, spikes)
    emit_scan(
        e,
        words_reg,
        words_offset,
        n_words,
        plan.region(f"rows.{proj.name}").address,
        row_bytes,
        append,
        plan.options.unroll_words,
        plan.options.inline_scan_bytes,
    )
    done, top, compute = e.fresh("ddr_done"), e.fresh("ddr_row"), e.fresh("ddr_compute")
    e.mv(regalloc.LIST_END, regalloc.LIST_PTR)
    e.li(regalloc.LIST_PTR, spikes)
    e.far_branch("beq", regalloc.LIST_PTR, regalloc.LIST_END, done)
    e.li(regalloc.DMA_CUR, plan.region("dma_a").address)
    e.li(regalloc.DMA_NEXT, plan.region("dma_b").address)
    e.li("a0", row_bytes)
    e.csrw("dma_mm2s_count", "a0")
    e.lw("a0", 0, regalloc.LIST_PTR)
    e.mv("a1", regalloc.DMA_CUR)
    e.jal("ra", "dma_mm2s_start")
    e.label(top)
    e.jal("ra", "dma_mm2s_wait")
    e.addi(regalloc.LIST_PTR, regalloc.LIST_PTR, 4)
    e.beq(regalloc.LIST_PTR, regalloc.LIST_END, compute)
    e.lw("a0", 0, regalloc.LIST_PTR)
    e.mv("a1", regalloc.DMA_NEXT)
    e.jal("ra", "dma_mm2s_start")
    e.label(compute)
    e.mv(regalloc.ROW, regalloc.DMA_CUR)

    def swap_buffers() -> None:  # scalar work for the row's first load shadow
        e.mv(regalloc.DMA_CUR, regalloc.DMA_NEXT)
        e.mv(regalloc.DMA_NEXT, regalloc.ROW)

    kernel.emit(e, regalloc.ROW, swap_buffers)
    e.far_branch("bne", regalloc.LIST_PTR, regalloc.LIST_END, top)
    e.label(done)
