"""The summary table of a run: one row per stage, from the stage records.

Where it sits: at the end of `snnsoc pipeline` (printed) and in the report (riscv_soc.report). Per
stage: accuracy, unbiased accuracy, worst-group accuracy, spurious gap (all on the unbiased test
split; the RTL rows on the samples the RTL ran: the whole split unless `rtl.per_group`), hidden
spikes per sample, cycles and latency per inference at the SoC clock of the config, and energy
per inference: the op-count estimate, and the board and core counter models where the stage has
hardware counters.
"""

from __future__ import annotations

from riscv_soc.energy import format_joules, format_seconds
from riscv_soc.pipeline.cache import StageRecord

COLUMNS = {
    "stage": "stage",
    "samples": "n",
    "acc": "acc.",
    "unbiased_acc": "unbiased",
    "wga": "WGA",
    "spurious_gap": "gap",
    "spikes_per_sample": "spikes",
    "cycles": "cycles",
    "latency_s": "latency",
    "op_count_j": "E op count",
    "board_j": "E board",
    "core_j": "E core",
}
PERCENT = ("acc", "unbiased_acc", "wga", "spurious_gap")
# (record, row label): the stages with predictions, in pipeline order
ROWS = (
    ("teacher", "teacher (ANN)"),
    ("student", "student (float)"),
    ("core", "core (fixed point)"),
    ("iss", "ISS (firmware)"),
    ("rtl_core", "core, RTL samples"),
    ("rtl", "RTL (firmware)"),
)


def summary_rows(records: dict[str, StageRecord]) -> list[dict]:
    """One dict per row of ROWS (raw numbers; None where a stage has no such quantity)."""
    energy = records["energy"].metrics
    clock_hz = energy["clock_hz"]
    rows = []
    for name, label in ROWS:
        if name == "rtl_core":  # the core on exactly the RTL's samples
            metrics = records["rtl"].metrics["subset_scores"]["core"]
            joules = {}
        else:
            metrics, joules = records[name].metrics, energy["per_stage"].get(name, {})
        row = {key: metrics.get(key) for key in COLUMNS} | {"stage": label}
        row.update({key: joules.get(key) for key in ("op_count_j", "board_j", "core_j")})
        if row["cycles"] is not None:
            row["latency_s"] = row["cycles"] / clock_hz
        rows.append(row)
    return rows


def format_cell(key: str, value) -> str:
    if value is None:
        return "–"
    if key in PERCENT:
        return f"{100 * value:.1f} %"
    if key == "latency_s":
        return format_seconds(value)
    if key.endswith("_j"):
        return format_joules(value)
    if key in ("spikes_per_sample", "cycles"):
        return f"{value:,.0f}"
    return str(value)


def formatted(rows: list[dict]) -> tuple[list[str], list[list[str]]]:
    """(header, body) as strings, for a console table or a report table."""
    header = list(COLUMNS.values())
    return header, [[format_cell(k, row[k]) for k in COLUMNS] for row in rows]


def print_summary(rows: list[dict], console, clock_hz: float) -> None:
    """The summary as a rich table on `console`."""
    from rich.table import Table

    header, body = formatted(rows)
    table = Table(title=f"pipeline summary: n samples (RTL rows: the RTL's samples), spikes "
                  f"per sample, cycles and latency per inference at {clock_hz / 1e6:g} MHz, "
                  "dynamic energy per inference (E)", title_justify="left")  # fmt: skip
    for i, name in enumerate(header):
        table.add_column(name, justify="left" if i == 0 else "right")
    for cells in body:
        table.add_row(*cells)
    console.print(table)
