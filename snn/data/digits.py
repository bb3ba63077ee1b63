"""The image source shared by the image datasets: scikit-learn's bundled 8x8 digits, split by seed.

Sits under `colour_digits`, `tint_groups` and `patch_digits`: they take grey images in [0, 1] from
here and paint a spurious attribute on them. The data ships inside scikit-learn (no download).
"""

from __future__ import annotations

import functools

import numpy as np

from snn.seeding import rng

SIDE = 8
SPLITS = ("train", "val", "test", "test_biased")
# Fractions of each class held out for the test and validation images; the rest is training.
TEST_FRACTION = 0.2
VAL_FRACTION = 0.1


@functools.lru_cache(maxsize=1)
def _digits() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    bunch = load_digits()
    grey = (bunch.images / 16.0).astype(np.float32)  # pixel values 0..16
    return grey, bunch.target.astype(np.int64)


def base_images(split: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Grey images [N, 8, 8] in [0, 1] and digit labels [N] of one split under `seed`.

    The split is stratified per class from a seeded permutation, so train, val and test are disjoint
    for one seed; `test` and `test_biased` hold the same images.
    """
    grey, digit = _digits()
    part = {"train": 0, "val": 1, "test": 2, "test_biased": 2}[split]
    chosen = []
    generator = rng(seed, "digits-split")
    for c in range(10):
        members = generator.permutation(np.flatnonzero(digit == c))
        n_test = round(TEST_FRACTION * len(members))
        n_val = round(VAL_FRACTION * len(members))
        bounds = [(n_test + n_val, len(members)), (n_test, n_test + n_val), (0, n_test)][part]
        chosen.append(members[bounds[0] : bounds[1]])
    index = np.sort(np.concatenate(chosen))
    return grey[index], digit[index]


def draw_attributes(y: np.ndarray, num_bias: int, rho: float, generator) -> np.ndarray:
    """Attribute per example: y's own attribute (bias == y) with probability rho, else one of the
    other num_bias - 1 values uniformly (the conflicting mass is spread evenly, as in LfF)."""
    aligned = generator.random(len(y)) < rho
    other = (y + 1 + generator.integers(0, num_bias - 1, len(y))) % num_bias
    return np.where(aligned, y, other).astype(np.int64)


def every_attribute(images: np.ndarray, y: np.ndarray, num_bias: int):
    """Each image repeated once per attribute value: the unbiased (every cell populated) layout."""
    n = len(y)
    return (
        np.repeat(images, num_bias, axis=0),
        np.repeat(y, num_bias),
        np.tile(np.arange(num_bias, dtype=np.int64), n),
    )
