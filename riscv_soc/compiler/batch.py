"""Batched firmware: one run of the SoC infers many samples whose inputs the host put in DDR.

Where it sits: `compile_bundle` with `CompileOptions(batch=True)` plans a `BatchLayout` here
(after placement, so every region of the per-sample firmware keeps its address) and emits
`emit_batch_start` instead of start.py's `_start`; the manifest carries the layout
(`manifest["batch"]`) and riscv_soc.runtime.batched fills and reads the DDR slots.
docs/formats.md, "Batch layout in DDR", describes the record; docs/compiler.md the loop.

Per sample k of the N the host wrote into the `batch` control words (dmem):

    DMA in:   DDR slot k's input record (seeds, raster) -> the staging vectors (vmem) in one
              transfer; the seeds copied to the seeds region, the raster word by word into the
              input region (dmem: the kernels scan it with scalar loads)
    reset:    x1-x31 and v1-v31 to 0, as after reset
    infer:    exactly the per-sample `_start`'s sequence: flag = 0, load the seeds, snapshot the
              counters, net_init, net_run, snapshot, flag = DONE
    DMA out:  the dmem output spans (mailbox, counters, profile; the spike record) packed into
              the staging vectors, the vmem span (state blocks, readout) copied there, then the
              output record to DDR slot k in one transfer

One transfer each way per sample: the DDR model of the RTL testbench costs Python work per
transfer and per beat (riscv_soc/rtl/driver.py).

The counters are read only between the two snapshots, by the same instructions as in a
per-sample run, and no transfer is in flight there: each sample's counters, spikes, readout and
state equal its per-sample run's bit for bit. The next sample's input DMA therefore waits for the
end of the current inference instead of overlapping it (it would count in `dma_bytes` and could
stall vector memory inside the measured window).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from riscv_soc.compiler.emitter import Emitter
from riscv_soc.compiler.errors import CompileError
from riscv_soc.compiler.placement import Plan, Region
from riscv_soc.compiler.start import emit_inference
from riscv_soc.errors import ConfigError
from riscv_soc.soc import VECTOR_BYTES, VREGS

SEEDS_BYTES = 2 * VECTOR_BYTES  # S0, then S1
WORDS_PER_VECTOR = VECTOR_BYTES // 4  # two 16-bit lanes per word
CONTROL_WORDS = ("samples", "index")  # dmem words: N (the host writes it), k (the firmware's)
XREGS = 32


def _vectors(size: int) -> int:
    return -(-size // VECTOR_BYTES) * VECTOR_BYTES


@dataclass(frozen=True)
class Span:
    """Bytes [start, end) of `memory` that hold a sample's outputs, at `offset` in its slot's
    output record."""

    memory: str
    start: int
    end: int
    offset: int

    @property
    def size(self) -> int:
        return self.end - self.start


@dataclass(frozen=True)
class BatchLayout:
    """Where a batch lives: sample k's slot is DDR [base + k * slot_bytes, + slot_bytes), holding
    its input record (seeds, then input raster) and, at `input_bytes`, its output record (the
    spans, each from a 64-byte boundary). Addresses are offsets in their memory."""

    base: int  # first DDR byte of slot 0 (above the rows in DDR)
    ddr_bytes: int  # the SoC's DDR size: slots end below it
    raster_bytes: int  # the input bitfields of one sample (steps x words x 4)
    input_bytes: int  # seeds + raster, rounded up to whole vectors
    output_bytes: int  # the output record, whole vectors
    spans: tuple[Span, ...]
    control: int  # dmem address of the control words (CONTROL_WORDS)
    staging: int  # vmem address of the staging vectors
    staging_bytes: int
    seeds: int  # vmem address of the seeds region
    input: int  # dmem address of the input region

    @property
    def slot_bytes(self) -> int:
        return self.input_bytes + self.output_bytes

    @property
    def capacity(self) -> int:
        """The most samples one batch holds in this SoC's DDR."""
        return (self.ddr_bytes - self.base) // self.slot_bytes

    def slot(self, k: int) -> int:
        return self.base + k * self.slot_bytes

    def check(self, samples: int) -> None:
        """ConfigError unless `samples` slots fit in DDR."""
        if not 0 <= samples <= self.capacity:
            raise ConfigError(
                f"batch of {samples} samples: each needs a {self.slot_bytes}-byte DDR slot from "
                f"{self.base:#x}, and the DDR (SocConfig.ddr_bytes = {self.ddr_bytes}) holds at "
                f"most {self.capacity} samples per batch"
            )

    def to_json(self) -> dict:
        out = asdict(self)
        out["spans"] = [asdict(s) for s in self.spans]
        return out

    @classmethod
    def from_json(cls, data: dict) -> BatchLayout:
        spans = tuple(Span(**s) for s in data["spans"])
        return cls(**{**data, "spans": spans})


def output_spans(plan: Plan) -> list[tuple[str, int, int]]:
    """(memory, start, end) of a sample's outputs, in the order runtime.io.SampleIO lists them:
    the low dmem words (mailbox, counters, profile), the spike record rows 1..T, the state
    blocks (readout included)."""
    low = ("mailbox", "counters", "profile")
    spans = [("dmem", 0, max(r.end for n, r in plan.regions.items() if n in low))]
    if plan.record_words:
        start = plan.region("record").address + 4 * plan.record_words
        spans.append(("dmem", start, start + 4 * plan.bundle.num_steps * plan.record_words))
    blocks = [plan.region(f"state.{pp.pop.name}") for pp in plan.pops]
    spans.append(("vmem", min(b.address for b in blocks), max(b.end for b in blocks)))
    return spans


def plan_batch(plan: Plan) -> BatchLayout:
    """Add the control words (dmem), staging vectors (vmem) and batch slots (DDR) to `plan`'s
    regions, above everything placed; CompileError when one does not fit."""
    if plan.target.name != "sim":
        raise ConfigError(
            f"batch: target {plan.target.name!r} has no host DDR protocol; "
            "batches run on target 'sim'"
        )
    spans = _record_spans(plan)
    offset = spans[-1].offset + _vectors(spans[-1].size)  # the output record's size
    raster = plan.region("input").size
    control = _append(
        plan,
        "batch",
        "dmem",
        4 * len(CONTROL_WORDS),
        4,
        "batch: samples in DDR, index of the current one",
    )
    staging = _append(
        plan,
        "batch_staging",
        "vmem",
        max(SEEDS_BYTES + _vectors(raster), offset),
        VECTOR_BYTES,
        "batch: a sample's input and output records (DMA)",
    )
    layout = BatchLayout(
        base=_top(plan, "ddr", VECTOR_BYTES),
        ddr_bytes=plan.config.ddr_bytes,
        raster_bytes=raster,
        input_bytes=SEEDS_BYTES + _vectors(raster),
        output_bytes=offset,
        spans=tuple(spans),
        control=control.address,
        staging=staging.address,
        staging_bytes=staging.size,
        seeds=plan.region("seeds").address,
        input=plan.region("input").address,
    )
    if layout.capacity < 1:
        raise CompileError(
            f"batch: one {layout.slot_bytes}-byte sample slot does not fit in DDR above "
            f"{layout.base:#x} ({plan.config.ddr_bytes} bytes)"
        )
    _append(
        plan,
        "batch_slots",
        "ddr",
        layout.ddr_bytes - layout.base,
        VECTOR_BYTES,
        "batch: a slot per sample, its inputs then its outputs",
    )
    return layout


def _record_spans(plan: Plan) -> list[Span]:
    """The output spans at their offsets in the output record, each from a vector boundary; the
    dmem ones are copied in whole vectors, so they must end a vector short of dmem's end."""
    spans, offset = [], 0
    for memory, start, end in output_spans(plan):
        if memory == "dmem" and start + _vectors(end - start) > plan.config.dmem_bytes:
            raise CompileError(
                f"batch: the output span at dmem {start:#x} ends too near the end of dmem "
                f"({plan.config.dmem_bytes} bytes) to copy whole vectors"
            )
        spans.append(Span(memory, start, end, offset))
        offset += _vectors(end - start)
    return spans


def _top(plan: Plan, memory: str, align: int) -> int:
    end = max((r.end for r in plan.regions.values() if r.memory == memory), default=0)
    return -(-end // align) * align


def _append(plan: Plan, name: str, memory: str, size: int, align: int, what: str) -> Region:
    address = _top(plan, memory, align)
    limit = getattr(plan.config, f"{memory}_bytes")
    if address + size > limit:
        raise CompileError(
            f"batch: {name} needs {memory} bytes {address:#x}..{address + size:#x}"
            f", but {memory} holds {limit:#x}"
        )
    plan.regions[name] = Region(name, memory, address, size, what)
    return plan.regions[name]


# -- the code ---------------------------------------------------------------------------------
# Between samples nothing is live in registers: the loop keeps its index in dmem, so the
# inference may clobber every register and the reset before it zeroes them all.

SLOT = "s0"  # DDR address of the current sample's slot, during the DMA phases
CONTROL = "s1"  # dmem address of the control words (beyond a 12-bit immediate)


def emit_batch_start(e: Emitter, plan: Plan, layout: BatchLayout) -> None:
    """`_start` of a batch firmware: the sample loop (module docstring), then flag and ecall."""
    e.label("_start")
    e.li(CONTROL, layout.control)
    e.sw("zero", 4, CONTROL, comment="k = 0")
    top, end = e.fresh("batch_sample"), e.fresh("batch_end")
    e.label(top)
    e.li(CONTROL, layout.control)
    e.lw("t0", 4, CONTROL)
    e.lw("t1", 0, CONTROL)
    e.far_branch("bgeu", "t0", "t1", end)
    _slot_address(e, layout)
    _dma(e, "mm2s", SLOT, layout.staging, layout.input_bytes)
    _copy_vectors(e, layout.staging, layout.seeds, SEEDS_BYTES // VECTOR_BYTES)
    _copy_in(e, layout)
    _reset_registers(e)
    emit_inference(e, plan)
    _slot_address(e, layout)
    _copy_out(e, layout)
    e.lw("t0", 4, CONTROL)
    e.addi("t0", "t0", 1)
    e.sw("t0", 4, CONTROL)
    e.j(top)
    e.label(end)
    e.li("t6", "DONE")
    e.sw("t6", "MAILBOX", "zero", comment="every sample's outputs are in DDR")
    e.ecall()


def _slot_address(e: Emitter, layout: BatchLayout) -> None:
    """SLOT = base + k * slot_bytes (CONTROL set)."""
    e.li(CONTROL, layout.control)
    e.lw("t0", 4, CONTROL)
    e.li("t1", layout.slot_bytes)
    e.mul("t0", "t0", "t1")
    e.li(SLOT, layout.base)
    e.add(SLOT, SLOT, "t0")


def _dma(e: Emitter, channel: str, source: str, destination: int | str, count: int) -> None:
    """One transfer of `count` bytes, waited for: mm2s from DDR `source` (a register) to vmem
    `destination`, s2mm from vmem `destination` to DDR `source`."""
    if isinstance(destination, int):
        e.li("a1", destination)
        destination = "a1"
    src, dst = (source, destination) if channel == "mm2s" else (destination, source)
    e.li("a2", count)
    e.csrw(f"dma_{channel}_count", "a2")
    e.csrw(f"dma_{channel}_src", src)
    e.csrw(f"dma_{channel}_dst", dst)
    e.csrwi(f"dma_{channel}_control", 1)
    wait = e.fresh(f"dma_{channel}_wait")
    e.label(wait)
    e.csrr("t6", f"dma_{channel}_status")
    e.andi("t6", "t6", 2)  # idle
    e.beqz("t6", wait)
    e.csrr("t6", f"dma_{channel}_status")
    e.andi("t6", "t6", 128)  # OK
    ok = e.fresh("dma_ok")
    e.bnez("t6", ok)
    e.ebreak()  # the host reports a DMA error
    e.label(ok)


def _copy_in(e: Emitter, layout: BatchLayout) -> None:
    """The raster from the staging vectors into dmem: two lanes (vextract) per word, exactly
    raster_bytes / 4 words (the spike record follows the input region)."""
    words = layout.raster_bytes // 4
    whole, rest = divmod(words, WORDS_PER_VECTOR)
    e.li("a1", layout.staging + SEEDS_BYTES)
    e.li("a2", layout.input)
    if whole:
        e.li("a3", whole)
        loop = e.fresh("copy_in")
        e.label(loop)
        _unpack_vector(e, WORDS_PER_VECTOR)
        e.addi("a1", "a1", VECTOR_BYTES)
        e.addi("a2", "a2", VECTOR_BYTES)
        e.addi("a3", "a3", -1)
        e.bnez("a3", loop)
    if rest:
        _unpack_vector(e, rest)


def _unpack_vector(e: Emitter, words: int) -> None:
    e.vloadv("v1", 0, "a1")
    for w in range(words):
        e.vextract("t2", "v1", 2 * w)  # the low half, sign-extended
        e.vextract("t3", "v1", 2 * w + 1)
        e.slli("t2", "t2", 16)
        e.srli("t2", "t2", 16)
        e.slli("t3", "t3", 16)
        e.or_("t2", "t2", "t3")
        e.sw("t2", 4 * w, "a2")


def _reset_registers(e: Emitter) -> None:
    for x in range(1, XREGS):
        e.li(f"x{x}", 0)
    for v in range(VREGS):
        e.vlui(f"v{v}", 0)


def _copy_out(e: Emitter, layout: BatchLayout) -> None:
    """The output record assembled in the staging vectors (dmem spans packed, vmem spans
    copied), then one S2MM to the slot."""
    for s in layout.spans:
        vectors = _vectors(s.size) // VECTOR_BYTES
        if s.memory == "dmem":
            e.li("a1", s.start)
            e.li("a2", layout.staging + s.offset)
            e.li("a3", vectors)
            _pack_vectors(e)
        else:
            _copy_vectors(e, s.start, layout.staging + s.offset, vectors)
    e.add_const("a0", SLOT, layout.input_bytes, "t1")
    _dma(e, "s2mm", "a0", layout.staging, layout.output_bytes)


def _copy_vectors(e: Emitter, source: int, destination: int, vectors: int) -> None:
    """vmem to vmem, one vector per iteration (the pointer steps fill the load's shadow)."""
    e.li("a1", source)
    e.li("a2", destination)
    e.li("a3", vectors)
    loop = e.fresh("copy_vectors")
    e.label(loop)
    e.vloadv("v1", 0, "a1")
    e.addi("a1", "a1", VECTOR_BYTES)
    e.addi("a3", "a3", -1)
    e.vstorev("v1", 0, "a2")
    e.addi("a2", "a2", VECTOR_BYTES)
    e.bnez("a3", loop)


def _pack_vectors(e: Emitter) -> None:
    """a3 vectors from dmem a1 to vmem a2: per word its two halves into two lanes (vfill keeps
    bit 31 as the lane's sign and bits 14:0, so sext.h and srai give the halves), v1 built by
    vsel with a one-lane mask."""
    vectors = e.fresh("pack_vector")
    e.label(vectors)
    e.li("t0", 1)  # lane mask
    for w in range(WORDS_PER_VECTOR):
        e.lw("t2", 4 * w, "a1")
        e.sext_h("t3", "t2")
        e.vfill("v2", "t3")
        e.vsel("v1", "t0", "v2")
        e.slli("t0", "t0", 1)
        e.srai("t3", "t2", 16)
        e.vfill("v2", "t3")
        e.vsel("v1", "t0", "v2")
        e.slli("t0", "t0", 1)
    e.addi("a1", "a1", VECTOR_BYTES)
    e.vstorev("v1", 0, "a2")
    e.addi("a2", "a2", VECTOR_BYTES)
    e.addi("a3", "a3", -1)
    e.bnez("a3", vectors)
