"""The `Dataset` record every generator returns and every trainer, metric and runner consumes.

Sits at the head of the data flow: generators (colour digits, tint groups, patch digits, synthetic
NLI) build one; `snn.data.encode` turns its `.x` into spike trains for students and the hardware
side; `snn.metrics` reads its labels, groups and alignment flags.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from snn.errors import DataError


@dataclasses.dataclass(frozen=True)
class Dataset:
    """One split of a biased dataset. Row i of every array describes example i.

    x:        float32 [N, features], every value in [0, 1] (rate/latency encodable).
    y:        int64 [N] class labels in [0, num_classes).
    bias:     int64 [N] spurious attribute in [0, num_bias) (a colour, a tint, a patch position,
              lexical overlap).
    group:    int64 [N] = y * num_bias + bias, the (class, attribute) cell.
    aligned:  bool [N], True where the attribute is the one the class co-occurs with in training.
    subset:   int64 [N] index into `subset_names` (bias type / heuristic), for the per-bias-type
              breakdown.
    seed:     the generator seed (counterfactuals are drawn from the same training pool).
    tokens:   int64 [N, L] token ids for sequence teachers (synthetic NLI only), else None.
    image_shape: (channels, height, width) when x is a flattened image, else None.
    """

    name: str
    split: str
    x: np.ndarray
    y: np.ndarray
    bias: np.ndarray
    aligned: np.ndarray
    num_classes: int
    num_bias: int
    subset: np.ndarray
    subset_names: tuple[str, ...]
    image_shape: tuple[int, int, int] | None = None
    tokens: np.ndarray | None = None
    vocab_size: int = 0
    seed: int = 0
    options: dict = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.y)
        where = f"dataset {self.name!r} split {self.split!r}"
        if self.x.dtype != np.float32 or self.x.ndim != 2 or len(self.x) != n:
            raise DataError(
                f"{where}: x must be float32 [{n}, features], got {self.x.dtype} {self.x.shape}"
            )
        if n and (self.x.min() < 0.0 or self.x.max() > 1.0):
            raise DataError(f"{where}: x must lie in [0, 1], got [{self.x.min()}, {self.x.max()}]")
        for field in ("y", "bias", "aligned", "subset"):
            if getattr(self, field).shape != (n,):
                raise DataError(
                    f"{where}: {field} must have shape ({n},), got {getattr(self, field).shape}"
                )
        if n and not (self.y.min() >= 0 and self.y.max() < self.num_classes):
            raise DataError(
                f"{where}: y must lie in [0, {self.num_classes}), "
                f"got [{self.y.min()}, {self.y.max()}]"
            )
        if n and not (self.bias.min() >= 0 and self.bias.max() < self.num_bias):
            raise DataError(
                f"{where}: bias must lie in [0, {self.num_bias}), "
                f"got [{self.bias.min()}, {self.bias.max()}]"
            )
        if self.tokens is not None and len(self.tokens) != n:
            raise DataError(f"{where}: tokens must have {n} rows, got {len(self.tokens)}")

    def __len__(self) -> int:
        return len(self.y)

    @property
    def group(self) -> np.ndarray:
        return self.y * self.num_bias + self.bias

    @property
    def num_groups(self) -> int:
        return self.num_classes * self.num_bias

    @property
    def num_features(self) -> int:
        return self.x.shape[1]

    def take(self, index: np.ndarray) -> Dataset:
        """The examples at `index` (an int array or a boolean mask), same metadata."""
        index = np.asarray(index)
        rows = {f: getattr(self, f)[index] for f in ("x", "y", "bias", "aligned", "subset")}
        tokens = None if self.tokens is None else self.tokens[index]
        return dataclasses.replace(self, tokens=tokens, **rows)

    def concat(self, other: Dataset, split: str | None = None) -> Dataset:
        """This split followed by `other` (same dataset and metadata)."""
        if (other.name, other.num_classes, other.num_bias) != (
            self.name,
            self.num_classes,
            self.num_bias,
        ) or other.x.shape[1] != self.x.shape[1]:
            raise DataError(
                f"cannot concatenate {other.name!r} {other.x.shape} to {self.name!r} {self.x.shape}"
            )
        rows: dict[str, Any] = {
            f: np.concatenate([getattr(self, f), getattr(other, f)])
            for f in ("x", "y", "bias", "aligned", "subset")
        }
        tokens = None if self.tokens is None else np.concatenate([self.tokens, other.tokens])
        return dataclasses.replace(self, split=split or self.split, tokens=tokens, **rows)
