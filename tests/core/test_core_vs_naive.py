"""The Numba core against the slow reference (tests/naive/ref_core.py) on random networks."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from naive import ref_core
from naive.random_nets import random_network

from riscv_soc import core
from riscv_soc.quant import QuantConfig, quantise


def _case(seed: int, rounding: str, saturate: bool, layout: str):
    rng = np.random.default_rng(seed)
    net = random_network(rng)
    bundle = quantise(net, QuantConfig(rounding=rounding, saturate=saturate, layout=layout))
    density = rng.uniform(0.05, 0.6)
    spikes = (rng.random((2, net.num_steps, net.n_inputs)) < density).astype(np.uint8)
    return bundle, spikes


def _assert_same(bundle, spikes, seed):
    got = core.run(bundle, spikes, seed=seed, parallel=False)
    spk, state, readout = ref_core.run(bundle, spikes, seed=seed)
    for name, want in spk.items():
        np.testing.assert_array_equal(got.spikes[name], want, err_msg=f"spikes of {name}")
    for name, want in state.items():
        np.testing.assert_array_equal(got.state[name], want, err_msg=f"state {name}")
    np.testing.assert_array_equal(got.readout, readout, err_msg="readout")
    return got


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    rounding=st.sampled_from(["floor", "rn", "sr"]),
    saturate=st.booleans(),
    layout=st.sampled_from(["auto", "dense", "sparse"]),
)
def test_core_matches_reference(seed, rounding, saturate, layout):
    bundle, spikes = _case(seed, rounding, saturate, layout)
    _assert_same(bundle, spikes, seed % 1000)


@pytest.mark.parametrize("seed", range(3))
def test_parallel_equals_serial_and_chunks(seed):
    bundle, spikes = _case(seed, "sr", True, "auto")
    spikes = np.concatenate([spikes] * 3)
    whole = core.run(bundle, spikes, seed=5, parallel=True)
    serial = core.run(bundle, spikes, seed=5, parallel=False)
    assert core.diff_results(whole, serial) == []
    tail = core.run(bundle, spikes[4:], seed=5, sample_offset=4)
    assert np.array_equal(tail.readout, whole.readout[4:])


def test_saturation_is_exercised_and_counted():
    """Large weights and inputs drive the accumulators into the rails; the reference agrees."""
    rng = np.random.default_rng(3)
    from riscv_soc.quant import FloatNetwork, FloatPopulation, FloatProjection

    net = FloatNetwork(
        20,
        [
            FloatPopulation("h", "lif", 33, beta=1.0, threshold=100.0),
            FloatPopulation("out", "li", 3, beta=1.0, reset="none"),
        ],
        [
            FloatProjection("a", "input", "h", rng.uniform(0.5, 1.0, (20, 33))),
            FloatProjection("b", "h", "out", rng.uniform(-1, 1, (33, 3))),
        ],
        output="out",
        num_steps=8,
        readout="last",
    )
    for saturate in (True, False):
        bundle = quantise(net, QuantConfig(frac_bits=10, weight_bits=16, saturate=saturate))
        spikes = np.ones((1, 8, 20), np.uint8)
        got = _assert_same(bundle, spikes, 0)
        assert got.activity["saturations"][0] > 0
        assert (np.abs(got.state["h_V"]) >= 32000).any() == saturate
