"""The three energy estimates of one run side by side, each with what it assumes.

Where it sits: the last step before a report. A run's activity (RunResult.activity of an ISS or
RTL run; a core run has no hardware counters, so only the op-count rows) goes through the counter
models (calibrations.BOARD, CORE) and the op-count estimate (opcount.py) of the student and,
given its MACs, the teacher. Rows are per-inference means, JSON-able.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from riscv_soc.energy.calibrations import BOARD, CORE
from riscv_soc.energy.model import EVENTS, EnergyModel, energy, format_joules, format_seconds
from riscv_soc.energy.opcount import ann_op_energy, snn_op_energy


def has_counters(activity: Mapping[str, object]) -> bool:
    """Whether the run carries the ISS/RTL counters the counter models need."""
    return all(counter in activity for counter in EVENTS.values())


def has_synops(activity: Mapping[str, object]) -> bool:
    """Whether the run carries the spike-derived counts the op-count estimate needs."""
    return "synops" in activity and "neuron_updates" in activity


def compare(
    activity: Mapping[str, object],
    ann_macs: int | None = None,
    bundle=None,
    models: Sequence[EnergyModel] = (BOARD, CORE),
    clock_hz: float | None = None,
) -> list[dict]:
    """One row per estimate: `estimate`, `energy_j` (dynamic, per inference), `static_j`,
    `time_s` (None for op counts) and `basis` (its assumptions in a sentence or two). Counter
    rows need the ISS/RTL counters, the student's row `synops` and `neuron_updates`; the
    teacher's row comes with `ann_macs`."""
    rows = []
    if has_counters(activity):
        for model in models:
            m = energy(activity, model, clock_hz).mean()
            rows.append(
                {
                    "estimate": f"{model.name} (counters)",
                    "energy_j": m["dynamic_j"],
                    "static_j": m["static_j"],
                    "time_s": m["time_s"],
                    "basis": f"{model.description}; {m['clock_hz'] / 1e6:g} MHz",
                }
            )
    reports = [snn_op_energy(activity, bundle)] if has_synops(activity) else []
    if ann_macs is not None:
        reports.append(ann_op_energy(ann_macs))
    for report in reports:
        m = report.mean()
        rows.append(
            {
                "estimate": f"op count, {report.network}",
                "energy_j": m["energy_j"],
                "static_j": 0.0,
                "time_s": None,
                "basis": "; ".join(report.assumptions),
            }
        )
    return rows


def format_comparison(rows: list[dict]) -> str:
    """Rows as a table; `idle` is static energy over the run time, not in `energy`."""
    lines = [f"{'estimate':<26}{'energy':>11}{'idle':>11}{'time':>10}  basis"]
    for row in rows:
        time = format_seconds(row["time_s"]) if row["time_s"] is not None else "-"
        idle = format_joules(row["static_j"]) if row["static_j"] else "-"
        lines.append(
            f"{row['estimate']:<26}{format_joules(row['energy_j']):>11}{idle:>11}{time:>10}  "
            f"{row['basis']}"
        )
    return "\n".join(lines)
