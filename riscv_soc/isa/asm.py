"""The text assembler: GNU-like assembly source in, builder calls out, an `Image` at the end.

Data flow: source text -> statements (labels, directives, instructions) -> `Builder` calls, so the
builder is the one encoder -> `Builder.build()` -> `Image` (written by `riscv_soc.image.elf`).
Syntax, directives and pseudo-instructions are in docs/assembly.md; errors are
`AsmError("file:line:col: message")`.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from riscv_soc.errors import AsmError
from riscv_soc.image import Image
from riscv_soc.isa import expr as ex
from riscv_soc.isa.builder import PSEUDO_BY_NAME, Builder, Loc, Value
from riscv_soc.isa.registers import is_register
from riscv_soc.isa.table import BY_NAME
from riscv_soc.soc import DEFAULT, SocConfig


def assemble(source: str, filename: str = "<string>", config: SocConfig = DEFAULT) -> Image:
    """Assemble `source` into an image. Raises AsmError naming file:line:col."""
    return parse(source, filename, Builder(config, filename)).build()


def assemble_file(path: str | Path, config: SocConfig = DEFAULT) -> Image:
    """Assemble the file at `path`."""
    try:
        source = Path(path).read_text()
    except (OSError, UnicodeDecodeError) as err:
        raise AsmError(f"{path}: cannot read assembly source: {err}") from None
    return assemble(source, str(path), config)


def parse(source: str, filename: str = "<string>", builder: Builder | None = None) -> Builder:
    """Feed `source` into `builder` (a new one by default) and return it, not yet built."""
    builder = builder if builder is not None else Builder(source=filename)
    assembler = _Assembler(builder, filename)
    for number, line in enumerate(source.splitlines(), start=1):
        for text, col in _split(line, ";", stop_at_comment=True):
            assembler.statement(text, number, col)
    builder.loc = None  # later builder calls are not at the source's last line
    return builder


@dataclass(frozen=True)
class _Operand:
    """One source operand: a register name, a value (label name or expression), or `imm(base)`."""

    kind: str  # "reg", "value", "mem"
    value: Value  # register name, value, or the memory operand's offset
    col: int
    base: str = ""  # "mem": the base register
    base_col: int = 0


# Directives: name -> (syntax, what it does). The handlers are _Assembler.d_<name>.
DIRECTIVES: dict[str, tuple[str, str]] = {
    ".text": ("", "switch to section .text (instruction memory)"),
    ".data": ("", "switch to section .data (scalar data memory)"),
    ".rodata": ("", "switch to section .rodata (scalar data memory)"),
    ".bss": ("", "switch to section .bss (scalar data memory, zero-filled)"),
    ".section": (
        'name[, "flags"[, @type]]',
        "switch to section `name`: .text* -> imem; .data*, "
        ".rodata*, .sdata*, .bss*, .sbss* -> dmem; .uram*, .vmem* -> vmem; .llm* -> llm; "
        ".ddr* -> ddr; `@nobits` makes it zero-filled",
    ),
    ".word": ("expr[, expr...]", "32-bit little-endian values (also `.4byte`, `.long`, `.int`)"),
    ".half": ("expr[, expr...]", "16-bit values (also `.2byte`, `.short`)"),
    ".byte": ("expr[, expr...]", "8-bit values"),
    ".zero": ("n", "n zero bytes"),
    ".space": ("n[, fill]", "n bytes of `fill` (default 0; also `.skip`)"),
    ".align": (
        "n[, fill]",
        "pad to a multiple of 2**n bytes (GNU RISC-V semantics; also "
        "`.p2align`); in .text the padding is `nop`s",
    ),
    ".balign": ("n[, fill]", "pad to a multiple of n bytes (a power of two)"),
    ".ascii": ('"text"', "the bytes of a string"),
    ".asciz": ('"text"', "the bytes of a string and a zero byte (also `.string`)"),
    ".equ": ("name, expr", "give a symbol a value (also `.set`; may be redefined)"),
    ".globl": (
        "name",
        "accepted and ignored: every label is in the image's symbol table (also "
        "`.global`, `.local`, `.weak`, `.type`, `.size`, `.file`, `.ident`, `.option`, "
        "`.attribute`)",
    ),
}
# Directives accepted and ignored, as .globl is.
_IGNORED_LIKE_GLOBL = (
    *(".global", ".local", ".weak"),  # symbol binding
    *(".type", ".size"),  # symbol type and size
    *(".file", ".ident", ".option", ".attribute"),  # notes for other tools
)
_ALIASES = {
    ".4byte": ".word",
    ".long": ".word",
    ".int": ".word",
    ".2byte": ".half",
    ".short": ".half",
    ".skip": ".space",
    ".p2align": ".align",
    ".string": ".asciz",
    ".set": ".equ",
    **dict.fromkeys(_IGNORED_LIKE_GLOBL, ".globl"),
}


class _Assembler:
    def __init__(self, builder: Builder, filename: str) -> None:
        self.b = builder
        self.file = filename
        self.line = 0

    def error(self, col: int, message: str) -> AsmError:
        return AsmError(f"{self.file}:{self.line}:{col}: {message}")

    def statement(self, text: str, line: int, col0: int) -> None:
        self.line = line
        rest, col = text, col0
        while True:  # labels first: `name:` or `1:`
            stripped = rest.lstrip()
            col += len(rest) - len(stripped)
            name = _label_prefix(stripped)
            if name is None:
                break
            self.b.loc = Loc(self.file, line, col)
            if name.isdigit():
                self.b.local_label(int(name))
            else:
                self.b.label(name)
            colon = stripped.index(":")
            rest, col = stripped[colon + 1 :], col + colon + 1
        if not stripped:
            return
        mnemonic = stripped.split(None, 1)[0]
        operands_text = stripped[len(mnemonic) :]
        operands_col = col + len(mnemonic)
        args = _split(operands_text, ",", operands_col) if operands_text.strip() else []
        self.b.loc = Loc(self.file, line, col)
        if mnemonic.startswith("."):
            self.directive(mnemonic.lower(), args, col)
        else:
            self.instruction(mnemonic.lower(), [self.operand(t, c) for t, c in args], col)

    # Operands.

    def operand(self, text: str, col: int) -> _Operand:
        stripped = text.strip()
        col += len(text) - len(text.lstrip())
        if not stripped:
            raise self.error(col, "empty operand")
        if is_register(stripped):
            return _Operand("reg", stripped.lower(), col)
        if stripped.endswith(")"):
            open_at = _matching_open(stripped)
            inner = stripped[open_at + 1 : -1].strip()
            if open_at >= 0 and is_register(inner):
                prefix = stripped[:open_at]
                offset = self.value(prefix, col) if prefix.strip() else ex.Num(0)
                base_col = (
                    col
                    + open_at
                    + 1
                    + len(stripped[open_at + 1 :])
                    - len(stripped[open_at + 1 :].lstrip())
                )
                return _Operand("mem", offset, col, inner.lower(), base_col)
        return _Operand("value", self.value(stripped, col), col)

    def value(self, text: str, col: int) -> Value:
        """A bare symbol stays a name (a label, CSR or .equ symbol); anything else an expression."""
        stripped = text.strip()
        col += len(text) - len(text.lstrip())
        if ex.SYMBOL_RE.fullmatch(stripped) and stripped != ".":
            return stripped
        try:
            return ex.parse(stripped, col, self._symbol_name)
        except ex.ExprError as err:
            raise self.error(err.col, str(err)) from None

    def _symbol_name(self, token: str, col: int) -> str:
        if token == ".":
            return self.b.here_label()
        if token[:-1].isdigit():
            try:
                return self.b.local_ref(int(token[:-1]), token[-1].lower())
            except AsmError:
                raise self.error(col, f"{token}: no label {token[:-1]}: before here") from None
        return token

    def constant(self, text: str, col: int, what: str) -> int:
        value = self.b.constant(self.value(text, col))
        if value is None:
            raise self.error(col, f"{what} must be a constant, got {text.strip()}")
        return value

    # Instructions.

    def instruction(self, mnemonic: str, ops: list[_Operand], col: int) -> None:
        mnemonic, ops = _canonical_form(mnemonic, ops)
        instr = BY_NAME.get(mnemonic)
        syntax = instr.syntax if instr else ""
        slots = [s.strip() for s in syntax.split(",") if s.strip()]
        takes_memory = any("(" in s for s in slots)
        if takes_memory and len(ops) != len(slots) and mnemonic in PSEUDO_BY_NAME:
            takes_memory = False  # `jalr rs`: the pseudo-instruction's form
        elif takes_memory and len(ops) != len(slots):
            raise self.error(
                col, f"{mnemonic} expects {len(slots)} operands ({syntax}), got {len(ops)}"
            )
        flat: list[Value] = []
        cols: list[int] = []
        for index, op in enumerate(ops):
            wants_memory = takes_memory and "(" in slots[index]
            if op.kind == "mem" and not wants_memory:
                raise self.error(
                    op.col, f"{mnemonic} does not take a memory operand as operand {index + 1}"
                )
            if wants_memory and op.kind != "mem":
                raise self.error(
                    op.col,
                    f"{mnemonic} expects a memory operand {slots[index]} as "
                    f"operand {index + 1}, got {_shown(op)}",
                )
            if op.kind == "mem":
                flat += [op.value, op.base]
                cols += [op.col, op.base_col]
            else:
                flat.append(op.value)
                cols.append(op.col)
        self.b.loc = Loc(self.file, self.line, col, tuple(cols))
        self.b.emit(mnemonic, *flat)

    # Directives.

    def directive(self, name: str, args: list[tuple[str, int]], col: int) -> None:
        canonical = _ALIASES.get(name, name)
        if canonical not in DIRECTIVES:
            raise self.error(col, f"unknown directive {name}{_suggest_directive(name)}")
        handler: Callable = getattr(self, "d_" + canonical[1:])
        handler(args, col, name)

    def _section(self, args, col, name) -> None:
        self.b.section(name)

    d_text = d_data = d_rodata = d_bss = _section

    def d_section(self, args, col, name) -> None:
        if not args:
            raise self.error(col, ".section needs a section name")
        section = args[0][0].strip()
        nobits = any(t.strip() in ("@nobits", "%nobits") for t, _ in args[2:3]) or None
        self.b.section(section, nobits)

    def _values(self, args, col, name, emit) -> None:
        if not args:
            raise self.error(col, f"{name} needs at least one value")
        for text, c in args:
            self.b.loc = Loc(self.file, self.line, c, (c,))
            emit(self.value(text, c))

    def d_word(self, args, col, name) -> None:
        self._values(args, col, name, self.b.word)

    def d_half(self, args, col, name) -> None:
        self._values(args, col, name, self.b.half)

    def d_byte(self, args, col, name) -> None:
        self._values(args, col, name, self.b.byte)

    def _count_and_fill(
        self, args: list[tuple[str, int]], col: int, name: str
    ) -> tuple[int, int | None]:
        if not 1 <= len(args) <= 2:
            raise self.error(col, f"{name} expects 1 or 2 operands, got {len(args)}")
        count = self.constant(*args[0], f"{name} size")
        fill = self.constant(*args[1], f"{name} fill") if len(args) == 2 else None
        if count < 0:
            raise self.error(args[0][1], f"{name} size must be >= 0, got {count}")
        return count, fill

    def d_zero(self, args, col, name) -> None:
        count, fill = self._count_and_fill(args, col, name)
        if fill is not None:
            raise self.error(args[1][1], ".zero takes no fill value")
        self.b.zero(count)

    def d_space(self, args, col, name) -> None:
        count, fill = self._count_and_fill(args, col, name)
        self.b.space(count, fill or 0)

    def d_align(self, args, col, name) -> None:
        power, fill = self._count_and_fill(args, col, name)
        if power > 16:
            raise self.error(args[0][1], f"{name} {power}: at most 16 (2**16 bytes)")
        self.b.align(1 << power, fill)

    def d_balign(self, args, col, name) -> None:
        nbytes, fill = self._count_and_fill(args, col, name)
        if nbytes < 1 or nbytes & (nbytes - 1):
            raise self.error(args[0][1], f".balign {nbytes} is not a power of two")
        self.b.align(nbytes, fill)

    def d_ascii(self, args, col, name, zero_terminated: bool = False) -> None:
        for text, c in args:
            stripped = text.strip()
            if len(stripped) < 2 or stripped[0] != '"' or stripped[-1] != '"':
                raise self.error(c, f"{name} expects a string in double quotes, got {stripped}")
            try:
                data = codecs.decode(stripped[1:-1], "unicode_escape").encode("latin-1")
            except (UnicodeError, ValueError) as err:
                raise self.error(c, f"bad string {stripped}: {err}") from None
            self.b.ascii(data, zero_terminated)

    def d_asciz(self, args, col, name) -> None:
        self.d_ascii(args, col, name, zero_terminated=True)

    def d_equ(self, args, col, name) -> None:
        if len(args) != 2 or not ex.SYMBOL_RE.fullmatch(args[0][0].strip()):
            raise self.error(col, f"{name} expects a symbol name and a value")
        self.b.equ(args[0][0].strip(), self.value(*args[1]))

    def d_globl(self, args, col, name) -> None:
        pass


def _canonical_form(mnemonic: str, ops: list[_Operand]) -> tuple[str, list[_Operand]]:
    """GNU's extra spellings of jalr/jr and of CSR instructions with an immediate source."""
    kinds = [op.kind for op in ops]
    if mnemonic in ("jalr", "jr") and kinds == ["mem"]:
        link = "ra" if mnemonic == "jalr" else "zero"
        return "jalr", [_Operand("reg", link, ops[0].col), ops[0]]
    if mnemonic == "jalr" and kinds == ["reg", "reg"]:
        rd, rs = ops
        return "jalr", [rd, _Operand("mem", ex.Num(0), rs.col, str(rs.value), rs.col)]
    if mnemonic == "jalr" and kinds == ["reg", "reg", "value"]:
        rd, rs, imm = ops
        return "jalr", [rd, _Operand("mem", imm.value, imm.col, str(rs.value), rs.col)]
    if mnemonic in ("csrw", "csrs", "csrc") and kinds == ["value", "value"]:
        return mnemonic + "i", ops
    if mnemonic in ("csrrw", "csrrs", "csrrc") and kinds == ["reg", "value", "value"]:
        return mnemonic + "i", ops
    return mnemonic, ops


def _label_prefix(text: str) -> str | None:
    """The label at the start of `text` (`name:` or `1:`), or None."""
    match = ex.SYMBOL_RE.match(text)
    end = match.end() if match else len(text) - len(text.lstrip("0123456789"))
    if end and text[end:].lstrip().startswith(":"):
        return text[:end]
    return None


def _matching_open(text: str) -> int:
    """Index of the '(' that matches the final ')' of `text`, or -1."""
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(text[i], 0)
        if depth == 0:
            return i
    return -1


def _split(text: str, sep: str, col0: int = 1, stop_at_comment: bool = False):
    """Pieces of `text` between `sep`s outside quotes and parentheses, with their 1-based column.
    With `stop_at_comment`, a `#` outside quotes ends the text."""
    if not any(c in text for c in "'\"()#"):  # the common case: a plain split
        pieces, start = [], 0
        for piece in text.split(sep):
            pieces.append(_stripped(piece, col0 + start))
            start += len(piece) + 1
        return pieces
    pieces, start, depth, quote, i = [], 0, 0, "", 0
    while i < len(text):
        c = text[i]
        if quote:
            if c == "\\":
                i += 1
            elif c == quote:
                quote = ""
        elif c in "'\"":
            quote = c
        elif c == "#" and stop_at_comment:
            break
        elif c in "()":
            depth += 1 if c == "(" else -1
        elif c == sep and depth <= 0:
            pieces.append(_stripped(text[start:i], col0 + start))
            start = i + 1
        i += 1
    pieces.append(_stripped(text[start:i], col0 + start))
    return pieces


def _stripped(piece: str, col: int) -> tuple[str, int]:
    """`piece` without surrounding blanks, and the column of its first character."""
    return piece.strip(), col + len(piece) - len(piece.lstrip())


def _shown(op: _Operand) -> str:
    return str(op.value) if op.kind != "mem" else f"{op.value}({op.base})"


def _suggest_directive(name: str) -> str:
    import difflib

    close = difflib.get_close_matches(name, [*DIRECTIVES, *_ALIASES], n=3, cutoff=0.6)
    return f"; did you mean {', '.join(close)}?" if close else ""
