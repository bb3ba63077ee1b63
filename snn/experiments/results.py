"""Reads a sweep's results.csv back into the result rows the report takes.

The inverse of `sweep.write_results` (one row per model and scored split; empty cells are missing
values). Lets a report, or a check of docs/findings.md, be rebuilt from a CSV alone, including
CSVs written before the `val` split was scored. The per-bias-type breakdown is not in the CSV
(it lives in breakdown.json), so the rows carry an empty one.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

from snn.errors import ConfigError
from snn.experiments.sweep import COLUMNS

TEXT_COLUMNS = ("dataset", "method", "kd", "remedy", "role", "split")
INT_COLUMNS = ("seed",)


def _value(path: Path, line: int, column: str, text: str):
    if column in TEXT_COLUMNS:
        return text
    convert: Callable[[str], float]
    if column in INT_COLUMNS:
        convert = int
    elif text == "":
        return None
    else:
        convert = float
    try:
        return convert(text)
    except ValueError:
        raise ConfigError(
            f"{path}: line {line}, column {column}={text!r} is not a {convert.__name__}"
        ) from None


def read_results(path: str | Path) -> list[dict]:
    """The rows of a results.csv, typed: seed an int, metrics floats, empty cells None."""
    path = Path(path)
    try:
        with path.open(newline="") as f:
            reader = csv.DictReader(f)
            missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                raise ConfigError(
                    f"{path}: no column {missing[0]!r} (expected {', '.join(COLUMNS)})"
                )
            rows = [
                {c: _value(path, line, c, row[c]) for c in COLUMNS}
                for line, row in enumerate(reader, start=2)
            ]
    except OSError as err:
        raise ConfigError(f"{path}: cannot read results ({err.strerror})") from None
    for row in rows:
        row["breakdown"] = {}
    return rows
