"""Tint groups: a 2x2 group set in the Waterbirds mould, built from digits.

Class = digit >= 5 (two classes); spurious attribute = one of two background tints (warm, cool);
tint a goes with class a at rho in training, so (class, tint) gives two majority and two minority
groups. The test split paints every test image in both tints: a balanced set of four groups.
Strokes stay white; the tint fills the background at `tint_strength`. 192 features (3 x 8 x 8).
"""

from __future__ import annotations

import numpy as np

from snn.data.images import ImageSpec

TINTS = np.array([[0.9, 0.55, 0.1], [0.1, 0.45, 0.9]], dtype=np.float32)  # warm, cool


def _paint(grey, bias, generator, options):
    tint = (options["tint_strength"] * TINTS[bias])[:, :, None, None]
    grey = grey[:, None, :, :]
    return grey + (1.0 - grey) * tint


SPEC = ImageSpec(
    name="tint_groups",
    num_classes=2,
    channels=3,
    defaults={"rho": 0.95, "tint_strength": 0.6},
    label=lambda digit: (digit >= 5).astype(np.int64),
    num_bias=lambda options: 2,
    paint=_paint,
)
