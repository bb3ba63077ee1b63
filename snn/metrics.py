"""Metrics of a model on one split: accuracy, the bias-robustness measures, activity and CKA.

Sits at the end of the training data flow (`snn.experiments` writes these into results.csv) and is
pure NumPy over predictions and a `Dataset`:

    acc              mean accuracy over the split as sampled
    unbiased_acc     mean over populated (class, attribute) cells of the cell accuracy
    aligned_acc      accuracy on bias-aligned examples; conflicting_acc on the rest
    wga              worst-group accuracy: the minimum cell accuracy over populated cells
    spurious_gap     aligned_acc - conflicting_acc (the paper's headline gap)
    breakdown        per subset (bias type / HANS heuristic): acc, aligned and conflicting acc
    spikes_per_sample, synops_per_sample   hidden spikes and synaptic events per sample
    linear_cka       Kornblith et al. 2019's linear CKA between two representations
"""

from __future__ import annotations

import numpy as np

from snn.data.dataset import Dataset
from snn.errors import DataError


def _mean(mask: np.ndarray, correct: np.ndarray) -> float:
    return float(correct[mask].mean()) if mask.any() else float("nan")


def group_accuracies(correct: np.ndarray, ds: Dataset) -> dict[int, float]:
    """Accuracy of every populated (class, attribute) group, keyed by group id."""
    groups = ds.group
    return {int(g): float(correct[groups == g].mean()) for g in np.unique(groups)}


def evaluate(predictions: np.ndarray, ds: Dataset) -> dict:
    """The accuracy metrics of `predictions` [N] (class ids) on `ds` (module docstring)."""
    predictions = np.asarray(predictions)
    if predictions.shape != (len(ds),):
        raise DataError(f"predictions must have shape ({len(ds)},), got {predictions.shape}")
    correct = (predictions == ds.y).astype(np.float64)
    cells = group_accuracies(correct, ds)
    aligned = _mean(ds.aligned, correct)
    conflicting = _mean(~ds.aligned, correct)
    breakdown = {}
    for k, name in enumerate(ds.subset_names):
        mask = ds.subset == k
        if mask.any():
            breakdown[name] = {
                "acc": _mean(mask, correct),
                "aligned_acc": _mean(mask & ds.aligned, correct),
                "conflicting_acc": _mean(mask & ~ds.aligned, correct),
                "count": int(mask.sum()),
            }
    return {
        "acc": float(correct.mean()),
        "unbiased_acc": float(np.mean(list(cells.values()))),
        "aligned_acc": aligned,
        "conflicting_acc": conflicting,
        "wga": float(min(cells.values())),
        "spurious_gap": aligned - conflicting,
        "breakdown": breakdown,
    }


def spikes_per_sample(hidden_spikes: np.ndarray) -> float:
    """Mean over samples of all hidden-layer spikes (hidden_spikes: [N, layers] counts)."""
    return float(np.asarray(hidden_spikes).sum(1).mean())


def synops_per_sample(arch: dict, input_spikes: np.ndarray, hidden_spikes: np.ndarray) -> float:
    """Mean synaptic events per sample: every spike times its fan-out (the next layer's size,
    plus its own layer's size when recurrent); input spikes fan out to the first hidden layer."""
    sizes = [*arch["hidden"], arch["outputs"]]
    events = np.asarray(input_spikes, np.float64) * sizes[0]
    for k, width in enumerate(arch["hidden"]):
        fan_out = sizes[k + 1] + (width if arch["recurrent"] else 0)
        events = events + np.asarray(hidden_spikes)[:, k] * fan_out
    return float(events.mean())


def linear_cka(x: np.ndarray, y: np.ndarray) -> float:
    """Linear CKA of representations x [N, p] and y [N, q] of the same N examples, in [0, 1].
    NaN when either is constant (no variance to compare)."""
    x = np.asarray(x, np.float64)
    y = np.asarray(y, np.float64)
    if x.shape[0] != y.shape[0]:
        raise DataError(f"linear_cka: {x.shape[0]} vs {y.shape[0]} examples")
    x = x - x.mean(0)
    y = y - y.mean(0)
    cross = np.linalg.norm(y.T @ x) ** 2
    norm = np.linalg.norm(x.T @ x) * np.linalg.norm(y.T @ y)
    return float(cross / norm) if norm > 0 else float("nan")


def layer_cka(
    teacher_features: list[np.ndarray],
    student_rates: list[np.ndarray],
    mask: np.ndarray | None = None,
) -> np.ndarray:
    """CKA of every (teacher layer, student hidden layer) pair, on the examples in `mask`."""
    pick = slice(None) if mask is None else np.asarray(mask)
    return np.array(
        [[linear_cka(t[pick], s[pick]) for s in student_rates] for t in teacher_features]
    )
