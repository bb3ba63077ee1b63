"""Delay rings as sliding windows (compiler/delay_window.py): the same results as the core across
many window shifts, with saturating sums; the modulo ring where twice the ring does not fit."""

import numpy as np
import pytest

from riscv_soc import core, runtime
from riscv_soc.compiler import CompileOptions, compile_bundle
from riscv_soc.firmware.export import firmware_of
from riscv_soc.quant import FloatNetwork, FloatPopulation, FloatProjection, quantise

STEPS = 140  # more than two blocks of D = 64 steps
N_IN = 300


def _bundle(n_hidden: int, seed: int = 0):
    """Inputs -> a recurrent LIF layer with delays of 0..62 -> an LI readout; many inputs share
    three delays, so ring sums saturate (and come back: the order of the additions shows)."""
    rng = np.random.default_rng(seed)
    in_delays = rng.choice([0, 31, 62], (N_IN, n_hidden))
    hidden = FloatPopulation("hidden", "lif", n_hidden, beta=0.9, threshold=1.0)
    out = FloatPopulation("out", "li", 5, beta=0.9, reset="none")
    projs = [
        FloatProjection(
            "in_hidden", "input", "hidden", rng.normal(0.5, 1.0, (N_IN, n_hidden)), in_delays
        ),
        FloatProjection(
            "rec",
            "hidden",
            "hidden",
            rng.normal(0, 0.5, (n_hidden, n_hidden)),
            rng.integers(0, 63, (n_hidden, n_hidden)),
        ),
        FloatProjection("hidden_out", "hidden", "out", rng.normal(0, 0.5, (n_hidden, 5))),
    ]
    net = FloatNetwork(N_IN, [hidden, out], projs, "out", num_steps=STEPS, readout="mean")
    return quantise(net)


@pytest.mark.parametrize(("n_hidden", "window"), [(64, True), (288, False)])
def test_matches_the_core(n_hidden, window):
    bundle = _bundle(n_hidden)
    compiled = compile_bundle(bundle, CompileOptions())
    assert compiled.plan.pops[0].ring_window is window
    assert compiled.load_use_nops == 0
    spikes = (np.random.default_rng(1).random((2, STEPS, N_IN)) < 0.5).astype(np.uint8)
    got = runtime.run(firmware_of(compiled), spikes)
    want = core.run(bundle, spikes)
    assert core.diff_results(want, got, activity="shared") == []
    assert got.spikes["hidden"].sum() > 100
    assert (want.activity["saturations"] > 0).all()
