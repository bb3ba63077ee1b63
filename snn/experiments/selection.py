"""Which split the report picks on: validation when every model was scored on it, else test.

The study's choices (the best debiased teacher, the best KD variant or remedy per method) are made
on `val` WGA and the picked models are reported on `test`, so the reported numbers are not
selected on the data they are measured on. Results from before `val` was scored (no val rows, or
only some models with them) still load: the picks then fall back to test, and the note says so.
"""

from __future__ import annotations

import dataclasses

SELECT_SPLIT = "val"
REPORT_SPLIT = "test"
MODEL_KEY = ("dataset", "rho", "seed", "method", "kd", "remedy", "role")


@dataclasses.dataclass(frozen=True)
class Selection:
    split: str  # the split the picks are made on
    note: str  # one sentence for the report, saying which split and why

    @property
    def on_validation(self) -> bool:
        return self.split == SELECT_SPLIT


def _models(rows: list[dict], split: str) -> set[tuple]:
    return {tuple(r[k] for k in MODEL_KEY) for r in rows if r["split"] == split}


def choose_split(rows: list[dict]) -> Selection:
    """Validation when every model scored on test was also scored on val; test otherwise."""
    reported = _models(rows, REPORT_SPLIT)
    missing = len(reported - _models(rows, SELECT_SPLIT))
    if reported and not missing:
        return Selection(
            SELECT_SPLIT,
            f"Selection: the best method, KD variant and remedy are picked on {SELECT_SPLIT} WGA; "
            f"every number shown is on {REPORT_SPLIT}.",
        )
    return Selection(
        REPORT_SPLIT,
        f"**Note: selection fell back to {REPORT_SPLIT}.** {missing} of {len(reported)} models "
        f"have no {SELECT_SPLIT} rows (results from before validation scoring), so the best "
        f"method, KD variant and remedy are picked on {REPORT_SPLIT} WGA, the split they are "
        "reported on: the picked numbers are optimistic.",
    )
