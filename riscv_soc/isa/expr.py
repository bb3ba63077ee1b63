"""Integer expressions of the assembler: parsing, and evaluation once symbols have values.

The text assembler parses operand expressions here; the builder keeps them (and builds its own for
`la`, `call` and branch targets) until `build()` has laid out the sections and every symbol has a
value. Operator precedence follows GNU as, not C: `* / % << >>` bind tightest, then `| & ^`, then
`+ -`; `1 + 2 << 3` is 17 and `6 | 1 + 1` is 8. Division truncates toward zero; `>>` is arithmetic.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

BINARY_PRECEDENCE = {
    **dict.fromkeys(("*", "/", "%", "<<", ">>"), 3),
    **dict.fromkeys(("|", "&", "^"), 2),
    **dict.fromkeys(("+", "-"), 1),
}
FUNCTIONS = ("hi", "lo")  # %hi(x), %lo(x)
MAX_SHIFT = 64  # larger shift counts are surely mistakes (and could exhaust memory)

SYMBOL_RE = re.compile(r"[A-Za-z_.$][A-Za-z0-9_.$]*")
_TOKEN_RE = re.compile(
    r"""\s*(?:
      (?P<func>%[A-Za-z_]+)
    | (?P<local>[0-9]+[bfBF])(?![0-9A-Za-z_.$])
    | (?P<num>0[xX][0-9A-Fa-f]+|0[bB][01]+|[0-9]+)(?![0-9A-Za-z_.$])
    | (?P<char>'(?:\\.|[^\\'])')
    | (?P<sym>[A-Za-z_.$][A-Za-z0-9_.$]*)
    | (?P<op><<|>>|[-+*/%&|^~()])
    )""",
    re.VERBOSE,
)
_ESCAPES = {"n": 10, "t": 9, "r": 13, "0": 0, "\\": 92, "'": 39, '"': 34}


class ExprError(Exception):
    """A malformed expression; `col` is the 1-based column in the source line."""

    def __init__(self, message: str, col: int) -> None:
        super().__init__(message)
        self.col = col


class UndefinedSymbol(Exception):
    def __init__(self, symbol: Sym) -> None:
        super().__init__(symbol.name)
        self.symbol = symbol


def hi(value: int) -> int:
    """%hi: the upper 20 bits, rounded so that hi << 12 plus the signed %lo gives `value`."""
    return ((value + 0x800) >> 12) & 0xFFFFF


def lo(value: int) -> int:
    """%lo: the low 12 bits as a signed number (-2048..2047)."""
    return ((value & 0xFFF) ^ 0x800) - 0x800


class Expr:
    """An integer expression over symbols."""

    def evaluate(self, lookup: Callable[[str], int]) -> int:
        """Value of the expression; `lookup` maps a symbol name to its value or raises KeyError."""
        raise NotImplementedError

    def symbols(self) -> Iterator[Sym]:
        raise NotImplementedError


@dataclass(frozen=True)
class Num(Expr):
    value: int

    def evaluate(self, lookup: Callable[[str], int]) -> int:
        return self.value

    def symbols(self) -> Iterator[Sym]:
        return iter(())

    def __str__(self) -> str:
        return str(self.value)


@dataclass(frozen=True)
class Sym(Expr):
    name: str
    col: int = 0

    def evaluate(self, lookup: Callable[[str], int]) -> int:
        try:
            return lookup(self.name)
        except KeyError:
            raise UndefinedSymbol(self) from None

    def symbols(self) -> Iterator[Sym]:
        yield self

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class Unary(Expr):
    op: str
    operand: Expr

    def evaluate(self, lookup: Callable[[str], int]) -> int:
        value = self.operand.evaluate(lookup)
        return {"-": -value, "+": value, "~": ~value}[self.op]

    def symbols(self) -> Iterator[Sym]:
        return self.operand.symbols()

    def __str__(self) -> str:
        return f"{self.op}{self.operand}"


@dataclass(frozen=True)
class Binary(Expr):
    op: str
    left: Expr
    right: Expr
    col: int = 0

    def evaluate(self, lookup: Callable[[str], int]) -> int:
        a, b = self.left.evaluate(lookup), self.right.evaluate(lookup)
        if self.op in "/%" and b == 0:
            raise ExprError(f"division by zero in {self}", self.col)
        if self.op in ("<<", ">>") and not 0 <= b <= MAX_SHIFT:
            raise ExprError(f"shift count {b} in {self} is outside 0..{MAX_SHIFT}", self.col)
        return _apply(self.op, a, b)

    def symbols(self) -> Iterator[Sym]:
        yield from self.left.symbols()
        yield from self.right.symbols()

    def __str__(self) -> str:
        return f"({self.left} {self.op} {self.right})"


@dataclass(frozen=True)
class Func(Expr):
    name: str  # "hi" or "lo"
    arg: Expr

    def evaluate(self, lookup: Callable[[str], int]) -> int:
        value = self.arg.evaluate(lookup)
        return hi(value) if self.name == "hi" else lo(value)

    def symbols(self) -> Iterator[Sym]:
        return self.arg.symbols()

    def __str__(self) -> str:
        return f"%{self.name}({self.arg})"


def _truncating_div(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


_OPERATIONS: dict[str, Callable[[int, int], int]] = {
    "*": operator.mul,
    "/": _truncating_div,
    "%": lambda a, b: a - b * _truncating_div(a, b),
    "<<": operator.lshift,
    ">>": operator.rshift,
    "|": operator.or_,
    "&": operator.and_,
    "^": operator.xor,
    "+": operator.add,
    "-": operator.sub,
}


def _apply(op: str, a: int, b: int) -> int:
    return _OPERATIONS[op](a, b)


def _int_literal(text: str) -> int:
    if len(text) > 1 and text[0] == "0" and text.isdigit():
        return int(text, 8)  # GNU as reads a leading 0 as octal
    return int(text, 0)


def _char_value(literal: str) -> int:
    body = literal[1:-1]
    if body.startswith("\\"):
        return _ESCAPES.get(body[1], ord(body[1]))
    return ord(body)


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    col: int


def _tokenize(text: str, col0: int) -> list[_Token]:
    tokens, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = _TOKEN_RE.match(text, pos)
        if m is None or m.end() == pos:
            bad = text[pos:].lstrip()
            col = col0 + len(text) - len(bad)
            raise ExprError(f"unexpected {bad[0]!r} in expression {text.strip()!r}", col)
        kind = m.lastgroup
        assert kind is not None  # every alternative of _TOKEN_RE is a named group
        tokens.append(_Token(kind, m.group(kind), col0 + m.start(kind)))
        pos = m.end()
    return tokens


class _Parser:
    def __init__(self, text: str, col0: int, name_of: Callable[[str, int], str]) -> None:
        self.text = text.strip()
        self.tokens = _tokenize(text, col0)
        self.pos = 0
        self.col0 = col0
        self.name_of = name_of

    def peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> _Token:
        tok = self.peek()
        if tok is None:
            raise ExprError(f"expression {self.text!r} ends early", self.col0 + len(self.text))
        self.pos += 1
        return tok

    def expect(self, text: str) -> None:
        tok = self.take()
        if tok.text != text:
            raise ExprError(f"expected {text!r}, got {tok.text!r} in {self.text!r}", tok.col)

    def parse(self) -> Expr:
        if not self.tokens:
            raise ExprError("missing expression", self.col0)
        expr = self.binary(1)
        tok = self.peek()
        if tok is not None:
            raise ExprError(f"unexpected {tok.text!r} in expression {self.text!r}", tok.col)
        return expr

    def binary(self, min_prec: int) -> Expr:
        left = self.unary()
        while (tok := self.peek()) is not None and BINARY_PRECEDENCE.get(tok.text, 0) >= min_prec:
            self.pos += 1
            right = self.binary(BINARY_PRECEDENCE[tok.text] + 1)
            left = Binary(tok.text, left, right, tok.col)
        return left

    def unary(self) -> Expr:
        tok = self.take()
        if tok.text in ("-", "+", "~"):
            return Unary(tok.text, self.unary())
        if tok.text == "(":
            inner = self.binary(1)
            self.expect(")")
            return inner
        if tok.kind == "num":
            try:
                return Num(_int_literal(tok.text))
            except ValueError:
                raise ExprError(f"bad number {tok.text!r}", tok.col) from None
        if tok.kind == "char":
            return Num(_char_value(tok.text))
        if tok.kind in ("sym", "local"):
            return Sym(self.name_of(tok.text, tok.col), tok.col)
        if tok.kind == "func":
            name = tok.text[1:].lower()
            if name not in FUNCTIONS:
                known = ", ".join(f"%{f}" for f in FUNCTIONS)
                raise ExprError(f"unknown operator %{name}; known: {known}", tok.col)
            self.expect("(")
            arg = self.binary(1)
            self.expect(")")
            return Func(name, arg)
        raise ExprError(f"unexpected {tok.text!r} in expression {self.text!r}", tok.col)


def parse(text: str, col0: int = 1, name_of: Callable[[str, int], str] | None = None) -> Expr:
    """Parse `text` (which starts at column `col0` of its line) into an expression.

    `name_of(token, col)` maps symbol tokens to symbol names: the assembler uses it for `.` and for
    numeric local labels (`1b`, `1f`). Raises ExprError.
    """
    return _Parser(text, col0, name_of or (lambda name, col: name)).parse()
