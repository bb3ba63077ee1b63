"""The result schema of a network run, shared by the core, the ISS and the RTL backends.

`RunResult` holds what a run produced; `save_result` writes `name.npz` (arrays) and `name.json`
(summary) atomically; `load_result` reads the arrays back; `diff_results` compares two runs bit
for bit. docs/formats.md ("Run results") describes both files.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from riscv_soc.errors import ConfigError, DataError
from snnsoc_common.artefacts import atomic_path, write_json

FORMAT = "snnsoc-results"
VERSION = 1


@dataclass
class RunResult:
    """readout int32 [S, outputs]; spikes pop -> uint8 [S, T, n]; state "pop_var" -> int16 [S, n];
    activity name -> int64 [S]."""

    readout: np.ndarray
    spikes: dict[str, np.ndarray]
    state: dict[str, np.ndarray]
    activity: dict[str, np.ndarray]
    meta: dict = field(default_factory=dict)

    @property
    def predictions(self) -> np.ndarray:
        """Index of the largest readout per sample (the first one on ties)."""
        return np.argmax(self.readout, axis=1)

    def arrays(self) -> dict[str, np.ndarray]:
        out = {"readout": self.readout, "predictions": self.predictions}
        out.update({f"spikes_{k}": v for k, v in self.spikes.items()})
        out.update({f"state_{k}": v for k, v in self.state.items()})
        out.update({f"activity_{k}": v for k, v in self.activity.items()})
        return out


def summarise(
    result: RunResult, labels: np.ndarray | None = None, groups: np.ndarray | None = None
) -> dict:
    """Totals of activity, and accuracy (per group and worst group) when labels are given."""
    out: dict = {"format": FORMAT, "version": VERSION, "samples": int(result.readout.shape[0])}
    out.update(result.meta)
    out["activity_totals"] = {k: int(v.sum()) for k, v in result.activity.items()}
    if labels is not None:
        correct = result.predictions == np.asarray(labels)
        out["accuracy"] = float(correct.mean()) if correct.size else 0.0
        if groups is not None:
            groups = np.asarray(groups)
            per_group = {str(g): float(correct[groups == g].mean()) for g in np.unique(groups)}
            out["group_accuracy"] = per_group
            out["worst_group_accuracy"] = min(per_group.values()) if per_group else 0.0
    return out


def save_result(
    result: RunResult,
    path: str | os.PathLike,
    labels: np.ndarray | None = None,
    groups: np.ndarray | None = None,
) -> dict:
    """Write `path` (.npz; labels and groups included when given) and the summary beside it."""
    path = Path(path)
    arrays: dict[str, Any] = result.arrays()  # **arrays must not look like savez's keywords
    if labels is not None:
        arrays["labels"] = np.asarray(labels)
    if groups is not None:
        arrays["groups"] = np.asarray(groups)
    with atomic_path(path) as tmp, tmp.open("wb") as f:
        np.savez_compressed(f, **arrays)
    summary = summarise(result, labels, groups)
    write_json(path.with_suffix(".json"), summary)
    return summary


def load_result(path: str | os.PathLike) -> RunResult:
    try:
        with np.load(path, allow_pickle=False) as npz:
            data = {k: npz[k] for k in npz.files}
    except (OSError, ValueError, EOFError) as err:
        raise DataError(f"{path}: not a readable results file: {err}") from None
    if "readout" not in data:
        raise DataError(f"{path}: no 'readout' entry; not a results file")

    def group(prefix: str) -> dict[str, np.ndarray]:
        return {k[len(prefix) :]: v for k, v in data.items() if k.startswith(prefix)}

    return RunResult(data["readout"], group("spikes_"), group("state_"), group("activity_"))


def diff_results(a: RunResult, b: RunResult, activity: bool | str = True) -> list[str]:
    """Differences between two runs (readout, spikes, state, activity); empty when bit-identical.

    `activity`: True compares every count, a count only one run has being a difference; "shared"
    compares the counts both have (the core has no cycle counters, the firmware runs no
    `saturations`); False none.
    """
    if activity not in (True, False, "shared"):
        raise ConfigError(f"activity: expected True, False or 'shared', got {activity!r}")
    out = []
    pairs = [("readout", a.readout, b.readout)]
    for kind in ("spikes", "state", *(("activity",) if activity else ())):
        da, db = getattr(a, kind), getattr(b, kind)
        keys = (
            set(da) & set(db) if kind == "activity" and activity == "shared" else set(da) | set(db)
        )
        for key in sorted(keys):
            if key not in da or key not in db:
                out.append(f"{kind}_{key}: only in {'first' if key in da else 'second'} run")
            else:
                pairs.append((f"{kind}_{key}", da[key], db[key]))
    for name, x, y in pairs:
        if x.shape != y.shape:
            out.append(f"{name}: shape {x.shape} != {y.shape}")
        elif not np.array_equal(x, y):
            first = tuple(int(i) for i in np.argwhere(x != y)[0])
            out.append(
                f"{name}: {int(np.count_nonzero(x != y))} entries differ, first at {first}: "
                f"{x[first]} != {y[first]}"
            )
    return out
