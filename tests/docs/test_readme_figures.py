"""Every measured figure in the README has a record behind it (benchmarks/results/*.json).

A measured figure is a number with a decimal point and a unit (`94.6 %`, `5.7 points`, `95.1 us`),
a number with thousands separators, or a duration (`6 min 17 s`, `105 s`); whole percentages and
counts in prose (`a 95 % colour/class correlation`, `10 samples`) are settings, not measurements.
Each must equal, as printed, some value of some record: the value itself or, for a percentage, 100
times it; durations match a record's seconds (`..._s`). The summary table is checked row by row
against the default pipeline run's record, formatted as the pipeline formats it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from riscv_soc.runfolder.summary import COLUMNS, format_cell

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
RESULTS = ROOT / "benchmarks" / "results"

DECIMAL = re.compile(r"(?<![\w.])(\d+\.\d+)\s?(%|points?\b|us\b|ms\b|uJ\b|nJ\b|mJ\b|MIPS\b|x\b)")
THOUSANDS = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+)(?![\d,])")
DURATION = re.compile(r"(?<![\w.])(?:(\d+) min )?(\d+) s\b")


def records() -> dict[str, dict]:
    return {path.stem: json.loads(path.read_text()) for path in sorted(RESULTS.glob("*.json"))}


def leaves(value, key: str = "") -> list[tuple[str, float]]:
    """Every (key, number) in a JSON value, depth first."""
    if isinstance(value, dict):
        return [leaf for k, v in value.items() for leaf in leaves(v, k)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in leaves(v, key)]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return [(key, float(value))]
    return []


def prose(text: str) -> str:
    return re.sub(r"```.*?```", "", text, flags=re.S)


def figures(text: str) -> list[tuple[str, str]]:
    """(kind, figure) of every measured figure in the prose of `text`."""
    body = prose(text)
    found = [("decimal", m.group(0)) for m in DECIMAL.finditer(body)]
    found += [("count", m.group(1)) for m in THOUSANDS.finditer(body)]
    found += [("duration", m.group(0)) for m in DURATION.finditer(body)]
    return found


def backed(kind: str, figure: str, values: list[tuple[str, float]]) -> bool:
    if kind == "duration":
        minutes, seconds = DURATION.fullmatch(figure).groups()
        total = 60 * int(minutes or 0) + int(seconds)
        return any(key.endswith("_s") and round(v) == total for key, v in values)
    if kind == "count":
        return any(f"{v:,.0f}" == figure for _, v in values)
    number, unit = DECIMAL.fullmatch(figure).groups()
    places = len(number.split(".")[1])
    scales = (1, 100) if unit == "%" else (1,)
    return any(f"{s * v:.{places}f}" == number for _, v in values for s in scales)


def summary_table(text: str) -> list[list[str]]:
    """The README's summary table: its header and rows, split on runs of two or more spaces."""
    block = re.search(r"```\n(stage .*?)```", text, flags=re.S).group(1)
    return [re.split(r"\s{2,}", line.strip()) for line in block.strip().splitlines()]


def test_the_figure_rules_see_what_they_should():
    text = "at 95 % rho, 94.6 % / 60.0 % WGA in 2 min 25 s, 16,642 cycles, 5.7 points"
    assert figures(text) == [
        ("decimal", "94.6 %"),
        ("decimal", "60.0 %"),
        ("decimal", "5.7 points"),
        ("count", "16,642"),
        ("duration", "2 min 25 s"),
    ]
    values = [("wga", 0.6), ("wall_s", 145.4), ("cycles", 16642.0)]
    assert backed("decimal", "60.0 %", values) and not backed("decimal", "60.1 %", values)
    assert backed("duration", "2 min 25 s", values) and not backed("duration", "145 s", [])
    assert backed("count", "16,642", values) and not backed("count", "16,643", values)


@pytest.mark.parametrize("kind, figure", figures(README.read_text()))
def test_every_readme_figure_has_a_record(kind, figure):
    values = [leaf for record in records().values() for leaf in leaves(record["result"])]
    assert backed(kind, figure, values), f"README: {figure!r} is in no benchmarks/results record"


def test_the_readme_summary_table_is_the_recorded_default_run():
    header, *rows = summary_table(README.read_text())
    keys = {label: key for key, label in COLUMNS.items()}
    recorded = {row["stage"]: row for row in records()["pipeline_default"]["result"]["rows"]}
    for cells in rows:
        row = recorded[cells[0]]
        assert cells == [format_cell(keys[label], row[keys[label]]) for label in header], cells[0]


def test_every_record_names_its_machine_date_commit_and_command():
    for name, record in records().items():
        assert record["benchmark"] == name
        assert record["machine"]["cpu"] and record["machine"]["cores"] > 0, name
        assert re.fullmatch(r"[0-9a-f]{40}(-dirty)?", record["commit"]), name
        assert record["date"] and record["command"].split()[1].startswith("benchmarks/"), name


def test_every_benchmark_writes_a_record_and_has_one():
    recorded = {Path(r["command"].split()[1]).name for r in records().values()}
    for script in sorted((ROOT / "benchmarks").glob("*.py")):
        if script.stem == "record":
            continue
        assert "write_record(" in script.read_text(), f"{script.name} writes no record"
        assert script.name in recorded, f"benchmarks/results holds no record of {script.name}"
