"""Offline, generated, seeded, biased-on-purpose datasets and their spike encoders.

The head of the training data flow, and the entry point the quantised-network runner uses to turn
a dataset name into spike trains:

    ds = snn.data.load("colour_digits", "test", seed=0, rho=0.95)
    spikes = snn.data.encode(ds.x, "rate", num_steps=16, seed=0)      # uint8 [N, 16, 192]

Splits: `train` (biased at rho), `val` and `test` (unbiased: every (class, attribute) cell
populated), `test_biased` (the in-distribution test, biased at rho like training). `counterfactuals`
draws bias-conflicting examples from the training pool (the transfer-set augmentation remedy).
`read_events` reads event datasets from local files (SHD/SSC HDF5, N-MNIST) for `EventSet.bin`.
"""

from __future__ import annotations

from snn.data import colour_digits, images, nli, patch_digits, tint_groups
from snn.data.dataset import Dataset
from snn.data.encode import ENCODINGS, encode
from snn.data.event_files import read_events
from snn.data.events import EventSet
from snn.errors import ConfigError, check_choice, check_open_unit
from snn.seeding import rng

_IMAGE_SPECS = {
    spec.name: spec for spec in (colour_digits.SPEC, tint_groups.SPEC, patch_digits.SPEC)
}
DEFAULTS: dict[str, dict] = {name: spec.defaults for name, spec in _IMAGE_SPECS.items()}
DEFAULTS["synthetic_nli"] = nli.DEFAULTS
DATASETS: tuple[str, ...] = tuple(DEFAULTS)
SPLITS = ("train", "val", "test", "test_biased")

__all__ = [
    "DATASETS",
    "DEFAULTS",
    "ENCODINGS",
    "SPLITS",
    "Dataset",
    "EventSet",
    "counterfactuals",
    "encode",
    "load",
    "read_events",
    "resolve_options",
]


def resolve_options(name: str, options: dict) -> dict:
    """The dataset's defaults overridden by `options`; unknown names, keys or rho raise."""
    check_choice("dataset", name, DATASETS)
    unknown = set(options) - set(DEFAULTS[name])
    if unknown:
        raise ConfigError(
            f"dataset {name!r}: unknown option(s) {', '.join(sorted(unknown))}; "
            f"valid: {', '.join(sorted(DEFAULTS[name]))}"
        )
    merged = {**DEFAULTS[name], **options}
    merged["rho"] = check_open_unit("rho", merged["rho"])
    return merged


def _build(name: str, split: str, seed: int, options: dict) -> Dataset:
    merged = resolve_options(name, options)
    if name == "synthetic_nli":
        return nli.build(split, int(seed), merged)
    return images.build(_IMAGE_SPECS[name], split, int(seed), merged)


def load(name: str, split: str, seed: int = 0, **options) -> Dataset:
    """One split of dataset `name` under `seed`; options as in `DEFAULTS[name]` (e.g. rho)."""
    check_choice("split", split, SPLITS)
    return _build(name, split, seed, options)


def counterfactuals(name: str, seed: int, count: int, **options) -> Dataset:
    """`count` bias-conflicting examples (attribute != the class's own) from the training pool.

    Images: training images repainted with a conflicting attribute (sampled with replacement);
    synthetic NLI: fresh pairs from the conflicting cells. Split name: `counterfactual`.
    """
    if count < 0:
        raise ConfigError(f"count={count} must be >= 0")
    pool = _build(name, "counterfactual", seed, options)
    picks = rng(seed, name, "counterfactual-pick").integers(0, len(pool), count)
    return pool.take(picks)
