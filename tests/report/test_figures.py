"""riscv_soc/report/figures.py: every figure renders to a PNG of the expected size."""

from __future__ import annotations

import io

import matplotlib.image
import numpy as np

from riscv_soc.report import figures


def _image(png: bytes) -> np.ndarray:
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    return matplotlib.image.imread(io.BytesIO(png), format="png")


def test_accuracy_and_debiasing_bars_allow_missing_values():
    png = figures.accuracy_bars(["teacher", "rtl"], [0.9, 0.8], [0.9, None], [0.5, 0.4])
    assert _image(png).shape[:2] == (380, 900)
    png = figures.debiasing_bars(["f_T", "g"], [0.6, None], [0.9, 0.92])
    assert _image(png).shape[:2] == (380, 800)


def test_spike_rasters_one_column_per_example():
    rng = np.random.default_rng(0)
    examples = [
        {
            "title": t,
            "inputs": (rng.random((8, 20)) < 0.2).astype(np.uint8),
            "hidden": (rng.random((8, 6)) < 0.3).astype(np.uint8),
        }
        for t in ("aligned", "conflicting")
    ]
    assert _image(figures.spike_rasters(examples)).shape[:2] == (550, 1000)


def test_energy_breakdown():
    components = {
        "board": {"instret": 1e-6, "cycles": 0.0},
        "core": {"cycles": 2e-8, "vec_alu_ops": 1e-9},
    }
    png = figures.energy_breakdown(components, {"board": 1e-6, "op count": 1e-9})
    assert _image(png).shape[:2] == (380, 1100)


def test_figures_are_reproducible():
    args = (["a", "b"], [0.5, 0.6], [0.5, 0.6], [0.1, 0.2])
    assert figures.accuracy_bars(*args) == figures.accuracy_bars(*args)
