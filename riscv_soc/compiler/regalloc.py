"""Register allocation of the generated firmware: fixed scalar roles and per-phase vector pools.

Where it sits: placement asks `accumulator_budget` whether a population's synaptic accumulators
fit in vector registers; the kernel generators (scan, rows, neurons, program) take their registers
from here by name. Nothing ever spills: a request that does not fit raises CompileError naming the
population and the number of registers needed, and placement only asks for what fits.

Scalar registers have one role each for the whole program (below). Vector register v0 holds zero
from start-up to the end (the runtime sets it); v1-v31 form a pool per population phase: the
accumulators (when they live in registers) first, then the temporaries of each projection's row
kernel and of the neuron update, released in between.
"""

from __future__ import annotations

from collections.abc import Iterable

from riscv_soc.compiler.errors import CompileError
from riscv_soc.soc import VREGS

ZERO = "v0"  # zero in every lane, from start-up on
POOL = tuple(f"v{n}" for n in range(1, VREGS))

# Scalar roles. The runtime's helpers (firmware/runtime/*.s) take arguments in a0-a2 and may
# clobber a0-a2 and t6 only; generated code keeps nothing live there across a call.
STEP = "s0"  # t
INPUT_ROW = "s1"  # input bitfield words of step t
RECORD_ROW = "s2"  # spike record row of step t (row t + 1; row t holds step t - 1)
STEPS = "s3"  # T
DMA_CUR, DMA_NEXT = "s4", "s5"  # DDR rows: the buffer being processed, the one being filled
LIST_PTR, LIST_END = "s6", "s7"  # DDR rows: the spike list of a projection
SCAN_ROWS = "s8"  # scan: row address of neuron 0 of the current spike word
SCAN_WORD, SCAN_END = "s9", "s10"  # looped scan: word pointer and end
SCAN_STRIDE = "s11"  # looped scan: rows of 32 neurons, in bytes
ROW_BYTES = "gp"  # bytes of one row, when it is not a power of two (mul)
WORD, BIT, ROW, TMP = "t0", "t1", "t2", "t3"  # scan: spike word, bit index, row pointer, temp
BASE, BASE2 = "t4", "t5"  # vandadd bases (sparse accumulator, delay ring), chunk counter
CHUNK = "a0"  # row kernels and looped updates: loop counter (never live across a helper call)
REC = "a1"  # neuron update: pointer to the population's words in the spike-record row
LANE_RECORD = "a2"  # neuron update: this step's block of the DDR spike record (lane_record.py)
LINK = "sp"  # generated routines that call others keep their return address here
STATE = "a3"  # neuron update: pointer into the population's state block
ACC_PTR = "a4"  # dense rows into vmem accumulators: pointer into the state block
FIRED, SPIKE = "a5", "a6"  # neuron update: last step's spike mask, this step's
TMP2 = "a7"  # neuron update, counters, chunk loops
PROFILE_T = "tp"  # profile: mcycle at the start of the current phase


class VectorPool:
    """v1-v31 for one population's phase; `take` hands out named registers or raises."""

    def __init__(self, owner: str) -> None:
        self.owner = owner
        self.free = list(POOL)

    def take(self, names: Iterable[str], purpose: str) -> dict[str, str]:
        names = list(names)
        if len(names) > len(self.free):
            raise CompileError(
                f"population {self.owner!r}: {purpose} needs {len(names)} vector registers, "
                f"{len(self.free)} are free (v1-v31 less those already held)"
            )
        regs = dict(zip(names, self.free, strict=False))
        self.free = self.free[len(names) :]
        return regs

    def release(self, regs: dict[str, str]) -> None:
        self.free = sorted(set(self.free) | set(regs.values()), key=lambda r: int(r[1:]))


def row_registers(layout: str, home: str, split: bool = False) -> tuple[str, ...]:
    """Vector temporaries of one projection's row kernel (rows.py) for an accumulator home;
    `split`: sparse rows of weight and address vectors."""
    if layout == "sparse":
        return ("W", "A0", "A1", "C") if split else ("W0", "W1", "ADDR", "C", "X")
    if layout == "delayed":
        return ("W0", "W1", "X", "ADDR", "C", "TV")
    if home == "registers":
        return ("W0", "W1")
    return ("W0", "W1", "C0", "C1") + (("AV",) if home == "llm" else ())


def update_registers(
    *,
    spiking: bool,
    synaptic: bool,
    adaptive: bool,
    reset: str,
    home: str,
    has_bias: bool,
    delayed: bool,
    readout: str | None,
    has_leak: bool = False,
) -> tuple[str, ...]:
    """Vector temporaries of a neuron update (neurons.py); `readout` only for the output."""
    names = ["V0", "V1", "BETA", "X"]
    if home != "registers":
        names.append("INP")
    if home == "llm":
        names.append("AV")
    if spiking:
        names.append("THR")
    if reset in ("value", "value_after"):
        names.append("VRESET")
    if synaptic:
        names += ["ALPHA", "I"]
    if adaptive:
        names += ["RHO", "JUMP", "A", "B"]
    if has_bias:
        names.append("BIAS")
    if has_leak:
        names.append("LEAK")
    if delayed:
        names += ["RA", "R"]
    if readout is not None:
        names.append("ACC")
    if readout == "count":
        names.append("ONE")
    return tuple(names)


def tiles(vectors: int) -> list[range]:
    """Vector ranges of register tiles covering a population, as even as possible, each small
    enough to sit beside a dense row kernel's two temporaries."""
    size = len(POOL) - len(row_registers("dense", "registers"))
    count = -(-vectors // size)
    step = -(-vectors // count)
    return [range(start, min(start + step, vectors)) for start in range(0, vectors, step)]


def accumulator_budget(temporaries: int) -> int:
    """Vectors of accumulators that fit beside `temporaries` registers in v1-v31."""
    return max(0, len(POOL) - temporaries)
