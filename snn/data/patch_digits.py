"""Patch digits: grey 8x8 digits with a class-specific 2x2 max-intensity patch (a spatial shortcut).

Digit c's patch sits at border block PATCH_BLOCKS[c]. In training the class's own patch is present
with probability rho; otherwise (`otherwise="other"`) another class's patch is drawn uniformly, or
(`otherwise="absent"`) no patch at all (attribute value 10). Attribute = patch position (10 = none).
64 features. Rate coding turns the patch into four always-on inputs: an easy shortcut for SNNs.
"""

from __future__ import annotations

import numpy as np

from snn.data import digits
from snn.data.images import ImageSpec
from snn.errors import check_choice

# Ten of the twelve border blocks of the 4x4 grid of 2x2 blocks: (row, column) of the block.
PATCH_BLOCKS = ((0, 0), (0, 1), (0, 2), (0, 3), (1, 3), (2, 3), (3, 3), (3, 2), (3, 1), (3, 0))


def _num_bias(options) -> int:
    check_choice("otherwise", options["otherwise"], ("other", "absent"))
    return 10 if options["otherwise"] == "other" else 11


def _draw(y, rho, generator, options):
    if options["otherwise"] == "other":
        return digits.draw_attributes(y, 10, rho, generator)
    present = generator.random(len(y)) < rho
    return np.where(present, y, 10).astype(np.int64)


def _paint(grey, bias, generator, options):
    images = grey.copy()
    for block, (r, c) in enumerate(PATCH_BLOCKS):
        images[bias == block, 2 * r : 2 * r + 2, 2 * c : 2 * c + 2] = 1.0
    return images[:, None, :, :]


SPEC = ImageSpec(
    name="patch_digits",
    num_classes=10,
    channels=1,
    defaults={"rho": 0.95, "otherwise": "other"},
    label=lambda digit: digit,
    num_bias=_num_bias,
    paint=_paint,
    draw=_draw,
)
