"""Memory placement: every array of a bundle gets a memory and an address, with a report.

Where it sits: the first step of `riscv_soc.compiler.compile_bundle`. A bundle (riscv_soc.quant)
and the compile options go in; a `Plan` comes out: one `Region` per array (what the kernels address
and the runtime reads or patches), how each population keeps its synaptic accumulators, and where
each projection's rows live. docs/compiler.md, "Memory placement", describes the layout.

- dmem (scalar data): the host mailbox at address 0, the counter snapshots, the input bitfields of
  one sample, the spike record of the recorded populations (`CompileOptions.record`, all spiking
  ones by default; T + 1 rows: row 0 stays zero and is what recurrent projections read at t = 0),
  the latest spike words of the others (one row: each population's words hold its last update's
  spikes, which is what every reader wants, docs/semantics.md section 6), the spike lists of
  projections whose rows are in DDR.
- vmem (vector memory): the RNG seeds, one state block per population (vector k's fields V, I, A,
  the accumulator, the bias and the readout side by side, so one pointer walks them), the rows of
  every projection that fits on chip (sparse rows split into weight and address vectors while
  they fit: rows.py), the two DMA row buffers, the two blocks of a spike record through DDR
  (`spike_record="ddr"`: lane_record.py).
- llm (lane-local, per lane): the accumulators of populations with sparse inputs, delay rings
  (sliding windows of 2D slots when they all fit so: delay_window.py).
- ddr: rows that do not fit in vector memory (or all rows with weights="ddr"), a spike record
  through DDR.

A network that does not fit raises CompileError naming the memory, the bytes needed and the bytes
available.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from riscv_soc.compiler import delay_window, lane_record, regalloc
from riscv_soc.compiler.errors import CompileError
from riscv_soc.compiler.targets import TARGETS, Target
from riscv_soc.errors import ConfigError
from riscv_soc.quant.bundle import Bundle, Population
from riscv_soc.quant.network import INPUT
from riscv_soc.quant.pack import padded
from riscv_soc.soc import LANES, VECTOR_BYTES, SocConfig

SNAPSHOTS = ("start", "end")
MAILBOX_BYTES = 4  # the done flag
DONE = 1  # the flag's value once the outputs are complete
PROFILE_PHASES = ("synaptic", "update")
WEIGHTS = ("auto", "vmem", "ddr")
# Dense populations too large for one set of register accumulators accumulate in register tiles,
# one scan of the spikes per tile; beyond this many vectors the scans cost more than they save.
MAX_TILED_VECTORS = 128
ACCUMULATORS = ("auto", "registers", "memory")
SPARSE_ROWS = ("split", "packed")
SPIKE_RECORDS = ("dmem", "ddr")
MAX_INLINE_SCAN_BYTES = 1 << 16  # instruction memory is 64 KiB by default
# The accumulator (state-block field or lane-local region prefix) of each synaptic port.
ACC_FIELDS = ("isyn", "isyn2")


@dataclass(frozen=True)
class CompileOptions:
    """How to compile. Defaults suit any network; the others force a path (tests use them)."""

    weights: str = "auto"  # rows in vector memory, in DDR (DMA, double-buffered), or as fits
    accumulators: str = "auto"  # synaptic accumulators in vector registers when they fit
    unroll_vectors: int = 32  # populations of at most this many vectors update in straight code
    unroll_row_vectors: int = 64  # longer rows loop over chunks of this many vectors
    unroll_words: int = 64  # spike sources of at most this many words per step: scan unrolled
    profile: bool = False  # cycles of every population's synaptic and update phases
    # sparse rows in vector memory as weight and address vectors (5 cycles a vector, twice the
    # bytes) while they fit, or packed as the bundle stores them (6 cycles); DDR rows are packed
    sparse_rows: str = "split"
    # an unrolled scan copies its bit loop into every word while the copies take at most this
    # many bytes (else one shared loop, a call and a return more per word with spikes)
    inline_scan_bytes: int = 8192
    # populations whose spikes of every step are recorded (None: every spiking one); the others
    # keep only their latest step's spikes, and their spikes are absent from run results
    record: tuple[str, ...] | None = None
    # where the record goes: "dmem" (T + 1 rows of spike words) or "ddr" (vector blocks copied
    # out by the DMA, for records that do not fit the scalar data memory: lane_record.py)
    spike_record: str = "dmem"
    # delay rings as sliding windows where twice the ring fits (delay_window.py: one
    # instruction less per delayed vector), else modulo rings
    ring_window: bool = True
    # where the firmware runs (targets.py): "sim", our ISS and RTL, or "board", FeNN-DMA hardware
    target: str = "sim"
    # one run infers many samples the host put in DDR (batch.py); the kernels are unchanged
    batch: bool = False

    def check(self) -> None:
        if self.target not in TARGETS:
            raise ConfigError(f"target={self.target!r}; expected one of {tuple(TARGETS)}")
        if self.weights not in WEIGHTS:
            raise ConfigError(f"weights={self.weights!r}; expected one of {WEIGHTS}")
        if self.weights == "ddr" and not TARGETS[self.target].ddr_rows:
            raise ConfigError(
                f"weights='ddr': target {self.target!r} keeps every row in vector "
                'memory (docs/compiler.md, "Targets")'
            )
        if self.accumulators not in ACCUMULATORS:
            raise ConfigError(f"accumulators={self.accumulators!r}; expected one of {ACCUMULATORS}")
        if self.record is not None and not isinstance(self.record, tuple):
            raise ConfigError(f"record={self.record!r}; expected a tuple of population names")
        if self.spike_record not in SPIKE_RECORDS:
            raise ConfigError(
                f"spike_record={self.spike_record!r}; expected one of {SPIKE_RECORDS}"
            )
        if self.spike_record == "ddr" and not TARGETS[self.target].ddr_rows:
            raise ConfigError(f"spike_record='ddr': target {self.target!r} uses no DDR")
        if self.sparse_rows not in SPARSE_ROWS:
            raise ConfigError(f"sparse_rows={self.sparse_rows!r}; expected one of {SPARSE_ROWS}")
        # Straight code reaches lane-local rows with 12-bit immediates (2 bytes per vector).
        for name in ("unroll_vectors", "unroll_row_vectors", "unroll_words"):
            if not 1 <= getattr(self, name) <= 1024:
                raise ConfigError(f"{name}={getattr(self, name)} outside [1, 1024]")
        if not 0 <= self.inline_scan_bytes <= MAX_INLINE_SCAN_BYTES:
            raise ConfigError(
                f"inline_scan_bytes={self.inline_scan_bytes} outside [0, {MAX_INLINE_SCAN_BYTES}]"
            )


@dataclass(frozen=True)
class Region:
    """An array in one memory. llm addresses and sizes are per lane (every lane the same)."""

    name: str
    memory: str
    address: int
    size: int
    what: str

    @property
    def end(self) -> int:
        return self.address + self.size

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "memory": self.memory,
            "address": self.address,
            "bytes": self.size,
            "what": self.what,
        }


@dataclass
class PopulationPlan:
    """How one population is compiled. `fields` are the vectors of one slot of its state block
    (slot k holds vector k of each); `home` is where its synaptic accumulators live."""

    index: int
    pop: Population
    nvec: int
    looped: bool  # update loops over vectors (else straight-line code)
    home: str  # "registers", "tiles" or "vmem" (a state-block field), or "llm"
    fields: tuple[str, ...]
    record_word: int  # word offset of its spikes in a record or latest row (-1: does not spike)
    is_output: bool
    recorded: bool = False  # its spikes go to the record (else to the latest-spikes row)
    ring_window: bool = False  # its delay ring is a sliding window of 2D slots (delay_window.py)

    @property
    def slot_bytes(self) -> int:
        return len(self.fields) * VECTOR_BYTES

    @property
    def ring_stride(self) -> int:
        """Lane-local bytes of one neuron vector's delay ring (or window)."""
        return delay_window.ring_bytes(self, self.ring_window) // self.nvec

    def field_offset(self, name: str, vector: int = 0) -> int:
        """Byte offset of field `name` of vector `vector` within the state block."""
        return vector * self.slot_bytes + self.fields.index(name) * VECTOR_BYTES


@dataclass
class ProjectionPlan:
    index: int  # in bundle order
    name: str
    memory: str  # where its rows are: "vmem" or "ddr"
    row_bytes: int  # of a packed row (the bundle's words; what a DMA transfer moves)
    split: bool = False  # sparse rows stored as (weights, addresses) vector pairs

    @property
    def stored_row_bytes(self) -> int:
        return 2 * self.row_bytes if self.split else self.row_bytes


@dataclass
class Plan:
    bundle: Bundle
    config: SocConfig
    options: CompileOptions
    pops: list[PopulationPlan]
    projs: list[ProjectionPlan]
    regions: dict[str, Region] = field(default_factory=dict)
    input_words: int = 0  # spike words of the input per step
    record_words: int = 0  # spike words of the recorded populations per step
    latest_words: int = 0  # spike words of the other spiking populations
    dma_buffer_bytes: int = 0  # each of the two DDR row buffers

    @property
    def target(self) -> Target:
        return TARGETS[self.options.target]

    def region(self, name: str) -> Region:
        return self.regions[name]

    def report(self) -> dict:
        """Per memory: size, bytes used, and its regions (llm: bytes per lane)."""
        sizes = _memory_sizes(self.config)
        out = {}
        for memory, size in sizes.items():
            regions = [r for r in self.regions.values() if r.memory == memory]
            out[memory] = {
                "bytes": size,
                "used": max((r.end for r in regions), default=0),
                "regions": [r.to_json() for r in sorted(regions, key=lambda r: r.address)],
            }
        return out


def plan(bundle: Bundle, options: CompileOptions, config: SocConfig) -> Plan:
    """Place every array of `bundle` (see the module docstring); CompileError when it cannot."""
    options.check()
    pops = [_population_plan(bundle, i, options) for i in range(len(bundle.populations))]
    projs = [
        ProjectionPlan(q, p.name, "vmem", p.row_words * 2) for q, p in enumerate(bundle.projections)
    ]
    result = Plan(bundle, config, options, pops, projs)
    result.input_words = -(-bundle.n_inputs // LANES)
    recorded = _recorded(bundle, options.record)
    if options.spike_record == "ddr":  # recorded through DDR instead (lane_record.py)
        recorded = set()
    words = {True: 0, False: 0}
    for pop_plan in pops:
        if pop_plan.pop.spiking:
            pop_plan.recorded = pop_plan.pop.name in recorded
            pop_plan.record_word = words[pop_plan.recorded]
            words[pop_plan.recorded] += pop_plan.nvec
    result.record_words, result.latest_words = words[True], words[False]
    _place_llm(result)
    _place_vmem(result)
    _place_dmem(result)
    _place_ddr(result)
    return result


def _recorded(bundle: Bundle, record: tuple[str, ...] | None) -> set[str]:
    spiking = [p.name for p in bundle.populations if p.spiking]
    if record is None:
        return set(spiking)
    for name in record:
        if name not in spiking:
            raise ConfigError(
                f"record: {name!r} is not a spiking population of the bundle "
                f"(spiking: {', '.join(spiking) or 'none'})"
            )
    return set(record)


def _population_plan(bundle: Bundle, index: int, options: CompileOptions) -> PopulationPlan:
    pop = bundle.populations[index]
    incoming = [p for p in bundle.projections if p.target == pop.name]
    nvec = padded(pop.n) // LANES
    looped = nvec > options.unroll_vectors
    is_output = pop.name == bundle.output
    if any(p.layout == "sparse" for p in incoming):
        home = "llm"
    elif pop.dual:  # its accumulators stay in memory (register homes are not generated for it)
        home = "vmem"
    else:
        home = _register_or_vmem(bundle, pop, incoming, nvec, looped, is_output, options)
    ports = ACC_FIELDS[: 2 if pop.dual else 1]
    fields = [*pop.variables]
    fields += ports if home in ("tiles", "vmem") else []
    fields += ["bias"] if pop.bias is not None else []
    fields += ["leak"] if pop.leak is not None else []
    fields += ["V0"] if pop.v_init is not None else []
    fields += ["acc"] if is_output else []
    return PopulationPlan(index, pop, nvec, looped, home, tuple(fields), -1, is_output)


def _register_or_vmem(bundle, pop, incoming, nvec, looped, is_output, options) -> str:
    if options.accumulators == "memory":
        return "vmem"
    temporaries = max(
        [len(regalloc.row_registers(p.layout, "registers")) for p in incoming]
        + [len(update_registers(bundle, pop, "registers", is_output))]
    )
    budget = regalloc.accumulator_budget(temporaries)
    if not looped and nvec <= budget:
        return "registers"
    if options.accumulators == "auto" and nvec <= MAX_TILED_VECTORS:
        return "tiles"
    if options.accumulators == "registers":
        why = (
            f"its update loops over {nvec} vectors (unroll_vectors={options.unroll_vectors})"
            if looped
            else f"{nvec} accumulators and {temporaries} temporaries need "
            f"{nvec + temporaries} vector registers, {len(regalloc.POOL)} exist"
        )
        raise CompileError(
            f"population {pop.name!r}: accumulators='registers' is impossible: {why}"
        )
    return "vmem"


def update_registers(bundle: Bundle, pop: Population, home: str, is_output: bool):
    return regalloc.update_registers(
        spiking=pop.spiking,
        synaptic=pop.synaptic,
        adaptive=getattr(pop, "adaptive", False),
        reset=pop.reset,
        home=home,
        has_bias=pop.bias is not None,
        has_leak=pop.leak is not None,
        delayed=pop.delay_slots > 0,
        readout=bundle.readout if is_output else None,
    )


class _Allocator:
    """Bump allocation in one memory; the error names the memory, need and room."""

    def __init__(self, result: Plan, memory: str, start: int = 0) -> None:
        self.result, self.memory, self.top = result, memory, start
        self.size = _memory_sizes(result.config)[memory]

    def add(self, name: str, size: int, align: int, what: str) -> Region:
        address = -(-self.top // align) * align
        region = Region(name, self.memory, address, size, what)
        self.result.regions[name] = region
        self.top = address + size
        return region

    def check(self, detail: str = "") -> None:
        if self.top > self.size:
            unit = " per lane" if self.memory == "llm" else ""
            biggest = sorted(
                (r for r in self.result.regions.values() if r.memory == self.memory),
                key=lambda r: -r.size,
            )[:3]
            names = ", ".join(f"{r.name} {r.size}" for r in biggest)
            raise CompileError(
                f"{self.memory}: the network needs {self.top} bytes{unit}, {self.size} available"
                f"{detail} (largest: {names})"
            )


def _place_llm(result: Plan) -> None:
    """Accumulators and delay rings; rings as windows (delay_window.py) when all of them fit."""
    delayed = [pp for pp in result.pops if pp.pop.delay_slots]
    for pp in delayed:
        pp.ring_window = result.options.ring_window
    if _llm_bytes(result) > result.config.llm_lane_bytes:
        for pp in delayed:
            pp.ring_window = False
    llm = _Allocator(result, "llm")
    for pop_plan in result.pops:
        if pop_plan.home == "llm":
            for acc in ACC_FIELDS[: 2 if pop_plan.pop.dual else 1]:
                llm.add(
                    f"{acc}.{pop_plan.pop.name}",
                    2 * pop_plan.nvec,
                    2,
                    f"synaptic accumulators of {pop_plan.pop.name} (sparse inputs)",
                )
        slots = pop_plan.pop.delay_slots
        if slots:
            slots *= delay_window.WINDOW if pop_plan.ring_window else 1
            llm.add(
                f"ring.{pop_plan.pop.name}",
                pop_plan.nvec * pop_plan.ring_stride,
                2,
                f"delay ring of {pop_plan.pop.name}: {slots} slots per neuron",
            )
    llm.check()


def _llm_bytes(result: Plan) -> int:
    """Lane-local bytes per lane of every accumulator and ring (alignment: 2 bytes)."""
    accs = sum(2 * pp.nvec * (2 if pp.pop.dual else 1) for pp in result.pops if pp.home == "llm")
    return accs + sum(pp.nvec * pp.ring_stride for pp in result.pops if pp.pop.delay_slots)


def _place_vmem(result: Plan) -> None:
    """Seeds, state blocks, then rows: on chip in bundle order while they fit (weights="auto"
    moves the largest projections to DDR first), DMA buffers when any row is in DDR; then sparse
    rows on chip are split, smallest first, while they still fit."""
    bundle, options = result.bundle, result.options
    fixed = 2 * VECTOR_BYTES + sum(pop_plan.nvec * pop_plan.slot_bytes for pop_plan in result.pops)
    size = _memory_sizes(result.config)["vmem"]
    projs = result.projs
    if options.weights == "ddr":
        for proj_plan in projs:
            proj_plan.memory = "ddr"
    if options.weights == "auto" and result.target.ddr_rows:
        for proj_plan in sorted(
            projs, key=lambda proj_plan: -proj_plan.row_bytes * _rows(bundle, proj_plan)
        ):
            if fixed + _vmem_rows(result) <= size:
                break
            proj_plan.memory = "ddr"
    in_ddr = {proj_plan.index for proj_plan in projs if proj_plan.memory == "ddr"}
    for pop_plan in result.pops:  # tiles scan every row once per tile: not for rows fetched by DMA
        if pop_plan.home == "tiles" and any(
            bundle.projections[q].target == pop_plan.pop.name for q in in_ddr
        ):
            pop_plan.home = "vmem"
    result.dma_buffer_bytes = max((projs[q].row_bytes for q in in_ddr), default=0)
    if options.sparse_rows == "split":
        sparse = [
            proj_plan
            for proj_plan in projs
            if proj_plan.memory == "vmem" and bundle.projections[proj_plan.index].layout == "sparse"
        ]
        for proj_plan in sorted(
            sparse, key=lambda proj_plan: proj_plan.row_bytes * _rows(bundle, proj_plan)
        ):
            proj_plan.split = True
            if fixed + _vmem_rows(result) > size:
                proj_plan.split = False
                break

    vmem = _Allocator(result, "vmem")
    vmem.add("seeds", 2 * VECTOR_BYTES, VECTOR_BYTES, "RNG seeds of the sample: S0, then S1")
    for pop_plan in result.pops:
        vmem.add(
            f"state.{pop_plan.pop.name}",
            pop_plan.nvec * pop_plan.slot_bytes,
            VECTOR_BYTES,
            f"state of {pop_plan.pop.name}: {pop_plan.nvec} slots of {', '.join(pop_plan.fields)}",
        )
    for proj_plan in projs:
        if proj_plan.memory == "vmem":
            proj = bundle.projections[proj_plan.index]
            split = ", split: weight and address vectors" if proj_plan.split else ""
            vmem.add(
                f"rows.{proj_plan.name}",
                proj_plan.stored_row_bytes * proj.n_pre,
                VECTOR_BYTES,
                f"{proj.layout} rows {proj.source} -> {proj.target}{split}",
            )
    if result.dma_buffer_bytes:
        for name in ("dma_a", "dma_b"):
            vmem.add(name, result.dma_buffer_bytes, VECTOR_BYTES, "DDR row buffer")
    lane_record.place_vmem(result, vmem)
    detail = ""
    if in_ddr:
        detail = " with every row in DDR"
    elif not result.target.ddr_rows:
        detail = f" (target {options.target!r} keeps every row on chip)"
    vmem.check(detail)


def _rows(bundle: Bundle, proj_plan: ProjectionPlan) -> int:
    return bundle.projections[proj_plan.index].n_pre


def _vmem_rows(result: Plan) -> int:
    """Bytes of the rows on chip and of the DMA buffers, as placed so far."""
    on_chip = sum(
        proj_plan.stored_row_bytes * _rows(result.bundle, proj_plan)
        for proj_plan in result.projs
        if proj_plan.memory == "vmem"
    )
    buffers = 2 * max(
        (proj_plan.row_bytes for proj_plan in result.projs if proj_plan.memory == "ddr"), default=0
    )
    return on_chip + buffers


def _place_dmem(result: Plan) -> None:
    bundle, options = result.bundle, result.options
    steps = bundle.num_steps
    dmem = _Allocator(result, "dmem")
    dmem.add("mailbox", MAILBOX_BYTES, 4, f"host flag: 0 while running, {DONE} when done")
    counters = result.target.counters
    dmem.add(
        "counters",
        4 * len(counters) * len(SNAPSHOTS),
        4,
        f"counter snapshots {SNAPSHOTS}: {', '.join(counters)} (low 32 bits)",
    )
    if options.profile:
        dmem.add(
            "profile",
            4 * len(PROFILE_PHASES) * len(result.pops),
            4,
            "cycles per population: synaptic, update",
        )
    dmem.add(
        "input",
        4 * steps * result.input_words,
        4,
        f"input spikes: {steps} steps x {result.input_words} words",
    )
    if result.record_words:
        dmem.add(
            "record",
            4 * (steps + 1) * result.record_words,
            4,
            f"spike record: {steps + 1} rows x {result.record_words} words (row 0 zero)",
        )
    if result.latest_words:
        dmem.add(
            "latest_spikes",
            4 * result.latest_words,
            4,
            "spike words of the populations not recorded, of their latest update",
        )
    longest = max(
        (
            bundle.projections[proj_plan.index].n_pre
            for proj_plan in result.projs
            if proj_plan.memory == "ddr"
        ),
        default=0,
    )
    if longest:
        dmem.add("spike_list", 4 * longest, 4, "DDR row addresses of one projection's spikes")
    dmem.check(
        "; CompileOptions.record can leave populations out of the spike record"
        if result.record_words
        else ""
    )


def _place_ddr(result: Plan) -> None:
    ddr = _Allocator(result, "ddr")
    for proj_plan in result.projs:
        if proj_plan.memory == "ddr":
            proj = result.bundle.projections[proj_plan.index]
            ddr.add(
                f"rows.{proj_plan.name}",
                proj.words.nbytes,
                VECTOR_BYTES,
                f"{proj.layout} rows {proj.source} -> {proj.target} (DMA)",
            )
    lane_record.place_ddr(result, ddr)
    ddr.check()


def _memory_sizes(config: SocConfig) -> dict[str, int]:
    return {
        "dmem": config.dmem_bytes,
        "vmem": config.vmem_bytes,
        "llm": config.llm_lane_bytes,
        "ddr": config.ddr_bytes,
    }


def source_index(bundle: Bundle, source: str) -> int:
    """Update-order index of a projection's source; -1 for the input."""
    return -1 if source == INPUT else bundle.index(source)
