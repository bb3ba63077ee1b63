"""The coverage waivers: what cannot be reached by design, each with its reason (one JSON file).

    {"code": [                               code coverage points
       {"module": "fenn_soc",                the module (parameterized copies folded)
        "kind": "toggle",                    line, branch, expr or toggle
        "signal": "m_axi_awsize",            toggle: a regular expression matching the signal
                                             or one bit of it (`m_axi_awaddr\\[[0-5]\\]`)
        "source": "default: state_d",        line/branch/expr: text the point's line contains
        "reason": "tied to a constant"}],    required, never empty
     "functional": [
       {"bin": "trap/.*/next_pc",            a regular expression matching the bin name
        "reason": "..."}]}

A waiver that matches nothing is stale (the report lists it): the RTL or the bins changed under it.
Source text rather than line numbers keys the code waivers, so edits above a line keep them valid.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from riscv_soc.coverage.codecov import KINDS, Point
from riscv_soc.errors import ConfigError


@dataclass(frozen=True)
class CodeWaiver:
    module: str
    kind: str
    pattern: str  # signal regex (toggle) or source text (other kinds)
    reason: str

    def matches(self, point: Point, source_line: str) -> bool:
        if point.module != self.module or point.kind != self.kind:
            return False
        if self.kind == "toggle":  # the signal (`sig`), or one bit of it (`sig[3]`)
            bit = re.sub(r":[01]->[01]$", "", point.comment)
            return any(re.fullmatch(self.pattern, name) for name in (point.signal, bit))
        return self.pattern in source_line


@dataclass(frozen=True)
class BinWaiver:
    pattern: str
    reason: str

    def matches(self, name: str) -> bool:
        return re.fullmatch(self.pattern, name) is not None


@dataclass(frozen=True)
class Waivers:
    code: tuple[CodeWaiver, ...]
    functional: tuple[BinWaiver, ...]


def load(path: Path) -> Waivers:
    """Parse and check the waiver file; a bad entry names the file, the entry and the field."""
    try:
        data = json.loads(Path(path).read_text())
    except (OSError, ValueError) as err:
        raise ConfigError(f"{path}: cannot read the coverage waivers ({err})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a JSON object with code and functional lists")
    unknown = set(data) - {"code", "functional"}
    if unknown:
        raise ConfigError(f"{path}: unknown tables {sorted(unknown)}; known: code, functional")
    code = tuple(_code(path, n, entry) for n, entry in enumerate(data.get("code", [])))
    functional = tuple(_bin(path, n, entry) for n, entry in enumerate(data.get("functional", [])))
    return Waivers(code, functional)


def _code(path: Path, n: int, entry: dict) -> CodeWaiver:
    where = f"{path}: code[{n}]"
    kind = _text(where, entry, "kind")
    if kind not in KINDS:
        raise ConfigError(f"{where}.kind: expected one of {list(KINDS)}, got {kind!r}")
    field = "signal" if kind == "toggle" else "source"
    pattern = _text(where, entry, field)
    if kind == "toggle":
        _check_regex(where, field, pattern)
    return CodeWaiver(_text(where, entry, "module"), kind, pattern, _text(where, entry, "reason"))


def _bin(path: Path, n: int, entry: dict) -> BinWaiver:
    where = f"{path}: functional[{n}]"
    pattern = _text(where, entry, "bin")
    _check_regex(where, "bin", pattern)
    return BinWaiver(pattern, _text(where, entry, "reason"))


def _text(where: str, entry: dict, name: str) -> str:
    value = entry.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}.{name}: expected a non-empty string, got {value!r}")
    return value


def _check_regex(where: str, name: str, pattern: str) -> None:
    try:
        re.compile(pattern)
    except re.error as err:
        raise ConfigError(f"{where}.{name}: not a regular expression ({err})") from None
