"""The generic biased-image builder: base digits + a painted spurious attribute -> `Dataset`.

Each image dataset (`colour_digits`, `tint_groups`, `patch_digits`) is an `ImageSpec` saying how
labels come from digits, which attribute values exist and how one is painted; this module turns a
spec into the train (biased at rho), val and test (every attribute for every image: unbiased),
test_biased (biased at rho, the in-distribution test) and counterfactual splits.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

from snn.data import digits
from snn.data.dataset import Dataset
from snn.seeding import rng


@dataclasses.dataclass(frozen=True)
class ImageSpec:
    name: str
    num_classes: int
    channels: int
    defaults: dict
    # digit labels [N] -> class labels [N]
    label: Callable[[np.ndarray], np.ndarray]
    # number of attribute values under the options
    num_bias: Callable[[dict], int]
    # (grey [N, 8, 8], bias [N], generator, options) -> images [N, channels, 8, 8] in [0, 1]
    paint: Callable[..., np.ndarray]
    # (y [N], rho, generator, options) -> bias [N]; rho = 0 asks for conflicting attributes only
    draw: Callable[..., np.ndarray] | None = None
    subset_names: tuple[str, ...] = ("all",)


def _draw(spec: ImageSpec, y, rho, generator, options) -> np.ndarray:
    if spec.draw is not None:
        return spec.draw(y, rho, generator, options)
    return digits.draw_attributes(y, spec.num_bias(options), rho, generator)


def build(spec: ImageSpec, split: str, seed: int, options: dict) -> Dataset:
    """One split of the dataset `spec` under `seed` (see the module docstring for the layouts)."""
    base_split = "train" if split == "counterfactual" else split
    grey, digit = digits.base_images(base_split, seed)
    y = spec.label(digit)
    num_bias = spec.num_bias(options)
    draws = rng(seed, spec.name, split, "attributes")
    if split in ("train", "test_biased"):
        bias = _draw(spec, y, options["rho"], draws, options)
    elif split == "counterfactual":
        bias = _draw(spec, y, 0.0, draws, options)
    else:
        grey, y, bias = digits.every_attribute(grey, y, num_bias)
    images = spec.paint(grey, bias, rng(seed, spec.name, split, "paint"), options)
    return Dataset(
        name=spec.name,
        split=split,
        x=np.ascontiguousarray(images.reshape(len(y), -1), dtype=np.float32),
        y=y.astype(np.int64),
        bias=bias,
        aligned=bias == y,
        num_classes=spec.num_classes,
        num_bias=num_bias,
        subset=np.zeros(len(y), np.int64),
        subset_names=spec.subset_names,
        image_shape=(spec.channels, digits.SIDE, digits.SIDE),
        seed=seed,
        options=dict(options),
    )
