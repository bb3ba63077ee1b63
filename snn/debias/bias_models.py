"""Bias-only models: the probabilities b = p(class | bias cue) that debiasing losses divide out.

Sits beside every debiased training run: `snn.distill.train` fits one on the training (transfer)
set and hands its per-example probabilities to the method (`snn.debias.methods`).

- `known`: a model of the bias attribute alone. It sees only `ds.bias` (the colour, tint, patch
  position or lexical-overlap flag) and predicts the training set's smoothed p(y | a): the exact
  known-bias model (Clark et al. 2019's hand-crafted bias features, reduced to their attribute).
- `shallow`: a limited-capacity model for unknown biases (Utama et al. 2020b): logistic
  regression on the raw features of a small random subset of the training set.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np

from snn.data.dataset import Dataset
from snn.errors import check_choice
from snn.seeding import rng

BIAS_MODELS = ("known", "shallow")


class KnownBias:
    """p(y | a) from training counts with add-`smoothing` (Laplace) smoothing."""

    def __init__(self, smoothing: float = 1.0) -> None:
        self.smoothing = smoothing
        self.table: np.ndarray | None = None

    def fit(self, train: Dataset) -> KnownBias:
        counts = np.full((train.num_bias, train.num_classes), self.smoothing)
        np.add.at(counts, (train.bias, train.y), 1.0)
        self.table = (counts / counts.sum(1, keepdims=True)).astype(np.float32)
        return self

    def predict(self, ds: Dataset) -> np.ndarray:
        return cast(np.ndarray, self.table)[ds.bias]  # set by fit


class ShallowBias:
    """Logistic regression on `fraction` of the training set (at least `minimum` examples)."""

    def __init__(self, seed: int, fraction: float = 0.1, minimum: int = 100) -> None:
        self.seed, self.fraction, self.minimum = seed, fraction, minimum
        self.model: Any = None  # a fitted sklearn LogisticRegression (sklearn is untyped)

    def fit(self, train: Dataset) -> ShallowBias:
        from sklearn.linear_model import LogisticRegression

        n = min(len(train), max(self.minimum, round(self.fraction * len(train))))
        pick = rng(self.seed, "shallow-bias").choice(len(train), n, replace=False)
        self.model = LogisticRegression(C=1.0, max_iter=500).fit(train.x[pick], train.y[pick])
        self.num_classes = train.num_classes
        return self

    def predict(self, ds: Dataset) -> np.ndarray:
        probs = np.full((len(ds), self.num_classes), 1e-3, np.float32)
        probs[:, self.model.classes_] = self.model.predict_proba(ds.x)
        return probs / probs.sum(1, keepdims=True)


def fit_bias_model(kind: str, train: Dataset, seed: int = 0):
    """A fitted bias-only model of `kind` (see BIAS_MODELS): `.predict(ds) -> [N, classes]`."""
    check_choice("bias_model", kind, BIAS_MODELS)
    return KnownBias().fit(train) if kind == "known" else ShallowBias(seed).fit(train)
