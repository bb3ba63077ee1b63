"""cubalif2 neurons and FeNN's VA network: the core against an independent reference of
docs/semantics.md 8.1, the ISS against the core (every kernel path), the bundle file, errors."""

import json
import subprocess
import sys

import numpy as np
import pytest

from riscv_soc import core, runtime
from riscv_soc.compiler import CompileOptions, compile_bundle
from riscv_soc.errors import ConfigError
from riscv_soc.firmware.export import firmware_of
from riscv_soc.quant import FloatNetwork, FloatPopulation, FloatProjection, QuantConfig, quantise
from riscv_soc.quant.bundle import load_bundle, save_bundle
from riscv_soc.workloads import va


def _wrap(x):
    return ((x + 32768) % 65536) - 32768


def _sat(x):
    return max(-32768, min(32767, x))


def _mul_rn(a, b, shift):
    return _wrap((a * b + ((1 << (shift - 1)) if shift else 0)) >> shift)


def reference(bundle, steps):
    """Python integers, neuron by neuron, straight from docs/semantics.md sections 6, 7 and 8.1
    (round to nearest, saturating populations, no input projections)."""
    pops = bundle.populations
    state = {
        p.name: {
            "V": [int(x) for x in p.v_init[: p.n]],
            "I": [0] * p.n,
            "I2": [0] * p.n,
            "R": [0] * p.n,
        }
        for p in pops
    }
    spikes = {p.name: np.zeros((steps, p.n), np.uint8) for p in pops}
    order = {p.name: i for i, p in enumerate(pops)}
    for t in range(steps):
        for i, pop in enumerate(pops):
            isyn = [[0] * pop.n, [0] * pop.n]
            for proj in (q for q in bundle.projections if q.target == pop.name):
                step = t if order[proj.source] < i else t - 1
                if step < 0:
                    continue
                for n in np.flatnonzero(spikes[proj.source][step]):
                    for k, word in enumerate(int(w) for w in proj.words[n]):
                        if proj.layout == "dense":
                            target, w = k, word
                        else:
                            target = 32 * ((word & ((1 << proj.bits) - 1)) >> 1) + k % 32
                            w = word >> proj.bits
                        if target < pop.n:
                            isyn[proj.port][target] = _sat(isyn[proj.port][target] + w)
            s = state[pop.name]
            shift = pop.syn_scale_shift
            for j in range(pop.n):
                c1, c2 = _sat(s["I"][j] + isyn[0][j]), _sat(s["I2"][j] + isyn[1][j])
                m1, m2 = (
                    _mul_rn(pop.syn_scale_raw, c1, shift),
                    _mul_rn(pop.syn_scale2_raw, c2, shift),
                )
                s["I"][j] = _mul_rn(pop.alpha_raw, c1, pop.alpha_frac_bits)
                s["I2"][j] = _mul_rn(pop.alpha2_raw, c2, pop.alpha2_frac_bits)
                v = _mul_rn(pop.beta_raw, s["V"][j], pop.beta_frac_bits)
                v = _sat(_sat(_sat(v + m1) + m2) + pop.i_offset_raw)
                refractory = s["R"][j] > 0
                if refractory and pop.refractory_hold:
                    v = s["V"][j]
                s["R"][j] = _sat(s["R"][j] - 1)
                if v > pop.threshold_raw and not (refractory and not pop.refractory_hold):
                    spikes[pop.name][t, j] = 1
                    s["R"][j] = pop.refractory
                    v = _sat(v - pop.threshold_raw) if pop.reset == "subtract" else pop.v_reset_raw
                s["V"][j] = v
    return state, spikes


@pytest.mark.parametrize("rows", va.ROWS)
def test_core_follows_the_semantics(rows):
    bundle = va.bundle(40, rows, seed=3, steps=40)
    result = core.run(bundle, np.zeros((1, 40, 1), np.uint8))
    state, spikes = reference(bundle, 40)
    for name in ("E", "I"):
        assert spikes[name].sum() > 0
        np.testing.assert_array_equal(result.spikes[name][0], spikes[name])
        for var in ("V", "I", "I2", "R"):
            np.testing.assert_array_equal(result.state[f"{name}_{var}"][0], state[name][var])


OPTIONS = {
    "default": CompileOptions(),
    "looped": CompileOptions(unroll_vectors=1),
    "ddr": CompileOptions(weights="ddr", unroll_vectors=2),
    "packed": CompileOptions(sparse_rows="packed", unroll_vectors=1),
}


@pytest.mark.parametrize("rows", va.ROWS)
@pytest.mark.parametrize("options", OPTIONS)
def test_iss_matches_the_core(rows, options):
    # 520 and 130 neurons: loop bodies of 4 vectors (the output's 8 fields: 2 KiB), partial vectors
    bundle = va.bundle(520, rows, seed=1, steps=40)
    spikes = np.zeros((1, 40, 1), np.uint8)
    golden = core.run(bundle, spikes)
    compiled = compile_bundle(bundle, OPTIONS[options])
    assert compiled.load_use_nops == 0
    result = runtime.run(firmware_of(compiled), spikes, backend="iss")
    assert core.diff_results(golden, result, activity="shared") == []
    assert golden.spikes["E"].sum() > 0 and golden.spikes["I"].sum() > 0


def _small(rounding="rn", layout="dense", hold=True):
    """70 cubalif2 neurons with input (port 0) and recurrence (port 1); without `hold`, FeNN's
    N-MNIST variant: V integrates through the refractory period, reset by subtraction."""
    rng = np.random.default_rng(5)
    pop = FloatPopulation(
        "h",
        "cubalif2",
        70,
        beta=0.9,
        threshold=1.0,
        reset="value" if hold else "subtract",
        refractory_hold=hold,
        alpha=0.8,
        alpha2=0.6,
        syn_scale=0.7,
        syn_scale2=1.3,
        refractory=3,
        i_offset=0.05,
        v_init=rng.uniform(0, 1, 70),
    )
    exc = rng.uniform(0, 0.6, (20, 70)) * (rng.random((20, 70)) < 0.3)
    inh = -rng.uniform(0, 0.4, (70, 70)) * (rng.random((70, 70)) < 0.2)
    projs = [
        FloatProjection("exc", "input", "h", exc),
        FloatProjection("inh", "h", "h", inh, port=1),
    ]
    net = FloatNetwork(20, [pop], projs, "h", num_steps=30, readout="count")
    return quantise(net, QuantConfig(weight_bits=12, rounding=rounding, layout=layout))


@pytest.mark.parametrize("hold", [True, False])
@pytest.mark.parametrize("layout", ["dense", "sparse"])
def test_stochastic_rounding_and_inputs(layout, hold):
    bundle = _small("sr", layout, hold)
    spikes = (np.random.default_rng(0).random((2, 30, 20)) < 0.2).astype(np.uint8)
    golden = core.run(bundle, spikes, seed=4)
    result = runtime.run(firmware_of(compile_bundle(bundle)), spikes, seed=4, backend="iss")
    assert core.diff_results(golden, result, activity="shared") == []
    assert golden.readout.sum() > 0


def test_bundle_round_trip(tmp_path):
    bundle = _small()
    save_bundle(bundle, tmp_path / "b.npz")
    loaded = load_bundle(tmp_path / "b.npz")
    assert [p.port for p in loaded.projections] == [0, 1]
    np.testing.assert_array_equal(loaded.populations[0].v_init, bundle.populations[0].v_init)
    for name in ("syn_frac_bits", "syn_scale_raw", "alpha2_raw", "refractory", "i_offset_raw"):
        assert getattr(loaded.populations[0], name) == getattr(bundle.populations[0], name)


def test_bad_networks_are_refused():
    lif = FloatPopulation("h", "lif", 4, beta=0.9)
    net = FloatNetwork(
        2,
        [lif],
        [FloatProjection("p", "input", "h", np.ones((2, 4)), port=1)],
        "h",
        readout="count",
    )
    with pytest.raises(ConfigError, match="port 1 into a lif"):
        net.check()
    dual = FloatPopulation("h", "cubalif2", 4, beta=0.9, reset="value_after")
    with pytest.raises(ConfigError, match="resets with one of"):
        FloatNetwork(2, [dual], [], "h", readout="count").check()
    with pytest.raises(ConfigError, match="--exc: 1000000 outside"):
        va.check(1_000_000, "dense", 10)


def test_board_table_and_cli():
    assert va.board_run(12800, "sparse").event_cycles == 88_088_308
    assert va.board_run(256, "dense") is None
    cmd = [
        sys.executable,
        "-m",
        "riscv_soc.cli",
        "bench",
        "fenn-va",
        "--exc",
        "32",
        "--steps",
        "20",
        "--rows",
        "sparse",
        "--json",
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    run = json.loads(out)["run"]
    assert run["differences"] == [] and run["neuron_cycles"] > 0 and run["event_cycles"] > 0
    bad = subprocess.run([*cmd[:6], "7"], capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and "--exc: 7" in bad.stderr


def test_integrating_refractory_follows_the_semantics():
    """Without refractory_hold, with subtraction: the core against the reference, recurrence only
    (the reference has no input projections), a constant input that makes neurons fire."""
    bundle = _small("rn", "dense", hold=False)
    bundle.projections = [p for p in bundle.projections if p.source != "input"]
    pop = bundle.populations[0]
    pop.i_offset_raw = 1 << (pop.frac_bits - 2)  # 0.25 per step: V settles above threshold
    result = core.run(bundle, np.zeros((1, 30, 20), np.uint8))
    state, spikes = reference(bundle, 30)
    assert spikes["h"].sum() > 0
    np.testing.assert_array_equal(result.spikes["h"][0], spikes["h"])
    for var in ("V", "I", "I2", "R"):
        np.testing.assert_array_equal(result.state[f"h_{var}"][0], state["h"][var])
