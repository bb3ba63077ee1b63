"""DIR/report.md and its plots from a sweep's result rows: the C1/C2 tables, remedies, KD variants.

Sits at the end of `snnsoc experiment`. All numbers are on the unbiased `test` split, as mean ±
standard deviation over seeds; a Δ column is the mean ± std over seeds of the paired per-seed
difference and its 95 % t-interval (snn.experiments.stats). The headline's picks (best teacher,
best student per method) are made on `val` WGA, or on test when the rows have no val
(snn.experiments.selection). C1 compares the teacher f_T with the distilled student g_{T->S}
(rate KD, no remedy); C2 compares the student trained alone with the same method f_S with g_{T->S}.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np

from snn.experiments.presets import ALL_METHODS
from snn.experiments.selection import REPORT_SPLIT, Selection, choose_split
from snn.experiments.stats import delta as _delta
from snn.experiments.stats import mean_std as _fmt
from snnsoc_common.artefacts import atomic_path, write_text
from snnsoc_common.tables import markdown_table

BASE_KD = "rate"
NOTHING = "(not part of this run)"
KEY = ("dataset", "rho", "method", "kd", "remedy", "role")


def _index(rows: list[dict], split: str = "test") -> dict[tuple, dict[int, dict]]:
    """(dataset, rho, method, kd, remedy, role) -> seed -> row, for one split."""
    table: dict[tuple, dict[int, dict]] = defaultdict(dict)
    for row in rows:
        if row["split"] == split:
            table[tuple(row[k] for k in KEY)][row["seed"]] = row
    return table


def _values(cell: dict[int, dict], metric: str) -> dict[int, float]:
    return {s: r[metric] for s, r in cell.items() if r.get(metric) is not None}


def _settings(table) -> list[tuple[str, float]]:
    return sorted({(k[0], k[1]) for k in table})


def _methods(table, dataset, rho) -> list[str]:
    present = {k[2] for k in table if k[:2] == (dataset, rho)}
    return [m for m in ALL_METHODS if m in present] + sorted(present - set(ALL_METHODS))


def _cell(table, dataset, rho, method, role, kd="none", remedy="none") -> dict[int, dict]:
    return table.get((dataset, rho, method, kd, remedy, role), {})


def _mean(cell: dict[int, dict], metric: str = "wga") -> float:
    values = list(_values(cell, metric).values())
    return float(np.mean(values)) if values else float("nan")


def headline(table, pick, selection: Selection) -> str:
    """Per setting: the best debiased teacher against ERM, and per method the distilled student
    (any remedy or KD variant) closest to its teacher in WGA. Both are picked on `pick` (the
    index of the selection split) and reported from `table` (test)."""
    on = selection.split
    lines = []
    for dataset, rho in _settings(table):
        teachers = {
            m: _cell(table, dataset, rho, m, "teacher") for m in _methods(table, dataset, rho)
        }
        erm = teachers.pop("erm", {})
        scored = {
            m: _mean(_cell(pick, dataset, rho, m, "teacher")) for m, c in teachers.items() if c
        }
        if not erm or not scored:
            continue
        best = max(scored, key=lambda m: scored[m])
        lines.append(
            f"- {dataset}, rho {rho:g}: best debiased teacher on {on} `{best}` WGA "
            f"{_fmt(_values(teachers[best], 'wga').values())} vs ERM teacher "
            f"{_fmt(_values(erm, 'wga').values())} (Δ "
            f"{_delta(_values(erm, 'wga'), _values(teachers[best], 'wga'))}, "
            f"{len(_values(teachers[best], 'wga'))} seeds)"
        )
        for m in [best, *sorted(set(scored) - {best})]:
            teacher = _values(teachers[m], "wga")
            students = {
                (k[3], k[4]): _mean(pick.get(k, {}))
                for k in table
                if k[:3] == (dataset, rho, m) and k[5] == "distilled"
            }
            if not students:
                continue
            kd, remedy = max(students, key=lambda k: students[k])
            cell = _values(_cell(table, dataset, rho, m, "distilled", kd, remedy), "wga")
            lines.append(
                f"  - `{m}`: teacher {_fmt(teacher.values())}; best student on {on} "
                f"(kd `{kd}`, remedy `{remedy}`) {_fmt(cell.values())}, "
                f"Δ to the teacher {_delta(teacher, cell)}"
            )
    return "\n".join(lines)


def c1_c2_tables(table) -> str:
    parts = []
    for dataset, rho in _settings(table):
        c1, c2 = [], []
        for m in _methods(table, dataset, rho):
            teacher = _cell(table, dataset, rho, m, "teacher")
            alone = _cell(table, dataset, rho, m, "student")
            distilled = _cell(table, dataset, rho, m, "distilled", BASE_KD)
            if not (teacher and distilled):
                continue
            tw, dw, aw = (_values(c, "wga") for c in (teacher, distilled, alone))
            c1.append(
                [
                    m,
                    _fmt(_values(teacher, "unbiased_acc").values()),
                    _fmt(_values(distilled, "unbiased_acc").values()),
                    _fmt(tw.values()),
                    _fmt(dw.values()),
                    _delta(tw, dw),
                    _fmt(_values(teacher, "spurious_gap").values()),
                    _fmt(_values(distilled, "spurious_gap").values()),
                ]
            )
            c2.append(
                [
                    m,
                    _fmt(_values(alone, "unbiased_acc").values()),
                    _fmt(_values(distilled, "unbiased_acc").values()),
                    _fmt(aw.values()),
                    _fmt(dw.values()),
                    _delta(aw, dw),
                ]
            )
        if not c1:
            continue
        parts.append(
            f"### {dataset}, rho = {rho:g}\n\n**C1: teacher f_T vs distilled g_T->S**"
            f"\n\n"
            + markdown_table(
                [
                    "method",
                    "f_T unbiased",
                    "g unbiased",
                    "f_T WGA",
                    "g WGA",
                    "Δ WGA (g - f_T)",
                    "f_T gap",
                    "g gap",
                ],
                c1,
            )
            + "\n\n**C2: student alone f_S vs distilled g_T->S**\n\n"
            + markdown_table(
                ["method", "f_S unbiased", "g unbiased", "f_S WGA", "g WGA", "Δ WGA (g - f_S)"], c2
            )
        )
    return "\n\n".join(parts)


def _variant_table(table, axis: str, title: str) -> str:
    """WGA of distilled students per KD variant (axis 'kd') or remedy (axis 'remedy')."""
    parts = []
    for dataset, rho in _settings(table):
        keys = [k for k in table if k[:2] == (dataset, rho) and k[5] == "distilled"]
        if axis == "kd":
            variants = sorted({k[3] for k in keys if k[4] == "none"})
        else:
            variants = ["none"] + sorted({k[4] for k in keys if k[4] != "none"})
        if len(variants) < 2:
            continue
        body = []
        for m in _methods(table, dataset, rho):
            teacher = _values(_cell(table, dataset, rho, m, "teacher"), "wga")
            row = [m, _fmt(teacher.values())]
            for v in variants:
                kd, remedy = (v, "none") if axis == "kd" else (BASE_KD, v)
                cell = _values(_cell(table, dataset, rho, m, "distilled", kd, remedy), "wga")
                row.append(f"{_fmt(cell.values())} ({_delta(teacher, cell)})" if cell else "–")
            body.append(row)
        parts.append(
            f"**{title}: {dataset}, rho = {rho:g}** — WGA, (Δ to the teacher)\n\n"
            + markdown_table(["method", "teacher", *variants], body)
        )
    return "\n\n".join(parts)


def breakdown_table(rows: list[dict]) -> str:
    """Conflicting accuracy per bias type (subset), for datasets with more than one subset."""
    groups: dict[tuple, list[float]] = defaultdict(list)
    subsets_of: dict[str, list[str]] = {}
    for row in rows:
        if row["split"] != "test" or len(row.get("breakdown") or {}) < 2:
            continue
        if row["kd"] not in ("none", BASE_KD) or row["remedy"] != "none":
            continue
        subsets_of[row["dataset"]] = list(row["breakdown"])
        for name, b in row["breakdown"].items():
            groups[(row["dataset"], row["rho"], row["method"], row["role"], name)].append(b["acc"])
    parts = []
    for dataset, subsets in subsets_of.items():
        body = []
        for d, rho, method, role in sorted({k[:4] for k in groups if k[0] == dataset}):
            body.append(
                [method, role, *(_fmt(groups.get((d, rho, method, role, s), [])) for s in subsets)]
            )
        parts.append(
            f"**Per bias type: {dataset}** — accuracy per subset\n\n"
            + markdown_table(["method", "role", *subsets], body)
        )
    return "\n\n".join(parts)


def cka_activity_table(table) -> str:
    body = []
    for dataset, rho in _settings(table):
        for m in _methods(table, dataset, rho):
            cell = _cell(table, dataset, rho, m, "distilled", BASE_KD)
            alone = _cell(table, dataset, rho, m, "student")
            if not cell:
                continue
            body.append(
                [
                    dataset,
                    f"{rho:g}",
                    m,
                    _fmt(_values(cell, "cka_aligned").values(), 1.0, 3),
                    _fmt(_values(cell, "cka_conflicting").values(), 1.0, 3),
                    _fmt(_values(alone, "spikes_per_sample").values(), 1.0),
                    _fmt(_values(cell, "spikes_per_sample").values(), 1.0),
                    _fmt(_values(cell, "synops_per_sample").values(), 1.0),
                ]
            )
    return markdown_table(
        [
            "dataset",
            "rho",
            "method",
            "CKA aligned (g)",
            "CKA conflicting (g)",
            "spikes/sample f_S",
            "spikes/sample g",
            "synops/sample g",
        ],
        body,
    )


def wga_plot(table, dataset: str, rho: float, path: Path) -> None:
    """Bar chart: WGA per method for teacher, student alone and distilled (mean ± std)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    methods = _methods(table, dataset, rho)
    roles = (
        ("teacher", "none", "teacher f_T"),
        ("student", "none", "student alone f_S"),
        ("distilled", BASE_KD, "distilled g_T->S"),
    )
    fig, ax = plt.subplots(figsize=(max(6, 1.1 * len(methods)), 3.6))
    width = 0.27
    for i, (role, kd, label) in enumerate(roles):
        stats = [
            list(_values(_cell(table, dataset, rho, m, role, kd), "wga").values()) for m in methods
        ]
        means = [100 * np.mean(v) if v else 0 for v in stats]
        stds = [100 * np.std(v, ddof=1) if len(v) > 1 else 0 for v in stats]
        ax.bar(
            np.arange(len(methods)) + (i - 1) * width,
            means,
            width,
            yerr=stds,
            label=label,
            capsize=2,
        )
    ax.set_xticks(np.arange(len(methods)), methods, rotation=30, ha="right")
    ax.set_ylabel("worst-group accuracy (%)")
    ax.set_title(f"{dataset}, rho = {rho:g}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    with atomic_path(path) as tmp, tmp.open("wb") as f:
        fig.savefig(f, format="png", dpi=110)
    plt.close(fig)


def write_report(rows: list[dict], out: str | Path, preset_name: str = "") -> Path:
    """Write out/report.md and out/wga_<dataset>_rho<rho>.png; returns the report's path."""
    out = Path(out)
    table = _index(rows, REPORT_SPLIT)
    selection = choose_split(rows)
    pick = _index(rows, selection.split)
    plots = []
    for dataset, rho in _settings(table):
        name = f"wga_{dataset}_rho{rho:g}.png"
        wga_plot(table, dataset, rho, out / name)
        plots.append(f"![WGA per method, {dataset}, rho {rho:g}]({name})")
    seeds = sorted({r["seed"] for r in rows})
    sections = [
        f"# Experiment report{': ' + preset_name if preset_name else ''}",
        f"{len({tuple(r[k] for k in (*KEY, 'seed')) for r in rows})} models, seeds {seeds}. "
        "Metrics on the unbiased test split (every (class, attribute) cell populated), in %, "
        "mean ± std over seeds; Δ = mean ± std of the per-seed paired difference, with its 95 % "
        "t-interval over seeds in brackets. WGA = worst-group accuracy; gap = aligned − "
        "conflicting accuracy.",
        selection.note,
        "## Headline (WGA)\n\n" + (headline(table, pick, selection) or NOTHING),
        "## C1 and C2\n\n" + (c1_c2_tables(table) or NOTHING),
        "## KD variants\n\n" + (_variant_table(table, "kd", "KD variants") or NOTHING),
        "## Remedies\n\n" + (_variant_table(table, "remedy", "Remedies") or NOTHING),
        "## Per bias type\n\n" + (breakdown_table(rows) or NOTHING),
        "## CKA (teacher last hidden layer vs student last hidden spike rates) and activity\n\n"
        + cka_activity_table(table),
        "## Plots\n\n" + "\n\n".join(plots),
    ]
    path = out / "report.md"
    write_text(path, "\n\n".join(sections) + "\n")
    return path
