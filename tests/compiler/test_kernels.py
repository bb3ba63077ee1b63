"""Generated firmware on the ISS against the core, bit for bit: every network family, every kernel
path the options can force, random networks; plus the cycle cost of each kernel."""

import numpy as np
import pytest
from naive.firmware_nets import FAMILIES, family_bundle, spikes_for
from naive.random_nets import random_network

from riscv_soc import core, runtime
from riscv_soc.compiler import CompileOptions, compile_bundle
from riscv_soc.compiler import regalloc as R
from riscv_soc.compiler.emitter import Emitter
from riscv_soc.compiler.rows import RowKernel
from riscv_soc.firmware.export import firmware_of
from riscv_soc.isa.builder import Builder
from riscv_soc.quant import FloatNetwork, FloatPopulation, FloatProjection, QuantConfig, quantise

# Every loop instead of straight code, memory accumulators, rows in DDR: the other kernel paths.
PATHS = {
    "default": CompileOptions(),
    "looped": CompileOptions(
        accumulators="memory", unroll_vectors=1, unroll_row_vectors=1, unroll_words=1
    ),  # fmt: skip
    "chunks": CompileOptions(accumulators="memory", unroll_row_vectors=2, unroll_vectors=2),
    "ddr": CompileOptions(weights="ddr"),
}


def assert_matches_core(bundle, spikes, options=None, seed=3):
    compiled = compile_bundle(bundle, options)
    assert compiled.load_use_nops == 0
    got = runtime.run(firmware_of(compiled), spikes, seed=seed)
    want = core.run(bundle, spikes, seed=seed, parallel=False)
    assert core.diff_results(want, got, activity=False) == []
    for name in set(want.activity) & set(got.activity):
        np.testing.assert_array_equal(got.activity[name], want.activity[name], err_msg=name)
    return got, want


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("family", FAMILIES)
def test_family_matches_core(family, path):
    bundle = family_bundle(family)
    assert_matches_core(bundle, spikes_for(bundle, 3), PATHS[path])


@pytest.mark.parametrize("family", FAMILIES)
def test_wrapping_populations_match_core(family):
    """Without saturation every addition wraps (vadd/vsub instead of vadd_s/vsub_s)."""
    bundle = family_bundle(family, seed=1, saturate=False)
    assert_matches_core(bundle, spikes_for(bundle, 2, density=0.6))


@pytest.mark.parametrize("seed", range(24))
def test_random_networks_match_core(seed):
    rng = np.random.default_rng(seed)
    net = random_network(rng, kinds=("lif", "cubalif", "alif"))
    config = QuantConfig(rounding=("floor", "rn", "sr")[seed % 3], saturate=seed % 2 == 0,
                         layout=("auto", "dense", "sparse")[seed // 3 % 3])  # fmt: skip
    bundle = quantise(net, config)
    spikes = (rng.random((2, net.num_steps, net.n_inputs)) < rng.uniform(0.1, 0.6)).astype(np.uint8)
    assert_matches_core(bundle, spikes, list(PATHS.values())[seed % len(PATHS)], seed=seed)


@pytest.mark.parametrize("saturate", [True, False])
def test_register_tiles_match_core(saturate):
    """A population too large for one set of register accumulators: two tiles of 16 vectors,
    each scanning the dense inputs (feed-forward, and recurrent from s) again; delayed input
    beside, into the ring."""
    rng = np.random.default_rng(7)
    net = FloatNetwork(
        40,
        [FloatPopulation("h", "lif", 1000, beta=0.9, threshold=0.5),
         FloatPopulation("s", "lif", 40, beta=0.9, threshold=0.5),
         FloatPopulation("out", "li", 7, beta=0.9, reset="none")],
        [FloatProjection("in_h", "input", "h", rng.normal(0, 0.3, (40, 1000))),
         FloatProjection("late", "input", "h", rng.normal(0, 0.3, (40, 1000)),
                         rng.integers(0, 4, (40, 1000))),
         FloatProjection("s_h", "s", "h", rng.normal(0, 0.3, (40, 1000))),
         FloatProjection("h_s", "h", "s", rng.normal(0, 0.1, (1000, 40))),
         FloatProjection("s_out", "s", "out", rng.normal(0, 0.3, (40, 7)))],
        output="out", num_steps=5, readout="mean",
    )  # fmt: skip
    bundle = quantise(net, QuantConfig(saturate=saturate, rounding="sr"))
    compiled = compile_bundle(bundle)
    assert [pp.home for pp in compiled.plan.pops] == ["tiles", "registers", "registers"]
    assert_matches_core(bundle, spikes_for(bundle, 2, density=0.4))


def test_saturating_rails_match_core():
    """Large weights drive accumulators and V into the int16 rails."""
    rng = np.random.default_rng(3)
    net = FloatNetwork(
        20,
        [FloatPopulation("h", "lif", 33, beta=1.0, threshold=100.0),
         FloatPopulation("out", "li", 3, beta=1.0, reset="none")],
        [FloatProjection("a", "input", "h", rng.uniform(0.5, 1.0, (20, 33))),
         FloatProjection("b", "h", "out", rng.uniform(-1, 1, (33, 3)))],
        output="out", num_steps=8, readout="last",
    )  # fmt: skip
    for saturate in (True, False):
        bundle = quantise(net, QuantConfig(frac_bits=10, weight_bits=16, saturate=saturate))
        _, want = assert_matches_core(bundle, np.ones((1, 8, 20), np.uint8))
        assert want.activity["saturations"][0] > 0


def _row_instructions(layout: str, home: str, vectors: int) -> int:
    """Instructions (= cycles: straight code, one cycle each) of one row kernel."""
    regs = R.VectorPool("h").take(R.row_registers(layout, home), "a row")
    accs = [f"v{20 + k % 10}" for k in range(vectors)]
    kernel = RowKernel(layout, vectors, 3, True, home, regs, chunk=64, accs=accs, slot_bytes=128,
                       ring_stride=16)  # fmt: skip
    e = Emitter(Builder())
    kernel.emit(e, R.ROW, lambda: e.addi(R.TMP, R.WORD, -1))  # the scan's bit clear, in short
    assert e.nops == 0
    return e.builder.here() // 4


@pytest.mark.parametrize(
    ("layout", "home", "per_vector"),
    [("dense", "registers", 2), ("dense", "vmem", 4), ("dense", "llm", 4), ("sparse", "llm", 6),
     ("delayed", "registers", 7)],
)  # fmt: skip
def test_row_kernel_cycles_per_vector(layout, home, per_vector):
    """The row kernels' documented cost (rows.py): software pipelining leaves no stall."""
    assert (
        _row_instructions(layout, home, 12) - _row_instructions(layout, home, 4) == 8 * per_vector
    )


@pytest.mark.parametrize("kind", ["lif", "cubalif", "alif"])
def test_neuron_update_cycles_within_goal(kind):
    """At most 0.8 cycles per neuron per step (FeNN: about 1.0), fixed costs included."""
    rng = np.random.default_rng(0)
    n = 320
    net = FloatNetwork(
        4,
        [FloatPopulation("h", kind, n, beta=0.9, alpha=0.5, threshold=0.5, adapt_decay=0.9,
                         adapt_jump=0.2)],
        [FloatProjection("row", "input", "h", rng.uniform(0.1, 0.5, (4, n)))],
        output="h", num_steps=4, readout="count",
    )  # fmt: skip
    bundle = quantise(net, QuantConfig())
    got, _ = assert_matches_core(bundle, spikes_for(bundle, 1), CompileOptions(profile=True))
    assert got.activity["profile_h_update"][0] / (4 * n) <= 0.8
