"""Coloured digits: 8x8 digits painted in one of ten colours, colour tied to the digit at rho.

LfF's Colored MNIST recipe scaled to scikit-learn's digits: the colour goes on the digit strokes
(`colour_on="digit"`, LfF) or on the background with white strokes (`"background"`, ReBias); each
image's colour is its mean colour plus N(0, colour_std^2) noise per channel, clipped to [0, 1].
Attribute = colour index; colour c is the aligned colour of digit c. 192 features (3 x 8 x 8).
"""

from __future__ import annotations

import numpy as np

from snn.data.images import ImageSpec
from snn.errors import check_choice

# The ReBias colour map: red, green, blue, yellow, magenta, cyan, orange, pink, purple, grey.
COLOURS = np.array(
    [
        [1.0, 0.0, 0.0],
        [0.0, 1.0, 0.0],
        [0.0, 0.0, 1.0],
        [1.0, 1.0, 0.0],
        [1.0, 0.0, 1.0],
        [0.0, 1.0, 1.0],
        [1.0, 0.5, 0.0],
        [1.0, 0.6, 0.8],
        [0.5, 0.0, 1.0],
        [0.5, 0.5, 0.5],
    ],
    dtype=np.float32,
)


def _paint(grey, bias, generator, options):
    check_choice("colour_on", options["colour_on"], ("digit", "background"))
    noise = generator.normal(0.0, options["colour_std"], (len(bias), 3)).astype(np.float32)
    floor = options["colour_floor"]
    colour = floor + (1.0 - floor) * np.clip(COLOURS[bias] + noise, 0.0, 1.0)[:, :, None, None]
    grey = grey[:, None, :, :]
    if options["colour_on"] == "digit":
        return grey * colour
    return grey + (1.0 - grey) * colour


SPEC = ImageSpec(
    name="colour_digits",
    num_classes=10,
    channels=3,
    defaults={"rho": 0.95, "colour_on": "digit", "colour_std": 0.05, "colour_floor": 0.5},
    label=lambda digit: digit,
    num_bias=lambda options: 10,
    paint=_paint,
)
