"""The architectural state after a run: one schema for the ISS and the RTL.

`snnsoc iss --json` and `snnsoc rtl --json` print `MachineState.to_json()`; the difftest compares
two states with `diff_states`. Memories travel with the state for comparison but are summarised
(by hash) in JSON.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from riscv_soc.errors import ConfigError
from riscv_soc.image import MEMORIES
from riscv_soc.isa.hardware import EXIT_NAMES

# Exit kinds, named in hardware.EXITS. "spin": the jump to itself `jal x0, 0` (hardware.SPIN_WORD)
# ends a run as ecall does (docs/isa.md, "How a run ends"); FeNN-DMA firmware ends in it.
EXIT_ECALL, EXIT_EBREAK, EXIT_LIMIT, EXIT_TRAP, EXIT_SPIN = EXIT_NAMES[1:]
FINISHED = (EXIT_ECALL, EXIT_SPIN)  # how a program that ran to its end stops

MAX_CYCLES_LIMIT = 1 << 62  # the run arguments both ISS and RTL take, checked once here


def check_max_cycles(max_cycles: int) -> None:
    if isinstance(max_cycles, bool) or not isinstance(max_cycles, (int, np.integer)):
        raise ConfigError(f"max_cycles: expected an integer, got {max_cycles!r}")
    if not 1 <= max_cycles <= MAX_CYCLES_LIMIT:
        raise ConfigError(f"max_cycles: must be in 1..2**62, got {max_cycles}")


def check_memory_names(memories: Iterable[str]) -> tuple[str, ...]:
    """The memories a run copies into its state, as a tuple; a bare name counts as one."""
    names = (memories,) if isinstance(memories, str) else tuple(memories)
    unknown = [n for n in names if n not in MEMORIES]
    if unknown:
        raise ConfigError(f"memories: unknown {unknown}; known: {list(MEMORIES)}")
    return names


@dataclass
class MachineState:
    """Registers, counters, CSRs, memories and how the run ended.

    `x`: uint32[32]; `v`: int16[32, 32] (register, lane); `rng`: uint16[2, 32] (S0, S1 per lane);
    `memories`: name -> uint8 array, as in `riscv_soc.soc.SocConfig.memories()`.
    """

    exit: str
    pc: int
    x: np.ndarray
    v: np.ndarray
    cycles: int
    instret: int
    counters: dict[str, int]
    cause: str | None = None  # trap cause name when exit == "trap"
    tval: int = 0  # faulting address or instruction word for traps
    instr: str = ""  # the instruction at `pc`, disassembled
    csrs: dict[str, int] = field(default_factory=dict)  # mcountinhibit, DMA registers, status
    rng: np.ndarray | None = None
    memories: dict[str, np.ndarray] = field(default_factory=dict)

    def to_json(self, with_memory_hashes: bool = True) -> dict:
        out: dict = {"exit": self.exit}
        if self.exit == EXIT_TRAP:
            out["cause"] = self.cause
            out["tval"] = int(self.tval)
        out["pc"] = int(self.pc)
        out["instr"] = self.instr
        out["x"] = [int(r) for r in self.x]
        out["v"] = [[int(lane) for lane in reg] for reg in self.v]
        out["cycles"] = int(self.cycles)
        out["instret"] = int(self.instret)
        out["counters"] = {k: int(n) for k, n in self.counters.items()}
        out["csrs"] = {k: int(n) for k, n in self.csrs.items()}
        if self.rng is not None:
            out["rng"] = {"s0": [int(s) for s in self.rng[0]], "s1": [int(s) for s in self.rng[1]]}
        if with_memory_hashes and self.memories:
            out["memory_sha256"] = {
                name: hashlib.sha256(np.ascontiguousarray(mem).tobytes()).hexdigest()
                for name, mem in self.memories.items()
            }
        return out


def diff_states(a: MachineState, b: MachineState, compare_cycles: bool = True) -> list[str]:
    """Human-readable differences between two states; empty when they agree bit for bit."""
    out = [
        f"{name}: {getattr(a, name)!r} != {getattr(b, name)!r}"
        for name in ("exit", "cause", "pc", "tval", "instret")
        if getattr(a, name) != getattr(b, name)
    ]
    if compare_cycles and a.cycles != b.cycles:
        out.append(f"cycles: {a.cycles} != {b.cycles}")
    out += [
        f"x{r}: {int(a.x[r]):#010x} != {int(b.x[r]):#010x}"
        for r in np.flatnonzero(np.asarray(a.x) != np.asarray(b.x))
    ]
    for r, lane in zip(*np.nonzero(np.asarray(a.v) != np.asarray(b.v)), strict=True):
        out.append(f"v{r}[{lane}]: {int(a.v[r, lane])} != {int(b.v[r, lane])}")
    if a.rng is not None and b.rng is not None:
        for half, lane in zip(*np.nonzero(a.rng != b.rng), strict=True):
            out.append(f"rng s{half}[{lane}]: {int(a.rng[half, lane])} != {int(b.rng[half, lane])}")
    for group in ("counters", "csrs"):
        da, db = getattr(a, group), getattr(b, group)
        for key in sorted(set(da) | set(db)):
            if key == "stall_cycles" and not compare_cycles:
                continue
            if da.get(key) != db.get(key):
                out.append(f"{group}.{key}: {da.get(key)} != {db.get(key)}")
    for name in sorted(set(a.memories) & set(b.memories)):
        ma, mb = a.memories[name], b.memories[name]
        if ma.shape != mb.shape:
            out.append(f"{name}: size {ma.size} != {mb.size}")
            continue
        bad = np.flatnonzero(ma != mb)
        if bad.size:
            first = int(bad[0])
            out.append(
                f"{name}: {bad.size} bytes differ, first at {first:#x}: "
                f"{int(ma[first]):#04x} != {int(mb[first]):#04x}"
            )
    return out
