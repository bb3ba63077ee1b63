"""snn.data.load and counterfactuals: names, options, splits, seeding, group structure."""

import numpy as np
import pytest

import snn.data as data
from snn.errors import ConfigError


@pytest.mark.parametrize("name", data.DATASETS)
def test_every_dataset_honours_the_contract(name):
    train = data.load(name, "train", seed=3)
    test = data.load(name, "test", seed=3)
    for ds in (train, test):
        assert ds.x.dtype == np.float32 and ds.x.ndim == 2
        assert ds.x.min() >= 0.0 and ds.x.max() <= 1.0
        assert np.array_equal(ds.group, ds.y * ds.num_bias + ds.bias)
        assert np.array_equal(ds.aligned, ds.bias == ds.y)
    assert abs(train.aligned.mean() - data.DEFAULTS[name]["rho"]) < 0.03
    # the unbiased test split populates every (class, attribute) cell
    assert set(np.unique(test.group)) == set(range(test.num_groups))
    counts = np.bincount(test.group, minlength=test.num_groups)
    assert counts.min() >= 0.5 * counts.max()


@pytest.mark.parametrize("name", data.DATASETS)
def test_same_seed_same_data_other_seed_other_data(name):
    a = data.load(name, "train", seed=1)
    b = data.load(name, "train", seed=1)
    c = data.load(name, "train", seed=2)
    assert np.array_equal(a.x, b.x) and np.array_equal(a.bias, b.bias)
    assert not np.array_equal(a.x[:50], c.x[:50])


@pytest.mark.parametrize("rho", [0.9, 0.98])
def test_rho_sets_the_aligned_fraction(rho):
    train = data.load("colour_digits", "train", seed=0, rho=rho)
    assert abs(train.aligned.mean() - rho) < 0.02
    conflicting = train.bias[~train.aligned]
    assert len(np.unique(conflicting)) > 5  # conflicting colours are spread over the others


def test_image_splits_are_disjoint():
    from snn.data import digits

    images = {s: digits.base_images(s, seed=4)[0].reshape(-1, 64) for s in ("train", "val", "test")}
    keys = {s: {row.tobytes() for row in v} for s, v in images.items()}
    assert not keys["train"] & keys["test"]
    assert not keys["train"] & keys["val"]
    assert sum(len(v) for v in images.values()) == 1797


def test_test_biased_is_the_in_distribution_test():
    test = data.load("colour_digits", "test", seed=0)
    biased = data.load("colour_digits", "test_biased", seed=0)
    assert len(test) == 10 * len(biased)
    assert abs(biased.aligned.mean() - 0.95) < 0.04


@pytest.mark.parametrize("name", data.DATASETS)
def test_counterfactuals_conflict_with_the_bias(name):
    extra = data.counterfactuals(name, seed=0, count=40)
    assert len(extra) == 40 and not extra.aligned.any()
    assert extra.split == "counterfactual"


def test_bad_names_options_and_values():
    with pytest.raises(ConfigError, match="valid: colour_digits, patch_digits"):
        data.load("mnist", "train")
    with pytest.raises(ConfigError, match="valid: test, test_biased, train, val"):
        data.load("colour_digits", "holdout")
    with pytest.raises(ConfigError, match="unknown option.*colour; valid: colour_floor"):
        data.load("colour_digits", "train", colour=3)
    for rho in (0.0, 1.0, 1.5, -0.1):
        with pytest.raises(ConfigError, match="rho"):
            data.load("colour_digits", "train", rho=rho)
    with pytest.raises(ConfigError, match="colour_on"):
        data.load("colour_digits", "train", colour_on="edges")
    with pytest.raises(ConfigError, match="count"):
        data.counterfactuals("colour_digits", 0, -1)
