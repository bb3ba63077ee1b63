"""Accuracy metrics of a stage's predictions, in the training API's terms (snn.metrics).

Where it sits: every stage that predicts (teacher, student, core, ISS, RTL) scores its predictions
here, so the summary compares like with like: accuracy, unbiased accuracy (mean over populated
(class, attribute) cells), aligned and conflicting accuracy, worst-group accuracy and the spurious
gap (aligned - conflicting).
"""

from __future__ import annotations

import numpy as np

from riscv_soc.runfolder.metrics import ACCURACY_KEYS, Scores
from snn.metrics import evaluate


def scores(predictions: np.ndarray, ds) -> Scores:
    """The Scores of `predictions` [N] on `ds` (an snn.data.Dataset of N examples)."""
    result = evaluate(np.asarray(predictions), ds)
    return Scores(**{k: float(result[k]) for k in ACCURACY_KEYS}, samples=len(ds))


def agreement(a: np.ndarray, b: np.ndarray) -> float:
    """The fraction of samples on which two prediction vectors agree."""
    return float(np.mean(np.asarray(a) == np.asarray(b))) if len(a) else 1.0
