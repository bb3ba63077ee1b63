"""Functional coverage of the ISA, counted from what runs retire (commit traces) and how they end.

Where it sits: `define()` derives every bin from the instruction table (`riscv_soc.isa.table`) and
the CSR map; `Sampler.add(trace, state, imem)` walks one run's commit trace (`riscv_soc.commit`),
replaying its register writes so every instruction's source values are known, and counts the bins
it reaches; the run's end state adds the trap bins. Nothing is counted from the words in memory.

Bins (`kind/...` names):
  instr/<name>                      retired
  instr/<name>/xd=x0                the scalar destination is x0 (the write is dropped)
  instr/<name>/src=dst              a source register is the destination register
  instr/<name>/<operand>=<edge>     an immediate at its smallest, zero or largest value
  instr/<name>/<operand>~<edge>     a source value at an edge (scalar: 0, -2^31, 2^31-1;
                                    vector: a lane at -32768, 0 or 32767)
  trap/<cause>/<group>              each cause from each instruction group that can raise it
  hazard/<load>/trap                a vector load's destination used by the next instruction
  hazard/<load>/gap1                ... by the one after it (the earliest legal use)
  lanes/<name>/<pattern>            lane-local access: all, some or no lanes enabled, or a
                                    disabled lane whose base plus offset is not negative
  dma/<channel>/<bit>               a status read saw the bit set (every bit of docs/isa.md)
"""

from __future__ import annotations

import collections
from functools import cache, lru_cache
from typing import cast

import numpy as np

from riscv_soc import commit
from riscv_soc.isa import csr
from riscv_soc.isa.table import (
    FUNCT3,
    INSTRS,
    LANE_LOCAL,
    OPERANDS,
    ROUND_MODES,
    SCALAR,
    SCALAR_MEM,
    VEC_ALU,
    VEC_MEM,
    Instr,
    extract,
    lookup,
    operand_range,
)
from riscv_soc.machine import MachineState
from riscv_soc.soc import LANES

SCALAR_EDGES = {"0": 0, "min": 0x80000000, "max": 0x7FFFFFFF}
LANE_EDGES = {"0": 0, "min": -32768, "max": 32767}
VALUE_IMMEDIATES = (
    "imm12",
    "imm16",
    "uimm20",
    "shamt",
    "uimm5",
    "vshift",
    "ishift",
    "lane",
    "nbits",
)
# The status register's bits (docs/isa.md, "DMA"), by name: dma/<channel>/<name>.
DMA_BITS = {
    name.lower(): getattr(csr, f"DMA_{name}")
    for name in (
        "IDLE",
        "STARTING",
        "TRANSFERRING",
        "ERR_SLAVE",
        "ERR_DECODE",
        "ERR_INTERNAL",
        "OK",
    )
}
DMA_STATUS = {csr.CSRS[f"dma_{ch}_status"]: ch for ch in ("mm2s", "s2mm")}
RNG_LOADS = ("vloadr0", "vloadr1")


# ------------------------------------------------------------------ what each instruction is
def is_memory(instr: Instr) -> bool:
    return instr.klass in (SCALAR_MEM, VEC_MEM, LANE_LOCAL)


def is_jump(instr: Instr) -> bool:
    """jal, and jalr: the one scalar-class instruction with a base(offset) operand."""
    return "joff" in instr.operands or (instr.klass == SCALAR and "(" in instr.syntax)


def is_branch(instr: Instr) -> bool:
    return "boff" in instr.operands


def steps_rng(instr: Instr) -> bool:
    """vrng and the stochastic-rounding forms (`*_rs`): they read the RNG state."""
    stochastic = next(k for k, v in ROUND_MODES.items() if v == 2)
    return instr.name == "vrng" or instr.name.endswith(stochastic)


def access(instr: Instr) -> tuple[str, int] | None:
    """("load" or "store", bytes) of a memory instruction; None for the others."""
    if not is_memory(instr):
        return None
    kind = "store" if "simm12" in instr.operands else "load"
    if instr.klass == SCALAR_MEM:
        funct3 = (instr.match >> FUNCT3[1]) & 0b111
        return kind, 1 << (funct3 & 0b11)
    return kind, 2 if instr.klass == LANE_LOCAL else 64


def trap_groups(instr: Instr) -> set[tuple[str, str]]:
    """(cause, group) pairs this instruction can raise (docs/isa.md, "Traps")."""
    out = set()
    if instr.ext == "Zicsr":
        out.add(("illegal_instruction", "csr"))
    mem = access(instr)
    if mem is not None:
        kind, size = mem
        out.add((f"{kind}_access_fault", instr.klass))
        if size > 1:
            out.add((f"{kind}_address_misaligned", instr.klass))
    if is_branch(instr) or is_jump(instr):
        group = "branch" if is_branch(instr) else "jump"
        out |= {("instruction_address_misaligned", group), ("instruction_access_fault", group)}
    if any(OPERANDS[op].kind == "vreg" for op in instr.operands):
        out.add(("vector_load_use", instr.klass))
    if steps_rng(instr):
        out.add(("vector_load_use", "rng"))
    return out


@lru_cache(maxsize=1)
def vector_loads() -> tuple[Instr, ...]:
    """Loads whose destination the next instruction must not use (vd or the RNG state)."""
    return tuple(
        i
        for i in INSTRS
        if (a := access(i)) is not None and a[0] == "load" and i.klass != SCALAR_MEM
    )


# ------------------------------------------------------------------ the bins
@cache
def instruction_bins(instr: Instr) -> tuple[str, ...]:
    """The bins of one instruction: retired, and its operand classes."""
    base = f"instr/{instr.name}"
    out = [base]
    ops = instr.operands
    if "xd" in ops:
        out.append(f"{base}/xd=x0")
    if ("xd" in ops and {"xs1", "xs2"} & set(ops)) or ("vd" in ops and {"vs1", "vs2"} & set(ops)):
        out.append(f"{base}/src=dst")
    if not is_memory(instr):
        for op in ops:
            if op in VALUE_IMMEDIATES:
                out += [f"{base}/{op}={edge}" for edge in immediate_edges(op)]
    if instr.klass in (SCALAR, VEC_ALU) and not is_jump(instr):
        for op in ops:
            kind = OPERANDS[op].kind
            if op in ("xs1", "xs2", "vs1", "vs2"):
                edges = SCALAR_EDGES if kind == "xreg" else LANE_EDGES
                out += [f"{base}/{op}~{edge}" for edge in edges]
    return tuple(out)


def immediate_edges(op: str) -> dict[str, int]:
    low, high = operand_range(OPERANDS[op])
    return {"min": low, "0": 0, "max": high} if low < 0 else {"0": 0, "max": high}


@lru_cache(maxsize=1)
def define() -> tuple[str, ...]:
    """Every bin, in a stable order."""
    bins: list[str] = []
    for instr in INSTRS:
        bins += instruction_bins(instr)
    groups = {pair for instr in INSTRS for pair in trap_groups(instr)}
    groups |= {("illegal_instruction", "illegal_word"), ("instruction_access_fault", "next_pc")}
    bins += [f"trap/{cause}/{group}" for cause, group in sorted(groups)]
    for load in vector_loads():
        bins += [f"hazard/{load.name}/trap", f"hazard/{load.name}/gap1"]
    for instr in INSTRS:
        if instr.klass == LANE_LOCAL:
            bins += [f"lanes/{instr.name}/{p}" for p in ("all", "some", "none", "crossing")]
    bins += [f"dma/{ch}/{bit}" for ch in DMA_STATUS.values() for bit in DMA_BITS]
    return tuple(bins)


# ------------------------------------------------------------------ counting
@lru_cache(maxsize=4096)
def _decode(word: int) -> Instr | None:
    return lookup(word)


class Sampler:
    """Counts the bins the given runs reach (`hits`: bin name -> times)."""

    def __init__(self) -> None:
        self.hits: collections.Counter[str] = collections.Counter()
        self.runs = 0

    def add(self, trace: np.ndarray, state: MachineState, imem: np.ndarray) -> None:
        """One run: its commit trace, its end state and its instruction memory (uint32 words)."""
        self.runs += 1
        x = np.zeros(32, np.int64)
        v = np.zeros((32, LANES), np.int64)
        previous: list[Instr | None] = [None, None]  # the last two retired instructions
        loads: list[tuple[Instr, int] | None] = [None, None]  # (vector load, destination)
        for record in trace:
            word = int(record["word"])
            instr = _decode(word)
            if instr is not None:
                self._instruction(instr, word, x, v)
                self._hazard_gap(instr, word, loads[0])
                self._dma_status(instr, word, record)
            self._write_back(record, x, v)
            previous = [previous[1], instr]
            dest = extract(OPERANDS["vd"], word) if instr and "vd" in instr.operands else -1
            loads = [loads[1], (instr, dest) if instr in vector_loads() else None]
        if state.exit == "trap":
            self._trap(state, imem, previous[1], loads[1])

    # -------------------------------------------------------------- per instruction
    def _instruction(self, instr: Instr, word: int, x: np.ndarray, v: np.ndarray) -> None:
        base = f"instr/{instr.name}"
        hits = self.hits
        hits[base] += 1
        values = {op: extract(OPERANDS[op], word) for op in instr.operands}
        if values.get("xd") == 0:
            hits[f"{base}/xd=x0"] += 1
        for dst, srcs in (("xd", ("xs1", "xs2")), ("vd", ("vs1", "vs2"))):
            if dst in values and any(values.get(s) == values[dst] for s in srcs):
                hits[f"{base}/src=dst"] += 1
        known = frozenset(instruction_bins(instr))
        for op, value in values.items():
            for edge, at in immediate_edges(op).items() if op in VALUE_IMMEDIATES else ():
                if value == at and f"{base}/{op}={edge}" in known:
                    hits[f"{base}/{op}={edge}"] += 1
            self._source_edges(base, op, value, x, v, known)
        if instr.klass == LANE_LOCAL:
            self._lanes(instr, values, v)

    def _source_edges(
        self, base: str, op: str, reg: int, x: np.ndarray, v: np.ndarray, known: frozenset[str]
    ) -> None:
        """A source register holding an edge value (known from the replayed writes)."""
        if f"{base}/{op}~0" not in known:
            return
        if OPERANDS[op].kind == "xreg":
            value = int(x[reg]) & 0xFFFFFFFF
            edges = [e for e, at in SCALAR_EDGES.items() if value == at]
        else:
            edges = [e for e, at in LANE_EDGES.items() if (v[reg] == at).any()]
        for edge in edges:
            self.hits[f"{base}/{op}~{edge}"] += 1

    def _lanes(self, instr: Instr, values: dict[str, int], v: np.ndarray) -> None:
        bases = v[values["vs1"]]
        offset = values.get("imm12", values.get("simm12", 0))
        enabled = int((bases >= 0).sum())
        pattern = "all" if enabled == LANES else ("none" if enabled == 0 else "some")
        self.hits[f"lanes/{instr.name}/{pattern}"] += 1
        if ((bases < 0) & (bases + offset >= 0)).any():
            self.hits[f"lanes/{instr.name}/crossing"] += 1

    def _hazard_gap(self, instr: Instr, word: int, load: tuple[Instr, int] | None) -> None:
        """The instruction two after a vector load uses what it loaded."""
        if load is None:
            return
        loaded, dest = load
        if loaded.name in RNG_LOADS:
            used = steps_rng(instr)
        else:
            vregs = [op for op in instr.operands if OPERANDS[op].kind == "vreg"]
            used = dest in [extract(OPERANDS[op], word) for op in vregs]
        if used:
            self.hits[f"hazard/{loaded.name}/gap1"] += 1

    @staticmethod
    def _write_back(record: np.void, x: np.ndarray, v: np.ndarray) -> None:
        kind = int(record["kind"])
        if kind & commit.WRITES_X:
            x[int(record["rd"])] = int(record["x"])
        if kind & commit.WRITES_V:
            v[int(record["vd"])] = record["vec"]

    def _dma_status(self, instr: Instr, word: int, record: np.void) -> None:
        """A CSR instruction that read a DMA status register into a register: its bits."""
        if instr.ext != "Zicsr" or not int(record["kind"]) & commit.WRITES_X:
            return
        channel = DMA_STATUS.get(extract(OPERANDS["csr"], word))
        for bit, mask in DMA_BITS.items() if channel else ():
            if int(record["x"]) & mask:
                self.hits[f"dma/{channel}/{bit}"] += 1

    # -------------------------------------------------------------- how the run ended
    def _trap(
        self,
        state: MachineState,
        imem: np.ndarray,
        last: Instr | None,
        load: tuple[Instr, int] | None,
    ) -> None:
        """The trap bin of a run that ended in a trap: its cause and the group that raised it."""
        cause = cast(str, state.cause)  # a trapped state: its cause is set
        if cause == "instruction_access_fault":
            group = "next_pc"
            if last is not None and (is_branch(last) or is_jump(last)):
                group = "branch" if is_branch(last) else "jump"
        else:
            index = state.pc // 4
            word = int(imem[index]) if 0 <= index < imem.size else 0
            instr = _decode(word)
            if instr is None:
                group = "illegal_word"
            elif cause == "illegal_instruction":
                group = "csr"
            elif cause == "vector_load_use" and load and load[0].name in RNG_LOADS:
                group = "rng"
            elif cause.startswith("instruction_address"):
                group = "branch" if is_branch(instr) else "jump"
            else:
                group = instr.klass
        self.hits[f"trap/{cause}/{group}"] += 1
        if cause == "vector_load_use" and load is not None:
            self.hits[f"hazard/{load[0].name}/trap"] += 1
