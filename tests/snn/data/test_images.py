"""The three image datasets: how each paints its spurious attribute."""

import numpy as np

import snn.data as data
from snn.data.colour_digits import COLOURS
from snn.data.patch_digits import PATCH_BLOCKS
from snn.data.tint_groups import TINTS


def _images(ds):
    return ds.x.reshape(len(ds), *ds.image_shape)


def test_colour_on_digit_scales_the_strokes_by_the_colour():
    ds = data.load("colour_digits", "test", seed=0, colour_std=0.0, colour_floor=0.0)
    img = _images(ds)
    grey = img.max(axis=1)  # the strongest channel of a pure colour carries the grey stroke
    for i in range(0, 200, 17):
        colour = COLOURS[ds.bias[i]]
        for c in range(3):
            np.testing.assert_allclose(img[i, c], grey[i] * colour[c] / colour.max(), atol=1e-6)


def test_colour_floor_puts_the_stroke_in_every_channel():
    ds = data.load("colour_digits", "test", seed=0, colour_std=0.0, colour_floor=0.5)
    img = _images(ds)
    blue = np.flatnonzero(ds.bias == 2)[0]
    # blue (0, 0, 1) mixed half with white: (0.5, 0.5, 1) times the stroke
    np.testing.assert_allclose(img[blue, 0], 0.5 * img[blue, 2], atol=1e-6)


def test_background_colour_leaves_white_strokes():
    ds = data.load(
        "colour_digits", "test", seed=0, colour_on="background", colour_std=0.0, colour_floor=0.0
    )
    img = _images(ds)
    red = np.flatnonzero(ds.bias == 0)[0]
    background = img[red].min(axis=0) == 0  # zero in green: not stroke
    assert np.all(img[red, 0] == 1.0)  # red channel: background red, strokes white
    assert background.any()


def test_tint_groups_are_two_by_two():
    train = data.load("tint_groups", "train", seed=0)
    assert (train.num_classes, train.num_bias, train.num_groups) == (2, 2, 4)
    test = data.load("tint_groups", "test", seed=0)
    counts = np.bincount(test.group, minlength=4)
    assert counts.min() > 0.8 * counts.max()  # balanced groups
    minority = np.bincount(train.group, minlength=4)[[1, 2]].sum() / len(train)
    assert 0.02 < minority < 0.08
    img = _images(test)
    corner = img[:, :, 0, 0]  # digits leave the corner blank: the pure tint shows
    expected = 0.6 * TINTS[test.bias]
    close = np.isclose(corner, expected, atol=0.07).all(axis=1)
    assert close.mean() > 0.9


def test_patch_sits_at_the_attribute_block():
    ds = data.load("patch_digits", "test", seed=0)
    img = _images(ds)[:, 0]
    for i in range(0, len(ds), 37):
        r, c = PATCH_BLOCKS[ds.bias[i]]
        assert np.all(img[i, 2 * r : 2 * r + 2, 2 * c : 2 * c + 2] == 1.0)


def test_absent_patch_mode_adds_a_no_patch_attribute():
    train = data.load("patch_digits", "train", seed=0, otherwise="absent")
    assert train.num_bias == 11
    assert set(np.unique(train.bias[~train.aligned])) == {10}
    test = data.load("patch_digits", "test", seed=0, otherwise="absent")
    assert set(np.unique(test.bias)) == set(range(11))
