"""The code emitter of the compiler: the assembler's Builder plus the two rules every kernel needs.

Where it sits: the kernel generators (scan, rows, neurons, program) call an `Emitter` one method
per mnemonic, exactly as they would call `riscv_soc.isa.builder.Builder`; the emitter forwards to
the builder and adds

- the vector load-use rule (docs/isa.md, "Hazards"): when an instruction would touch the
  destination of the vector load right before it (or step the RNG right after `vloadr0/1`), a `nop`
  goes in between. Generators schedule their loads so that this almost never happens; `nops`
  counts the ones that were needed, so tests can pin hot loops at zero. Tracking only the previous
  emitted instruction is exact: the instruction executed before any other is either the one
  emitted before it or a branch or jump, and those are never vector loads.
- `Pointer`: a scalar register walking through a memory region at an offset known at compile time,
  so that unrolled code reaches any offset with 12-bit immediates, re-basing only when needed.
"""

from __future__ import annotations

import itertools

from riscv_soc.isa.builder import MNEMONICS, Builder, method_name
from riscv_soc.isa.table import BY_NAME, OPERANDS

IMM_MIN, IMM_MAX = -2048, 2047
LOOKBACK = 512  # bytes a re-based Pointer still reaches behind its target
RNG = 32  # pseudo register number of the RNG state, the "destination" of vloadr0/1
VECTOR_LOADS = ("vloadv", "vloadl")
RNG_LOADS = ("vloadr0", "vloadr1")
ROUND_SUFFIX = {"floor": "", "rn": "_rn", "sr": "_rs"}  # mnemonic suffix of a rounding mode
_MNEMONIC_OF_METHOD = {method_name(m): m for m in MNEMONICS}  # sext_b -> sext.b, and_ -> and


def fits_imm12(value: int) -> bool:
    return IMM_MIN <= value <= IMM_MAX


def _vreg_number(value) -> int:
    return value if isinstance(value, int) else int(str(value).lower().lstrip("v"))


def _touched(name: str, operands: tuple) -> set[int]:
    """Vector registers an instruction reads or writes, plus RNG when it steps the generators."""
    instr = BY_NAME.get(name)
    if instr is None:  # a scalar pseudo-instruction
        return set()
    out = {
        _vreg_number(value)
        for slot, value in zip(instr.operands, operands, strict=True)
        if OPERANDS[slot].kind == "vreg"
    }
    if name == "vrng" or name.endswith("_rs"):
        out.add(RNG)
    return out


class Emitter:
    """A Builder that never emits a vector load-use hazard (see the module docstring)."""

    def __init__(self, builder: Builder) -> None:
        self.builder = builder
        self.nops = 0  # nops inserted for load-use hazards
        self._pending: int | None = None  # what the last instruction loads, if it was a load
        self._labels = itertools.count()

    def emit(self, mnemonic: str, *operands, comment: str | None = None) -> None:
        name = mnemonic.lower()
        if self._pending is not None and self._pending in _touched(name, operands):
            self.builder.nop(comment="vector load-use gap")
            self.nops += 1
        self.builder.emit(name, *operands, comment=comment)
        if name in VECTOR_LOADS:
            self._pending = _vreg_number(operands[0])
        elif name in RNG_LOADS:
            self._pending = RNG
        else:
            self._pending = None

    def __getattr__(self, mnemonic: str):
        if mnemonic.startswith("_"):
            raise AttributeError(mnemonic)

        def method(*operands, comment: str | None = None) -> None:
            self.emit(_MNEMONIC_OF_METHOD.get(mnemonic, mnemonic), *operands, comment=comment)

        return method

    def label(self, name: str) -> None:
        self.builder.label(name)

    def fresh(self, stem: str) -> str:
        """A new hidden label name (not in the image's symbol table)."""
        return f".L{stem}{next(self._labels)}"

    def add_const(self, rd: str, rs: str, value: int, tmp: str) -> None:
        """rd = rs + value for any 32-bit value (`tmp` is clobbered when it does not fit addi)."""
        if value == 0 and rd == rs:
            return
        if fits_imm12(value):
            self.addi(rd, rs, value)
        else:
            self.li(tmp, value)
            self.add(rd, rs, tmp)

    def far_branch(self, mnemonic: str, a: str, b: str, target: str) -> None:
        """Branch to a target that may lie beyond a branch's reach (+-4 KiB): the inverted
        branch skips a `j`."""
        inverse = {
            "beq": "bne",
            "bne": "beq",
            "blt": "bge",
            "bge": "blt",
            "bltu": "bgeu",
            "bgeu": "bltu",
        }[mnemonic]
        skip = self.fresh("skip")
        self.emit(inverse, a, b, skip)
        self.j(target)
        self.label(skip)


class Pointer:
    """A scalar register that points `offset` bytes into a region (known when compiling).

    `imm(target)` returns the 12-bit immediate that reaches region offset `target`, first moving
    the register (addi, or li + add through `tmp`) when the target is out of reach; the move puts
    the target near the bottom of the immediate range (LOOKBACK bytes above it, for accesses that
    trail behind), so ascending accesses re-base rarely.
    """

    def __init__(self, e: Emitter, reg: str, offset: int = 0, tmp: str | None = None) -> None:
        self.e, self.reg, self.offset, self.tmp = e, reg, offset, tmp

    def imm(self, target: int) -> int:
        if not fits_imm12(target - self.offset):
            self.move_to(target - IMM_MIN - LOOKBACK)
        return target - self.offset

    def move_to(self, offset: int) -> None:
        """Make the register point exactly at region offset `offset`."""
        delta = offset - self.offset
        if delta and not fits_imm12(delta) and self.tmp is None:
            raise ValueError(f"pointer {self.reg}: a move of {delta} bytes needs a temporary")
        self.e.add_const(self.reg, self.reg, delta, self.tmp or self.reg)
        self.offset = offset
