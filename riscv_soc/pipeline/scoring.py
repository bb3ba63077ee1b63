"""Accuracy metrics of a stage's predictions, in the training API's terms (snn.metrics).

Where it sits: every stage that predicts (teacher, student, core, ISS, RTL) scores its predictions
here, so the summary compares like with like: accuracy, unbiased accuracy (mean over populated
(class, attribute) cells), aligned and conflicting accuracy, worst-group accuracy and the spurious
gap (aligned - conflicting).
"""

from __future__ import annotations

import numpy as np

from snn.metrics import evaluate

ACCURACY_KEYS = ("acc", "unbiased_acc", "aligned_acc", "conflicting_acc", "wga", "spurious_gap")


def scores(predictions: np.ndarray, ds) -> dict:
    """The ACCURACY_KEYS of `predictions` [N] on `ds` (an snn.data.Dataset of N examples)."""
    result = evaluate(np.asarray(predictions), ds)
    return {k: result[k] for k in ACCURACY_KEYS} | {"samples": len(ds)}


def agreement(a: np.ndarray, b: np.ndarray) -> float:
    """The fraction of samples on which two prediction vectors agree."""
    return float(np.mean(np.asarray(a) == np.asarray(b))) if len(a) else 1.0
