"""The Numba instruction-set simulator of the FeNN-DMA SoC (docs/isa.md is its specification).

Where it sits: a firmware image (`riscv_soc.image.Image`) goes in, a `MachineState`
(`riscv_soc.machine`, the schema the RTL run returns too) comes out. Instruction memory is decoded
once (`decode.py`); one compiled call (`_kernels.py`) then runs until ecall, ebreak, the spin
(`j .`), a trap or the cycle limit, with no Python per instruction.

One run from reset:

    state = run(image, max_cycles=10_000)        # state.memories are the run's own arrays

Many runs of one image (load and decode once; the firmware runtime runs thousands of samples):

    iss = Iss(image)
    for sample in samples:
        iss.reset()                              # registers, RNG, counters, DMA, pc; memories kept
        iss.memories["vmem"][a:b] = sample       # writable uint8 arrays (imem is read-only)
        state = iss.run(max_cycles, memories=()) # copy no memory into the state
        out = iss.memories["dmem"][c:d]

A DDR that answers with errors on address ranges (`riscv_soc.ddr.DdrModel`), and DMA transfers
that complete late as a stalling DDR made them on the RTL (`dma_late`, from the RTL's log):

    state = run(image, ddr=DdrModel(faults=(DdrFault(0, 1024, "slverr"),)), dma_late=((3,), ()))

`Iss.run` resumes after a cycle-limit stop (`max_cycles` counts from reset); after ecall, ebreak,
the spin or a trap, call `reset()` first. `reset(reload_memories=True)` also restores every
memory to the image's contents.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from riscv_soc import commit
from riscv_soc.ddr import PLAIN, DdrModel, DmaLate
from riscv_soc.errors import ConfigError
from riscv_soc.image import MEMORIES, Image
from riscv_soc.isa import csr
from riscv_soc.isa.disasm import disassemble
from riscv_soc.isa.hardware import EXIT_NAMES, TRAP_CAUSES
from riscv_soc.iss import _kernels, decode
from riscv_soc.machine import EXIT_TRAP, MachineState, check_max_cycles, check_memory_names
from riscv_soc.soc import DEFAULT, LANES, VECTOR_BYTES, VREGS, SocConfig

__all__ = ["Iss", "run", "run_traced"]

TRACE_CHUNK = 1 << 14  # records per kernel call (the kernel pauses when they are full)
_NO_TRACE = np.zeros(0, commit.COMMIT)
_CLASSES = _kernels.trace_classes()
# CSRs reported in MachineState.csrs (mcountinhibit, the DMA registers), by name, with the code
# the kernel reads them by, in the CSR table's order.
_STATE_CSRS = {
    name: decode.CSR_CODES[num]
    for name, num in csr.CSRS.items()
    if name.startswith("dma_") or name == "mcountinhibit"
}


def run(
    image: Image,
    max_cycles: int = 1_000_000_000,
    config: SocConfig = DEFAULT,
    memories: Iterable[str] = MEMORIES,
    ddr: DdrModel = PLAIN,
    dma_late: DmaLate | None = None,
) -> MachineState:
    """Run `image` from reset until ecall, ebreak, the spin, a trap or `max_cycles` cycles.

    The state holds the named memories (all by default) without copying them. `ddr` names DDR
    ranges that answer with errors (its stalls are the RTL's business); `dma_late` the cycles
    each transfer of each channel completes late, in order (None: none is late; given, a transfer
    beyond a channel's list never completes: the RTL did not complete it either). Raises
    ImageError when the image does not fit `config`, ConfigError for a bad argument.
    """
    return _run(image, max_cycles, config, memories, ddr, dma_late, traced=False)[0]


def run_traced(
    image: Image,
    max_cycles: int = 1_000_000_000,
    config: SocConfig = DEFAULT,
    memories: Iterable[str] = MEMORIES,
    ddr: DdrModel = PLAIN,
    dma_late: DmaLate | None = None,
) -> tuple[MachineState, np.ndarray]:
    """`run`, and the commit trace: one `riscv_soc.commit.COMMIT` record per retired instruction."""
    state, chunks = _run(image, max_cycles, config, memories, ddr, dma_late, traced=True)
    return state, chunks[0] if len(chunks) == 1 else np.concatenate(chunks)


def _run(
    image: Image,
    max_cycles: int,
    config: SocConfig,
    memories: Iterable[str],
    ddr: DdrModel,
    dma_late: DmaLate | None,
    traced: bool,
) -> tuple[MachineState, list[np.ndarray]]:
    """The arguments checked, one machine run; its state and (traced) its commit-record chunks."""
    check_max_cycles(max_cycles)
    names = check_memory_names(memories)
    machine = Iss(image, config, ddr, dma_late)
    chunks = machine._execute(max_cycles, traced=traced)
    return machine._state({name: machine.memories[name] for name in names}), chunks


class Iss:
    """A loaded, pre-decoded image and the machine state it runs on (see the module docstring)."""

    def __init__(
        self,
        image: Image,
        config: SocConfig = DEFAULT,
        ddr: DdrModel = PLAIN,
        dma_late: DmaLate | None = None,
    ) -> None:
        if not isinstance(image, Image):
            raise ConfigError(f"image: expected a riscv_soc Image, got {type(image).__name__}")
        _check_config(config)
        if not isinstance(ddr, DdrModel):
            raise ConfigError(f"ddr: expected a riscv_soc.ddr.DdrModel, got {type(ddr).__name__}")
        self._model = (_late_table(dma_late), ddr.fault_table())
        self.image = image
        self.config = config
        self.memories: dict[str, np.ndarray] = image.memory_arrays(config)  # raises ImageError
        self.memories["imem"].flags.writeable = False  # the decoded rows would go stale
        self._words = self.memories["imem"].view(np.uint32)
        self._rows = decode.predecode(self.memories["imem"])
        self._x = np.zeros(VREGS + 1, np.int64)
        self._v = np.zeros((VREGS, LANES), np.int16)
        self._rng = np.zeros((2, LANES), np.int64)
        self._counters = np.zeros(decode.ACT_NONE + 1, np.int64)
        self._core = np.zeros(_kernels.N_CORE, np.int64)
        self._dma = np.zeros((2, _kernels.N_DMA), np.int64)
        self.reset()

    def reset(self, reload_memories: bool = False) -> None:
        """Registers, RNG, counters and DMA to their reset values, pc to the entry point.

        Memories keep their contents unless `reload_memories`, which restores the image's.
        """
        for array in (self._x, self._v, self._rng, self._counters, self._core, self._dma):
            array.fill(0)
        self._core[_kernels.PC] = self.image.entry
        self._core[_kernels.INHIBIT] = csr.MCOUNTINHIBIT_RESET  # counters read 0: none has counted
        self._dma[:, _kernels.D_END] = _kernels.NEVER
        if reload_memories:
            fresh = self.image.memory_arrays(self.config)
            for name, memory in self.memories.items():
                if name != "imem":
                    np.copyto(memory, fresh[name])

    @property
    def cycles(self) -> int:
        return int(self._core[_kernels.CYCLES])

    def run(
        self, max_cycles: int = 1_000_000_000, memories: Iterable[str] = MEMORIES
    ) -> MachineState:
        """Run until ecall, ebreak, the spin, a trap or cycle `max_cycles` (counted from reset).

        `memories` names the memories copied into the returned state (`()` for none: copying
        256 MiB of DDR takes a while).
        """
        check_max_cycles(max_cycles)
        names = check_memory_names(memories)
        self._execute(max_cycles)
        return self._state({name: self.memories[name].copy() for name in names})

    def _execute(self, max_cycles: int, traced: bool = False) -> list[np.ndarray]:
        """Run the kernel; with `traced`, the commit records it wrote (chunks of TRACE_CHUNK)."""
        if self._core[_kernels.EXIT] not in (_kernels.EXIT_NONE, _kernels.EXIT_LIMIT):
            stopped = EXIT_NAMES[int(self._core[_kernels.EXIT])]
            raise ConfigError(f"Iss.run: the machine stopped with {stopped}; call reset() first")
        if not traced:
            self._kernel(_kernels.run, max_cycles, _NO_TRACE, np.zeros(1, np.int64))
            return []
        chunks = []
        while True:  # the traced kernel returns with exit kind none whenever its records are full
            records, count = np.zeros(TRACE_CHUNK, commit.COMMIT), np.zeros(1, np.int64)
            self._kernel(_kernels.run_traced, max_cycles, records, count)
            chunks.append(records[: count[0]])
            if self._core[_kernels.EXIT] != _kernels.EXIT_NONE:
                return chunks

    def _kernel(self, kernel, max_cycles: int, records: np.ndarray, count: np.ndarray) -> None:
        m = self.memories
        kernel(
            self._rows,
            self._words,
            self._x,
            self._v,
            self._rng,
            self._counters,
            self._core,
            self._dma,
            m["dmem"],
            m["vmem"],
            m["llm"],
            m["ddr"],
            self._model,
            self.config.llm_lane_bytes,
            int(max_cycles),
            records,
            count,
            _CLASSES,
        )

    def _state(self, memories: dict[str, np.ndarray]) -> MachineState:
        core = self._core
        cycles, instret = int(core[_kernels.CYCLES]), int(core[_kernels.INSTRET])
        counters = {name: int(self._counters[i]) for i, name in enumerate(csr.COUNTERS)}
        counters["stall_cycles"] = cycles - instret
        codes = np.array(list(_STATE_CSRS.values()), np.int64)
        values = np.zeros(codes.size, np.int64)
        _kernels.read_csrs(codes, cycles, instret, self._counters, self._dma, core, values)
        exit_kind = EXIT_NAMES[int(core[_kernels.EXIT])]
        pc = int(core[_kernels.PC])
        return MachineState(
            exit=exit_kind,
            pc=pc,
            x=(self._x[:VREGS] & 0xFFFFFFFF).astype(np.uint32),
            v=self._v.copy(),
            cycles=cycles,
            instret=instret,
            counters=counters,
            cause=TRAP_CAUSES[int(core[_kernels.CAUSE])] if exit_kind == EXIT_TRAP else None,
            tval=int(core[_kernels.TVAL]),
            instr=self._instruction_at(pc),
            csrs={name: int(val) for name, val in zip(_STATE_CSRS, values, strict=True)},
            rng=self._rng.astype(np.uint16),
            memories=memories,
        )

    def _instruction_at(self, pc: int) -> str:
        """The instruction at `pc`, disassembled ("" outside instruction memory)."""
        if pc >= self.config.imem_bytes:
            return ""
        return disassemble(int(self._words[pc >> 2]), pc)


def _late_table(dma_late: DmaLate | None) -> np.ndarray:
    """The kernel's `late` table: one row per channel, a column past the longest list (never)."""
    if dma_late is None:
        return np.zeros((2, 0), np.int64)
    ok = len(dma_late) == 2 and all(
        isinstance(d, int) and not isinstance(d, bool) and d >= 0 for lst in dma_late for d in lst
    )
    if not ok:
        raise ConfigError(f"dma_late: expected two lists of integers >= 0, got {dma_late!r}")
    table = np.full((2, max(map(len, dma_late)) + 1), _kernels.NEVER, np.int64)
    for ch, delays in enumerate(dma_late):
        table[ch, : len(delays)] = delays
    return table


def _check_config(config: SocConfig) -> None:
    if not isinstance(config, SocConfig):
        raise ConfigError(f"config: expected a SocConfig, got {type(config).__name__}")
    multiples = {
        "imem_bytes": 4,
        "dmem_bytes": 4,
        "vmem_bytes": VECTOR_BYTES,
        "llm_lane_bytes": 2,
        "ddr_bytes": VECTOR_BYTES,
    }
    for name, multiple in multiples.items():
        size = getattr(config, name)
        if not 0 < size <= 1 << 32 or size % multiple:
            raise ConfigError(
                f"config.{name}: must be a positive multiple of {multiple} up to 2**32, got {size}"
            )
