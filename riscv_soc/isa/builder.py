"""The Python builder API: the one encoder of assembly code.

Data flow: the text assembler (`riscv_soc.isa.asm`) and the firmware compiler both call a `Builder`,
one method per mnemonic and pseudo-instruction; `build()` lays the sections out in their memories,
gives every label its value, encodes what was waiting for labels and returns an `Image`. Encodings
come only from `riscv_soc.isa.table`.

    b = Builder()
    b.label("_start")
    b.li("a0", 100)
    b.label("loop")
    b.addi("a0", "a0", -1)
    b.bnez("a0", "loop")
    b.ecall()
    image = b.build()

Operands go in text order; a memory operand `imm(base)` is two operands, `b.lw("a0", 8, "sp")`.
Registers are names or numbers; branch and jump targets, and `li`/`la` values, may be label names
(strings) or expressions (`riscv_soc.isa.expr`). A label's value is its byte offset within its
memory (every memory is addressed from 0).
"""

from __future__ import annotations

import difflib
import itertools
import keyword
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field

from riscv_soc.errors import AsmError
from riscv_soc.image import (
    MEMORIES,
    SECTION_MEMORIES,
    Image,
    Section,
    Symbol,
    is_nobits_section,
    memory_of_section,
)
from riscv_soc.isa import expr as ex
from riscv_soc.isa.csr import ASM_NAMES
from riscv_soc.isa.disasm import disassemble
from riscv_soc.isa.registers import REGISTER_CLASSES, register_class
from riscv_soc.isa.table import BY_NAME, INSTRS, OPERANDS, Instr, Operand, insert, operand_range
from riscv_soc.soc import DEFAULT, SocConfig

# Start alignment of a section in its memory: vector memory and DDR move whole 64-byte vectors.
SECTION_ALIGN = {"imem": 4, "dmem": 4, "vmem": 64, "llm": 4, "ddr": 64}
IMMEDIATE_ALSO_UNSIGNED = {"imm16"}  # vlui takes 0..0xffff as well as -32768..32767
HIDDEN_PREFIX = ".L"  # labels that stay out of the image's symbol table (GNU's local labels)
NOP = 0x00000013  # addi zero, zero, 0: fill of .align in instruction memory
C_NOP = 0x0001  # GNU as pads a 2-byte gap in code with c.nop, even without the C extension

Value = int | str | ex.Expr


def method_name(mnemonic: str) -> str:
    """Builder method of a mnemonic: dots become underscores, keywords get a trailing one."""
    name = mnemonic.replace(".", "_")
    return name + "_" if keyword.iskeyword(name) else name


@dataclass(frozen=True)
class Loc:
    """Where an instruction came from: file, line, column, and the column of each operand."""

    file: str
    line: int
    col: int = 0
    operand_cols: tuple[int, ...] = ()

    def at(self, operand: int | None = None) -> str:
        col = self.col
        if operand is not None and operand < len(self.operand_cols):
            col = self.operand_cols[operand]
        return f"{self.file}:{self.line}:{col}" if col else f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Pseudo:
    """A pseudo-instruction: its operands and the real instructions it expands to.

    `expansion` lists (mnemonic, operand, ...) with operands named from `syntax` or literal;
    computed pseudo-instructions (li, la, call, tail) have none and describe themselves in `doc`.
    """

    name: str
    syntax: str
    expansion: tuple[tuple[Value, ...], ...] = ()
    doc: str = ""

    @property
    def operands(self) -> tuple[str, ...]:
        return tuple(s.strip() for s in self.syntax.split(",") if s.strip())

    def describe(self) -> str:
        """The expansion in assembler syntax (memory operands as `imm(base)`)."""
        if self.doc:
            return self.doc
        return "; ".join(_render(str(m), [str(a) for a in args]) for m, *args in self.expansion)


def _render(mnemonic: str, args: list[str]) -> str:
    slots = [s.strip() for s in BY_NAME[mnemonic].syntax.split(",") if s.strip()]
    shown = [f"{args.pop(0)}({args.pop(0)})" if "(" in slot else args.pop(0) for slot in slots]
    return f"{mnemonic} {', '.join(shown)}".strip()


def _p(name: str, syntax: str, *expansion: tuple[Value, ...]) -> Pseudo:
    return Pseudo(name, syntax, expansion)


PSEUDOS: tuple[Pseudo, ...] = (
    _p("nop", "", ("addi", "zero", "zero", 0)),
    Pseudo(
        "li",
        "rd, imm",
        doc="addi rd, zero, imm; or lui rd, upper (+ addi rd, rd, lower) as "
        "GNU as; for a label or any non-constant value: lui rd, %hi(imm); addi rd, rd, %lo(imm)",
    ),
    Pseudo(
        "la",
        "rd, symbol",
        doc="lui rd, %hi(symbol); addi rd, rd, %lo(symbol) (absolute, "
        "not GNU's pc-relative auipc form: the machine is Harvard)",
    ),
    _p("mv", "rd, rs", ("addi", "rd", "rs", 0)),
    _p("not", "rd, rs", ("xori", "rd", "rs", -1)),
    _p("neg", "rd, rs", ("sub", "rd", "zero", "rs")),
    _p("seqz", "rd, rs", ("sltiu", "rd", "rs", 1)),
    _p("snez", "rd, rs", ("sltu", "rd", "zero", "rs")),
    _p("sltz", "rd, rs", ("slt", "rd", "rs", "zero")),
    _p("sgtz", "rd, rs", ("slt", "rd", "zero", "rs")),
    _p("zext.b", "rd, rs", ("andi", "rd", "rs", 255)),
    _p("beqz", "rs, target", ("beq", "rs", "zero", "target")),
    _p("bnez", "rs, target", ("bne", "rs", "zero", "target")),
    _p("blez", "rs, target", ("bge", "zero", "rs", "target")),
    _p("bgez", "rs, target", ("bge", "rs", "zero", "target")),
    _p("bltz", "rs, target", ("blt", "rs", "zero", "target")),
    _p("bgtz", "rs, target", ("blt", "zero", "rs", "target")),
    _p("bgt", "rs, rt, target", ("blt", "rt", "rs", "target")),
    _p("ble", "rs, rt, target", ("bge", "rt", "rs", "target")),
    _p("bgtu", "rs, rt, target", ("bltu", "rt", "rs", "target")),
    _p("bleu", "rs, rt, target", ("bgeu", "rt", "rs", "target")),
    _p("j", "target", ("jal", "zero", "target")),
    _p("jal", "target", ("jal", "ra", "target")),
    _p("jr", "rs", ("jalr", "zero", 0, "rs")),
    _p("jalr", "rs", ("jalr", "ra", 0, "rs")),
    _p("ret", "", ("jalr", "zero", 0, "ra")),
    Pseudo("call", "target", doc="auipc ra, %pcrel_hi(target); jalr ra, %pcrel_lo(target)(ra)"),
    Pseudo("tail", "target", doc="auipc t1, %pcrel_hi(target); jalr zero, %pcrel_lo(target)(t1)"),
    _p("csrr", "rd, csr", ("csrrs", "rd", "csr", "zero")),
    _p("csrw", "csr, rs", ("csrrw", "zero", "csr", "rs")),
    _p("csrs", "csr, rs", ("csrrs", "zero", "csr", "rs")),
    _p("csrc", "csr, rs", ("csrrc", "zero", "csr", "rs")),
    _p("csrwi", "csr, uimm", ("csrrwi", "zero", "csr", "uimm")),
    _p("csrsi", "csr, uimm", ("csrrsi", "zero", "csr", "uimm")),
    _p("csrci", "csr, uimm", ("csrrci", "zero", "csr", "uimm")),
    _p("rdcycle", "rd", ("csrrs", "rd", "cycle", "zero")),
    _p("rdcycleh", "rd", ("csrrs", "rd", "cycleh", "zero")),
    _p("rdinstret", "rd", ("csrrs", "rd", "instret", "zero")),
    _p("rdinstreth", "rd", ("csrrs", "rd", "instreth", "zero")),
    _p("unimp", "", ("csrrw", "zero", "cycle", "zero")),
)
PSEUDO_BY_NAME: dict[str, Pseudo] = {p.name: p for p in PSEUDOS}
MNEMONICS: tuple[str, ...] = tuple(sorted({i.name for i in INSTRS} | set(PSEUDO_BY_NAME)))
_COMPUTED = ("li", "la", "call", "tail")


@dataclass(frozen=True)
class _Call:
    """One call of a builder method: what the user wrote, for error messages."""

    mnemonic: str
    names: tuple[str, ...]  # operand names, in the user's order
    loc: Loc

    def where(self, operand: int | None) -> str:
        return self.loc.at(operand)

    def name(self, operand: int | None) -> str:
        return self.names[operand] if operand is not None else "an implied operand"


@dataclass(frozen=True)
class _Target:
    """A branch or jump target: an absolute imem address, encoded as an offset from the pc."""

    expr: ex.Expr


@dataclass
class _Section:
    name: str
    memory: str
    nobits: bool
    order: int
    first_loc: Loc
    data: bytearray = field(default_factory=bytearray)
    align: int = 1

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass
class _Item:
    """One emitted instruction or data unit; `values` still holding expressions wait for build()."""

    section: _Section
    offset: int
    size: int
    call: _Call
    comment: str | None
    instr: Instr | None = None  # None: data
    values: tuple = ()  # per operand (instruction) or one value (data)
    sources: tuple[int | None, ...] = ()  # the user's operand index of each value

    @property
    def pending(self) -> bool:
        return any(isinstance(v, ex.Expr | _Target) for v in self.values)


def _caller_loc() -> Loc:
    frame = sys._getframe(1)
    while frame is not None and frame.f_code.co_filename == __file__:
        frame = frame.f_back
    if frame is None:
        return Loc("<builder>", 0)
    return Loc(frame.f_code.co_filename, frame.f_lineno)


def _as_expr(value: Value) -> ex.Expr:
    if isinstance(value, ex.Expr):
        return value
    if isinstance(value, str):
        return ex.Sym(value)
    return ex.Num(int(value))


def _signed32(value: int) -> int:
    return ((value & 0xFFFFFFFF) ^ 0x80000000) - 0x80000000


class Builder:
    """Emits instructions and data into sections, then builds an `Image`.

    `loc`: the source location recorded for the next emitted instructions (the text assembler sets
    it per statement); None records the calling Python file and line.
    """

    def __init__(self, config: SocConfig = DEFAULT, source: str = "<builder>") -> None:
        self.config = config
        self.source = source
        self.loc: Loc | None = None
        self._sections: dict[str, _Section] = {}
        self._current: _Section
        self._items: list[_Item] = []
        self._labels: dict[str, tuple[_Section, int, Loc]] = {}
        self._equs: dict[str, tuple[ex.Expr, Loc]] = {}
        self._hidden = itertools.count()
        self._local_counts: dict[int, int] = {}
        self.section(".text")

    # Sections, labels, symbols.

    def section(self, name: str, nobits: bool | None = None) -> None:
        """Switch to section `name` (created on first use); its name decides its memory."""
        loc = self._where()
        if name not in self._sections:
            memory = memory_of_section(name)
            if memory is None:
                known = ", ".join(prefix for prefix, _ in SECTION_MEMORIES)
                raise AsmError(f"{loc.at()}: unknown section {name}; known: {known}")
            nobits = is_nobits_section(name) if nobits is None else nobits
            order = len(self._sections)
            self._sections[name] = _Section(name, memory, nobits, order, loc)
        self._current = self._sections[name]
        self._current.align = max(self._current.align, SECTION_ALIGN[self._current.memory])

    def label(self, name: str) -> None:
        """Define label `name` at the current position."""
        loc = self._where()
        if not ex.SYMBOL_RE.fullmatch(name):
            raise AsmError(f"{loc.at()}: {name!r} is not a valid label name")
        self._define(name, loc)

    def here_label(self) -> str:
        """Define a fresh hidden label at the current position and return its name."""
        name = f"{HIDDEN_PREFIX}.here{next(self._hidden)}"
        self._define(name, self._where())
        return name

    def local_label(self, number: int) -> None:
        """Define GNU numeric local label `number` (`1:`) here; refer to it with `local_ref`."""
        self._local_counts[number] = self._local_counts.get(number, 0) + 1
        self._define(_local_name(number, self._local_counts[number]), self._where())

    def _define(self, name: str, loc: Loc) -> None:
        self._check_new_symbol(name, loc)
        self._labels[name] = (self._current, self._current.size, loc)

    def local_ref(self, number: int, direction: str) -> str:
        """Label name of `1b` (the latest `1:` so far, direction "b") or `1f` (the next one)."""
        count = self._local_counts.get(number, 0)
        if direction == "b":
            if count == 0:
                raise AsmError(f"{self._where().at()}: {number}b: no label {number}: before here")
            return _local_name(number, count)
        return _local_name(number, count + 1)

    def constant(self, value: Value) -> int | None:
        """Value of an int or expression now, or None if it depends on a label or a later symbol."""
        call = _Call("expression", ("value",), self._where())
        return self._constant(self._checked_expr(value, call, 0), call, 0)

    def equ(self, name: str, value: Value) -> None:
        """Give symbol `name` a value (GNU `.equ`/`.set`; it may be redefined, unlike a label)."""
        loc = self._where()
        if name in self._labels:
            self._check_new_symbol(name, loc)
        expr = _as_expr(value)
        call = _Call(".equ", (name,), loc)
        const = self._constant(expr, call, None)  # `.set N, N + 1` uses the old N, as GNU as
        self._equs[name] = (ex.Num(const) if const is not None else expr, loc)

    def here(self) -> int:
        """Offset of the next byte in the current section."""
        return self._current.size

    @property
    def current_section(self) -> str:
        return self._current.name

    def _check_new_symbol(self, name: str, loc: Loc) -> None:
        if name in self._labels or name in self._equs:
            first = self._labels[name][2] if name in self._labels else self._equs[name][1]
            raise AsmError(f"{loc.at()}: duplicate label {name} (first defined at {first.at()})")

    # Instructions.

    def emit(self, mnemonic: str, *operands: Value, comment: str | None = None) -> None:
        """Emit one instruction or pseudo-instruction by name (what every method calls)."""
        loc = self._where()
        name = mnemonic.lower()
        instr = BY_NAME.get(name)
        pseudo = PSEUDO_BY_NAME.get(name)
        if instr is not None and len(operands) == len(instr.operands):
            call = _Call(name, instr.operands, loc)
            self._instr(instr, operands, tuple(range(len(operands))), call, comment)
        elif pseudo is not None and len(operands) == len(pseudo.operands):
            call = _Call(name, pseudo.operands, loc)
            if name in _COMPUTED:
                getattr(self, f"_expand_{name}")(operands, call, comment)
            else:
                self._expand(pseudo, operands, call, comment)
        elif instr is None and pseudo is None:
            raise AsmError(f"{loc.at()}: unknown instruction {mnemonic}{_suggest(name)}")
        else:
            forms = [_operand_count(f.operands) for f in (instr, pseudo) if f]
            raise AsmError(f"{loc.at()}: {name} expects {' or '.join(forms)}, got {len(operands)}")

    def _expand(self, pseudo: Pseudo, operands: tuple, call: _Call, comment: str | None) -> None:
        index = {name: i for i, name in enumerate(pseudo.operands)}
        for mnemonic, *args in pseudo.expansion:
            values = tuple(operands[index[a]] if a in index else a for a in args)
            sources = tuple(index.get(a) if isinstance(a, str) else None for a in args)
            self._instr(BY_NAME[mnemonic], values, sources, call, comment)
            comment = None

    def _expand_li(self, operands: tuple, call: _Call, comment: str | None) -> None:
        rd, value = operands
        expr = self._checked_expr(value, call, 1)
        const = self._constant(expr, call, 1)
        if const is None:
            self._expand_la(operands, call, comment)
            return
        if not -(1 << 31) <= const < 1 << 32:
            raise AsmError(
                f"{call.where(1)}: li imm must be in {-(1 << 31)}..{(1 << 32) - 1}, got {const}"
            )
        # GNU as's RV32 expansion: signed low 12 bits, and lui of the rest when that is not 0.
        value32 = _signed32(const)
        low = ex.lo(value32)
        upper = value32 - low
        base = "zero"
        if upper:
            self._instr(BY_NAME["lui"], (rd, (upper & 0xFFFFFFFF) >> 12), (0, 1), call, comment)
            base, comment = rd, None
        if low or not upper:
            self._instr(
                BY_NAME["addi"], (rd, base, low), (0, 0 if upper else None, 1), call, comment
            )

    def _expand_la(self, operands: tuple, call: _Call, comment: str | None) -> None:
        rd, value = operands
        expr = self._checked_expr(value, call, 1)
        self._instr(BY_NAME["lui"], (rd, ex.Func("hi", expr)), (0, 1), call, comment)
        self._instr(BY_NAME["addi"], (rd, rd, ex.Func("lo", expr)), (0, 0, 1), call, None)

    def _expand_call(self, operands: tuple, call: _Call, comment: str | None) -> None:
        self._pc_relative_pair("ra", "ra", operands[0], call, comment)

    def _expand_tail(self, operands: tuple, call: _Call, comment: str | None) -> None:
        self._pc_relative_pair("t1", "zero", operands[0], call, comment)

    def _pc_relative_pair(self, via: str, link: str, target: Value, call: _Call, comment) -> None:
        # auipc + jalr reach any imem address: the pair's offset is taken from the auipc's pc.
        offset = ex.Binary("-", self._checked_expr(target, call, 0), ex.Sym(self.here_label()))
        self._instr(BY_NAME["auipc"], (via, ex.Func("hi", offset)), (None, 0), call, comment)
        self._instr(
            BY_NAME["jalr"], (link, ex.Func("lo", offset), via), (None, 0, None), call, None
        )

    def _instr(self, instr: Instr, operands: tuple, sources: tuple, call: _Call, comment) -> None:
        section = self._current
        if section.memory != "imem":
            raise AsmError(
                f"{call.where(None)}: {call.mnemonic} in section {section.name}, which "
                f"is in {section.memory}: instructions go in .text (imem)"
            )
        values = tuple(
            self._operand(OPERANDS[slot], value, call, src)
            for slot, value, src in zip(instr.operands, operands, sources, strict=True)
        )
        item = _Item(section, section.size, 4, call, comment, instr, values, sources)
        section.data += (0 if item.pending else _encode(instr, values)).to_bytes(4, "little")
        self._items.append(item)

    def _operand(self, operand: Operand, value: Value, call: _Call, src: int | None):
        """Check one operand: a register number, an immediate (int or pending) or a target."""
        if operand.kind in REGISTER_CLASSES:
            return self._register(operand, value, call, src)
        expr = self._checked_expr(value, call, src)
        if operand.align == 2:
            return _Target(expr)
        if operand.kind == "csr" and isinstance(value, str):
            return self._csr(value, call, src)
        const = self._constant(expr, call, src)
        if const is None:
            return expr
        _check_range(operand, const, call, src)
        return const

    def _csr(self, name: str, call: _Call, src: int | None) -> int:
        if name.lower() in ASM_NAMES:
            return ASM_NAMES[name.lower()]
        const = self._constant(ex.Sym(name), call, src)  # a .equ symbol holding a CSR number
        if const is None:
            close = difflib.get_close_matches(name.lower(), ASM_NAMES, n=3, cutoff=0.6)
            hint = f"; did you mean {', '.join(close)}?" if close else " (names: docs/isa.md)"
            raise AsmError(f"{call.where(src)}: {call.mnemonic}: unknown CSR {name}{hint}")
        _check_range(OPERANDS["csr"], const, call, src)
        return const

    def _register(self, operand: Operand, value: Value, call: _Call, src: int | None) -> int:
        wanted, names = REGISTER_CLASSES[operand.kind]
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 32:
            return value
        if isinstance(value, str) and value.lower() in names:
            return names[value.lower()]
        got = value
        if isinstance(value, str) and register_class(value) is None:
            got = f"{value} (not a register)"
        raise AsmError(
            f"{call.where(src)}: {call.mnemonic} expects {wanted} for {call.name(src)}, got {got}"
        )

    def _checked_expr(self, value: Value, call: _Call, src: int | None) -> ex.Expr:
        if isinstance(value, str) and register_class(value) is not None:
            raise AsmError(
                f"{call.where(src)}: {call.mnemonic} expects a value for "
                f"{call.name(src)}, got register {value}"
            )
        if not isinstance(value, int | str | ex.Expr) or isinstance(value, bool):
            raise AsmError(
                f"{call.where(src)}: {call.mnemonic} {call.name(src)}: expected an int, "
                f"a label or an expression, got {value!r}"
            )
        return _as_expr(value)

    def _constant(self, expr: ex.Expr, call: _Call, src: int | None) -> int | None:
        """Value of `expr` now, if it uses no label and no symbol that is not yet a constant."""
        try:
            return expr.evaluate(self._known_constant)
        except ex.UndefinedSymbol:
            return None
        except ex.ExprError as err:
            raise AsmError(f"{call.where(src)}: {err}") from None

    def _known_constant(self, name: str, seen: frozenset[str] = frozenset()) -> int:
        if name not in self._equs or name in seen:
            raise KeyError(name)  # not (yet) a constant; a cycle is reported by build()
        return self._equs[name][0].evaluate(lambda n: self._known_constant(n, seen | {name}))

    # Data.

    def word(self, values: Value | Iterable[Value], *, comment: str | None = None) -> None:
        """32-bit little-endian words (-2**31 .. 2**32-1); labels and expressions allowed."""
        self._data(4, values, comment)

    def half(self, values: Value | Iterable[Value], *, comment: str | None = None) -> None:
        self._data(2, values, comment)

    def byte(self, values: Value | Iterable[Value], *, comment: str | None = None) -> None:
        self._data(1, values, comment)

    def _data(self, width: int, values, comment: str | None) -> None:
        call = _Call({4: ".word", 2: ".half", 1: ".byte"}[width], ("value",), self._where())
        if isinstance(values, int | str | ex.Expr):
            values = [values]
        for value in values:
            expr = self._checked_expr(
                value if isinstance(value, str | ex.Expr) else int(value), call, 0
            )
            const = self._constant(expr, call, 0)
            if const is None:
                self._put(bytes(width), call, comment, (expr,))
            else:
                _check_data_range(width, const, call)
                self._put(_data_bytes(width, const), call, comment, (const,))
            comment = None

    def zero(self, count: int) -> None:
        """`count` zero bytes (GNU `.zero`)."""
        self.space(count)

    def space(self, count: int, fill: int = 0) -> None:
        """`count` bytes of `fill` (GNU `.space`/`.skip`)."""
        call = _Call(".space", ("count", "fill"), self._where())
        if count < 0:
            raise AsmError(f"{call.where(0)}: .space count must be >= 0, got {count}")
        if not -128 <= fill <= 255:
            raise AsmError(f"{call.where(1)}: .space fill must be in -128..255, got {fill}")
        self._put(bytes([fill & 0xFF]) * count, call)

    def ascii(self, text: str | bytes, zero_terminated: bool = False) -> None:
        data = text.encode() if isinstance(text, str) else bytes(text)
        self._put(data + (b"\0" if zero_terminated else b""), _Call(".ascii", (), self._where()))

    def align(self, nbytes: int, fill: int | None = None) -> None:
        """Pad to a multiple of `nbytes` (a power of two; GNU `.balign`; `.align n` is 2**n).

        Padding is `fill`, or zeros; in instruction memory it is what GNU as writes: a zero byte
        if the gap is odd, a 2-byte c.nop if it is 2 mod 4, then 4-byte `nop`s.
        """
        call = _Call(".balign", ("alignment",), self._where())
        if nbytes < 1 or nbytes & (nbytes - 1):
            raise AsmError(f"{call.where(0)}: alignment must be a power of two, got {nbytes}")
        section = self._current
        section.align = max(section.align, nbytes)
        pad = -section.size % nbytes
        if fill is not None or section.memory != "imem":
            self._put(bytes([(fill or 0) & 0xFF]) * pad, call)
            return
        odd, half = pad % 2, (pad - pad % 2) % 4
        nops = NOP.to_bytes(4, "little") * ((pad - odd - half) // 4)
        self._put(bytes(odd) + C_NOP.to_bytes(2, "little") * (half // 2) + nops, call)

    def _put(self, data: bytes, call: _Call, comment: str | None = None, values=()) -> None:
        section = self._current
        if section.nobits and (any(data) or any(isinstance(v, ex.Expr) for v in values)):
            raise AsmError(
                f"{call.where(None)}: section {section.name} is zero-filled; "
                f"{call.mnemonic} stores non-zero bytes there"
            )
        sources = (0,) * len(values)
        self._items.append(
            _Item(section, section.size, len(data), call, comment, None, values, sources)
        )
        section.data += data

    # Build.

    def build(self) -> Image:
        """Lay out the sections, resolve labels and pending operands, return the image.

        Raises AsmError (with the source location) for an undefined label, an operand out of range
        once its label is known, or a section that overflows its memory.
        """
        bases = self._layout()
        symbols = self._symbol_values(bases)
        for item in self._items:
            if item.pending:
                self._resolve(item, bases, symbols)
        image = Image(
            sections=[
                Section(s.name, s.memory, bases[s.name], b"" if s.nobits else bytes(s.data), s.size)
                for s in sorted(
                    self._sections.values(), key=lambda s: (MEMORIES.index(s.memory), bases[s.name])
                )
                if s.size or any(sec is s for sec, _, _ in self._labels.values())
            ],
            entry=self._entry(symbols),
            symbols={
                name: Symbol(name, sec.memory, symbols[name])
                for name, (sec, _, _) in self._labels.items()
                if not name.startswith(HIDDEN_PREFIX)
            },
            source=self.source,
        )
        image.check(self.config)
        return image

    def _layout(self) -> dict[str, int]:
        """Base address of each section: per memory in order of first use, zero-filled ones last."""
        bases: dict[str, int] = {}
        sizes = {name: mem.size for name, mem in self.config.memories().items()}
        ends: dict[str, int] = {}
        for sec in sorted(self._sections.values(), key=lambda s: (s.nobits, s.order)):
            base = -ends.get(sec.memory, 0) // sec.align * -sec.align
            bases[sec.name] = base
            ends[sec.memory] = base + sec.size
            if base + sec.size > sizes[sec.memory]:
                self._overflow(sec, base, sizes[sec.memory])
        return bases

    def _overflow(self, sec: _Section, base: int, limit: int) -> None:
        culprit = next(
            (i for i in self._items if i.section is sec and base + i.offset + i.size > limit), None
        )
        loc = culprit.call.loc if culprit else sec.first_loc
        raise AsmError(
            f"{loc.at()}: section {sec.name} overflows {sec.memory}: it would end at "
            f"{base + sec.size:#x}, but {sec.memory} holds {limit:#x} bytes"
        )

    def _symbol_values(self, bases: dict[str, int]) -> dict[str, int]:
        values = {name: bases[sec.name] + off for name, (sec, off, _) in self._labels.items()}
        resolving: set[str] = set()

        def lookup(name: str) -> int:
            if name in values:
                return values[name]
            if name not in self._equs:
                raise KeyError(name)
            expr, loc = self._equs[name]
            if name in resolving:
                raise AsmError(f"{loc.at()}: symbol {name} is defined in terms of itself")
            resolving.add(name)
            values[name] = self._evaluate(expr, lookup, loc)
            return values[name]

        for name in self._equs:
            lookup(name)
        return values

    def _evaluate(self, expr: ex.Expr, lookup, loc: Loc, operand: int | None = None) -> int:
        try:
            return expr.evaluate(lookup)
        except ex.UndefinedSymbol as err:
            sym = err.symbol
            where = Loc(loc.file, loc.line, sym.col).at() if sym.col else loc.at(operand)
            raise AsmError(f"{where}: undefined label {_shown(sym.name)}") from None
        except ex.ExprError as err:
            where = Loc(loc.file, loc.line, err.col).at() if err.col else loc.at(operand)
            raise AsmError(f"{where}: {err}") from None

    def _resolve(self, item: _Item, bases: dict[str, int], symbols: dict[str, int]) -> None:
        call = item.call
        address = bases[item.section.name] + item.offset
        if item.instr is None:
            value = self._evaluate(item.values[0], symbols.__getitem__, call.loc, 0)
            _check_data_range(item.size, value, call)
            item.section.data[item.offset : item.offset + item.size] = _data_bytes(item.size, value)
            return
        ints = []
        for slot, value, src in zip(item.instr.operands, item.values, item.sources, strict=True):
            operand = OPERANDS[slot]
            if isinstance(value, _Target):
                value = self._target_offset(operand, value, address, call, src, symbols)
            elif isinstance(value, ex.Expr):
                value = self._evaluate(value, symbols.__getitem__, call.loc, src)
            _check_range(operand, value, call, src)
            ints.append(value)
        word = _encode(item.instr, ints)
        item.section.data[item.offset : item.offset + 4] = word.to_bytes(4, "little")

    def _target_offset(
        self, operand: Operand, target: _Target, pc: int, call: _Call, src, symbols
    ) -> int:
        for sym in target.expr.symbols():
            if sym.name in self._labels and self._labels[sym.name][0].memory != "imem":
                memory = self._labels[sym.name][0].memory
                raise AsmError(
                    f"{call.where(src)}: {call.mnemonic} target {_shown(sym.name)} is "
                    f"in {memory}, not in imem"
                )
        address = self._evaluate(target.expr, symbols.__getitem__, call.loc, src)
        offset = _signed32(address - pc)  # addresses are 32-bit: pc + offset wraps
        if offset % 2:
            raise AsmError(
                f"{call.where(src)}: {call.mnemonic} target {address:#x} is misaligned: "
                f"offset {offset} from pc {pc:#x} is odd"
            )
        lo, hi = _accepted_range(operand)
        if not lo <= offset <= hi:
            raise AsmError(
                f"{call.where(src)}: {call.mnemonic} target {address:#x} is out of "
                f"reach from pc {pc:#x}: offset {offset} is not in {lo}..{hi}"
            )
        return offset

    def _entry(self, symbols: dict[str, int]) -> int:
        if "_start" not in self._labels:
            return 0
        sec, _, loc = self._labels["_start"]
        if sec.memory != "imem":
            raise AsmError(f"{loc.at()}: entry label _start is in {sec.memory}, not in imem")
        return symbols["_start"]

    # Listing.

    def listing(self) -> str:
        """Every instruction and data unit: memory, address, value, text, source, comment."""
        bases = self._layout()
        self.build()
        lines = []
        for item in self._items:
            address = bases[item.section.name] + item.offset
            raw = int.from_bytes(item.section.data[item.offset : item.offset + item.size], "little")
            shown = f"{raw:0{2 * item.size}x}" if item.size <= 4 else "..."
            if item.instr is not None:
                text = disassemble(raw, address)
            elif item.values:
                text = f"{item.call.mnemonic} {raw:#x}"
            else:
                text = f"{item.call.mnemonic} ({item.size} bytes)"
            note = f"{item.call.loc.at()}" + (f"  {item.comment}" if item.comment else "")
            lines.append(f"{item.section.memory} {address:08x}  {shown:>8}  {text:<32} # {note}")
        return "\n".join(lines) + "\n"

    def _where(self) -> Loc:
        return self.loc if self.loc is not None else _caller_loc()


def _local_name(number: int, count: int) -> str:
    return f"{HIDDEN_PREFIX}{number}^{count}"


def _shown(name: str) -> str:
    """A label as the user wrote it: numeric local label n is stored as `.L<n>^<k>`, and only a
    forward reference (`nf`) can be left undefined."""
    if name.startswith(HIDDEN_PREFIX) and "^" in name:
        return name[len(HIDDEN_PREFIX) :].split("^")[0] + "f"
    return name


def _operand_count(names: tuple[str, ...]) -> str:
    if not names:
        return "no operands"
    return f"{len(names)} operand{'s' if len(names) > 1 else ''} ({', '.join(names)})"


def _check_range(operand: Operand, value: int, call: _Call, src: int | None) -> None:
    lo, hi = _accepted_range(operand)
    if not lo <= value <= hi:
        raise AsmError(
            f"{call.where(src)}: {call.mnemonic} {call.name(src)} must be in "
            f"{lo}..{hi}, got {value}"
        )


def _accepted_range(operand: Operand) -> tuple[int, int]:
    lo, hi = operand_range(operand)
    if operand.name in IMMEDIATE_ALSO_UNSIGNED:
        hi = (1 << operand.width) - 1
    if operand.align == 2:
        hi -= 1  # offsets are even: the top (odd) value is not reachable
    return lo, hi


def _check_data_range(width: int, value: int, call: _Call) -> None:
    bits = 8 * width
    if not -(1 << (bits - 1)) <= value < 1 << bits:
        raise AsmError(
            f"{call.where(0)}: {call.mnemonic} value must be in "
            f"{-(1 << (bits - 1))}..{(1 << bits) - 1}, got {value}"
        )


def _data_bytes(width: int, value: int) -> bytes:
    return (value & ((1 << (8 * width)) - 1)).to_bytes(width, "little")


def _encode(instr: Instr, values) -> int:
    word = instr.match
    for slot, value in zip(instr.operands, values, strict=True):
        word |= insert(OPERANDS[slot], value)
    return word


def _suggest(name: str) -> str:
    close = difflib.get_close_matches(name, MNEMONICS, n=3, cutoff=0.6)
    return f"; did you mean {', '.join(close)}?" if close else ""


def _make_method(mnemonic: str, forms: list[str]):
    def method(self: Builder, *operands: Value, comment: str | None = None) -> None:
        self.emit(mnemonic, *operands, comment=comment)

    method.__name__ = method.__qualname__ = method_name(mnemonic)
    method.__doc__ = "\n".join(f"{mnemonic} {form}" for form in forms)
    return method


def _install_methods() -> None:
    forms: dict[str, list[str]] = {}
    for instr in INSTRS:
        forms.setdefault(instr.name, []).append(f"{instr.syntax} [{instr.ext}]")
    for pseudo in PSEUDOS:
        forms.setdefault(pseudo.name, []).append(f"{pseudo.syntax} -> {pseudo.describe()}")
    for mnemonic, docs in forms.items():
        if hasattr(Builder, method_name(mnemonic)):
            raise RuntimeError(f"builder method {method_name(mnemonic)} clashes with a mnemonic")
        setattr(Builder, method_name(mnemonic), _make_method(mnemonic, docs))


_install_methods()
