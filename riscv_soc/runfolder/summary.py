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
from riscv_soc.runfolder.metrics import (
    CalibrationMetrics,
    EnergyMetrics,
    IssMetrics,
    RtlMetrics,
    StageEnergy,
    TeacherMetrics,
)
from riscv_soc.runfolder.records import StageRecord
from riscv_soc.runfolder.stages import LABELS

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
    *((name, LABELS[name]) for name in ("teacher", "student", "core", "iss")),
    ("rtl_core", "core, RTL samples"),
    ("rtl", LABELS["rtl"]),
)


def summary_rows(records: dict[str, StageRecord]) -> list[dict]:
    """One dict per row of ROWS (raw numbers; None where a stage has no such quantity)."""
    energy: EnergyMetrics = records["energy"].metrics
    rows = []
    for name, label in ROWS:
        if name == "rtl_core":  # the core on exactly the RTL's samples
            scores, spikes, cycles = records["rtl"].metrics.subset_scores["core"], None, None
            joules = None
        else:
            metrics = records[name].metrics
            scores, joules = metrics.scores, energy.per_stage.get(name)
            spikes = None if isinstance(metrics, TeacherMetrics) else metrics.spikes_per_sample
            cycles = metrics.cycles if isinstance(metrics, (IssMetrics, RtlMetrics)) else None
        rows.append(
            {
                "stage": label,
                "samples": scores.samples,
                "acc": scores.acc,
                "unbiased_acc": scores.unbiased_acc,
                "wga": scores.wga,
                "spurious_gap": scores.spurious_gap,
                "spikes_per_sample": spikes,
                "cycles": cycles,
                "latency_s": None if cycles is None else cycles / energy.clock_hz,
                **_energy_cells(joules),
            }
        )
    return rows


def _energy_cells(joules: StageEnergy | None) -> dict:
    if joules is None:
        return {"op_count_j": None, "board_j": None, "core_j": None}
    return {"op_count_j": joules.op_count_j, "board_j": joules.board_j, "core_j": joules.core_j}


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
    table = Table(
        title=f"pipeline summary: n samples (RTL rows: the RTL's samples), spikes "
        f"per sample, cycles and latency per inference at {clock_hz / 1e6:g} MHz, "
        "dynamic energy per inference (E)",
        title_justify="left",
    )
    for i, name in enumerate(header):
        table.add_column(name, justify="left" if i == 0 else "right")
    for cells in body:
        table.add_row(*cells)
    console.print(table)


def verification_failures(records: dict[str, StageRecord]) -> list[str]:
    """Every bit-exactness check of the run that did not hold, as one line each."""
    iss: IssMetrics = records["iss"].metrics
    rtl: RtlMetrics = records["rtl"].metrics
    checks: tuple[tuple[bool, list[str], str], ...] = (
        (iss.bit_exact_core, iss.diffs_core, "ISS run differs from the core run on the test set"),
        (
            rtl.bit_exact_core,
            rtl.diffs_core,
            "RTL run differs from the core run on the RTL's samples",
        ),
        (rtl.bit_exact_iss, rtl.diffs_iss, "RTL run differs from the ISS run (counters included)"),
        (rtl.scores_equal_core, [], "RTL accuracy/WGA differ from the core's on the same samples"),
    )
    failures = [
        message + (f": {diffs[0]}" if diffs else "") for ok, diffs, message in checks if not ok
    ]
    calibration: CalibrationMetrics = records["calibration"].metrics
    for name, variant in calibration.variants.items():
        if not variant.bit_exact_core:
            failures.append(
                f"calibration ({name}): ISS differs from the core: {variant.diffs_core[:1]}"
            )
    return failures
