"""ALIF populations end to end: quantiser, bundle file, core against the naive reference and
against the float ALIF equations, and the NIR exporter's refusal (NIR has no ALIF node)."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from naive import ref_core
from naive.random_nets import random_network

from riscv_soc import core
from riscv_soc.errors import ConfigError
from riscv_soc.nir import bundle_to_graph
from riscv_soc.quant import (
    FloatNetwork,
    FloatPopulation,
    FloatProjection,
    QuantConfig,
    load_bundle,
    quantise,
    save_bundle,
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    rounding=st.sampled_from(["floor", "rn", "sr"]),
    saturate=st.booleans(),
)
def test_alif_core_matches_reference(seed, rounding, saturate):
    rng = np.random.default_rng(seed)
    net = random_network(rng, kinds=("alif", "lif", "cubalif"))
    bundle = quantise(net, QuantConfig(rounding=rounding, saturate=saturate))
    spikes = (rng.random((2, net.num_steps, net.n_inputs)) < rng.uniform(0.1, 0.6)).astype(np.uint8)
    got = core.run(bundle, spikes, seed=seed % 1000, parallel=False)
    spk, state, readout = ref_core.run(bundle, spikes, seed=seed % 1000)
    for name, want in spk.items():
        np.testing.assert_array_equal(got.spikes[name], want, err_msg=f"spikes of {name}")
    for name, want in state.items():
        np.testing.assert_array_equal(got.state[name], want, err_msg=f"state {name}")
    np.testing.assert_array_equal(got.readout, readout)


def _alif_net(w, beta, rho, jump, reset):
    n_in, n = w.shape
    return FloatNetwork(
        n_in,
        [
            FloatPopulation(
                "h",
                "alif",
                n,
                beta=beta,
                threshold=1.0,
                reset=reset,
                adapt_decay=rho,
                adapt_jump=jump,
            )
        ],
        [FloatProjection("in", "input", "h", w)],
        output="h",
        num_steps=40,
        readout="count",
    )


def _float_alif(w, spikes, beta, rho, jump, reset):
    """The float ALIF equations (riscv_soc.quant.network.FloatPopulation): A_t = rho A + jump
    z_{t-1}; B_t = thr + A_t; V_t = beta V + I_t, less B_t (subtract) or from 0 (value)."""
    n_samples, n_steps, _ = spikes.shape
    v = np.zeros((n_samples, w.shape[1]))
    a, z = np.zeros_like(v), np.zeros_like(v)
    out = []
    for t in range(n_steps):
        a = rho * a + jump * z
        b = 1.0 + a
        if reset == "value":
            v = np.where(z > 0, 0.0, v)
        v = beta * v + spikes[:, t] @ w
        if reset == "subtract":
            v = v - z * b
        z = (v > b).astype(float)
        out.append(z)
    return np.stack(out, 1).astype(np.uint8), a


@pytest.mark.parametrize(("beta", "rho", "reset"), [(1.0, 1.0, "subtract"), (1.0, 0.0, "value")])
def test_alif_equals_float_equations(beta, rho, reset):
    """Exact parameters (integrator decays, weights and jump on a 2**-4 grid): no rounding, so the
    core's spikes are the float equations' spike for spike, adaptation visibly at work."""
    rng = np.random.default_rng(7)
    w = np.round(rng.uniform(-0.2, 0.5, (16, 40)) * 16) / 16
    jump = 0.25
    spikes = (rng.random((4, 40, 16)) < 0.3).astype(np.uint8)
    bundle = quantise(
        _alif_net(w, beta, rho, jump, reset), QuantConfig(frac_bits=8, weight_bits=16)
    )
    got = core.run(bundle, spikes)
    want, a = _float_alif(w, spikes, beta, rho, jump, reset)
    np.testing.assert_array_equal(got.spikes["h"], want)
    np.testing.assert_array_equal(got.state["h_A"], a * 2**8)
    plain = core.run(
        quantise(_alif_net(w, beta, rho, 0.0, reset), QuantConfig(frac_bits=8, weight_bits=16)),
        spikes,
    )
    assert plain.spikes["h"].sum() > want.sum() > 100  # adaptation slows firing


def test_alif_quantisation_bundle_and_nir(tmp_path):
    rng = np.random.default_rng(3)
    net = _alif_net(rng.normal(0, 0.3, (8, 33)), 0.9, 0.999, 0.2, "subtract")
    bundle = quantise(net)
    rep = bundle.report["populations"]["h"]
    assert rep["limited_by"] == "headroom"  # |thr| + jump / (1 - rho) = 201 sets the format
    assert rep["frac_bits"] == int(np.floor(14 - np.log2(201.0)))
    assert rep["parameters"]["adapt_decay"]["quantised"] == pytest.approx(0.999, abs=2**-15)
    pop = bundle.population("h")
    assert pop.variables == ("V", "A") and pop.formats()["A"] == rep["format"]
    assert pop.adapt_jump_raw == round(0.2 * 2**pop.frac_bits)
    save_bundle(bundle, tmp_path / "b.npz")
    again = load_bundle(tmp_path / "b.npz")
    spikes = (rng.random((2, 40, 8)) < 0.4).astype(np.uint8)
    assert core.diff_results(core.run(bundle, spikes), core.run(again, spikes)) == []
    with pytest.raises(ConfigError, match="population 'h' is ALIF"):
        bundle_to_graph(bundle)
