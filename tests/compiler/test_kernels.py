"""Generated firmware on the ISS against the core, bit for bit: every network family, every kernel
path the options can force, random networks; plus the cycle cost of each kernel."""

import numpy as np
import pytest
import scipy.sparse
from naive.firmware_nets import FAMILIES, family_bundle, input_lif_li, spikes_for
from naive.random_nets import random_network

from riscv_soc import core, runtime
from riscv_soc.compiler import CompileOptions, compile_bundle, regalloc
from riscv_soc.compiler.emitter import Emitter
from riscv_soc.compiler.rows import RowKernel
from riscv_soc.firmware.export import firmware_of
from riscv_soc.isa.builder import Builder
from riscv_soc.quant import FloatNetwork, FloatPopulation, FloatProjection, QuantConfig, quantise
from riscv_soc.soc import SocConfig

# Every loop instead of straight code, memory accumulators, one shared bit loop per scan, packed
# sparse rows, rows in DDR: the other kernel paths.
PATHS = {
    "default": CompileOptions(),
    "looped": CompileOptions(
        accumulators="memory", unroll_vectors=1, unroll_row_vectors=1, unroll_words=1
    ),
    "chunks": CompileOptions(
        accumulators="memory",
        unroll_row_vectors=2,
        unroll_vectors=2,
        inline_scan_bytes=0,
        sparse_rows="packed",
    ),
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
    config = QuantConfig(
        rounding=("floor", "rn", "sr")[seed % 3],
        saturate=seed % 2 == 0,
        layout=("auto", "dense", "sparse")[seed // 3 % 3],
    )
    bundle = quantise(net, config)
    spikes = (rng.random((2, net.num_steps, net.n_inputs)) < rng.uniform(0.1, 0.6)).astype(np.uint8)
    assert_matches_core(bundle, spikes, list(PATHS.values())[seed % len(PATHS)], seed=seed)


@pytest.mark.parametrize("path", ["default", "looped"])
@pytest.mark.parametrize("family", FAMILIES)
def test_unrecorded_populations_match_core(family, path):
    """Populations left out of CompileOptions.record keep only their latest spike words, which
    is what their readers (feed-forward this step, recurrent the next) need: readout and state
    stay the core's; only the recorded populations' spikes come back."""
    bundle = family_bundle(family)
    spiking = [p.name for p in bundle.populations if p.spiking]
    for record in ((), spiking[-1:]):
        options = CompileOptions(**{**vars(PATHS[path]), "record": tuple(record)})
        spikes = spikes_for(bundle, 2)
        got = runtime.run(firmware_of(compile_bundle(bundle, options)), spikes, seed=5)
        want = core.run(bundle, spikes, seed=5, parallel=False)
        assert sorted(got.spikes) == sorted(record)
        missing = [f"spikes_{name}: only in first run" for name in spiking if name not in record]
        assert core.diff_results(want, got, activity=False) == missing


def _alif_network(rng):
    """A random network whose spiking populations are all ALIF (the output too, when it
    spikes): every reset, decays 0 to 1 (rho = 1: s1_14), negative jumps, all layouts."""
    net = random_network(rng, kinds=("alif",))
    out = net.populations[-1]
    if out.spiking:
        out.kind, out.adapt_decay, out.adapt_jump = "alif", 0.8, 0.3
    return net


@pytest.mark.parametrize("seed", range(12))
def test_random_alif_networks_match_core(seed):
    """ALIF (docs/semantics.md sections 5, 8): B = thr + A, A's decay rounded RN or SR (the SR
    draw between I's and V's), on every kernel path."""
    rng = np.random.default_rng(100 + seed)
    net = _alif_network(rng)
    config = QuantConfig(
        rounding=("rn", "sr")[seed % 2],
        saturate=seed % 4 < 2,
        layout=("auto", "dense", "sparse")[seed % 3],
    )
    bundle = quantise(net, config)
    assert any(p.adaptive for p in bundle.populations)
    spikes = (rng.random((2, net.num_steps, net.n_inputs)) < rng.uniform(0.2, 0.7)).astype(np.uint8)
    _, want = assert_matches_core(
        bundle, spikes, list(PATHS.values())[seed % len(PATHS)], seed=seed
    )
    adaptation = [a for key, a in want.state.items() if key.endswith("_A")]
    assert any(np.any(a != 0) for a in adaptation)  # the thresholds did adapt


@pytest.mark.parametrize("saturate", [True, False])
def test_register_tiles_match_core(saturate):
    """A population too large for one set of register accumulators: two tiles of 16 vectors,
    each scanning the dense inputs (feed-forward, and recurrent from s) again; delayed input
    beside, into the ring."""
    rng = np.random.default_rng(7)
    net = FloatNetwork(
        40,
        [
            FloatPopulation("h", "lif", 1000, beta=0.9, threshold=0.5),
            FloatPopulation("s", "lif", 40, beta=0.9, threshold=0.5),
            FloatPopulation("out", "li", 7, beta=0.9, reset="none"),
        ],
        [
            FloatProjection("in_h", "input", "h", rng.normal(0, 0.3, (40, 1000))),
            FloatProjection(
                "late", "input", "h", rng.normal(0, 0.3, (40, 1000)), rng.integers(0, 4, (40, 1000))
            ),
            FloatProjection("s_h", "s", "h", rng.normal(0, 0.3, (40, 1000))),
            FloatProjection("h_s", "h", "s", rng.normal(0, 0.1, (1000, 40))),
            FloatProjection("s_out", "s", "out", rng.normal(0, 0.3, (40, 7))),
        ],
        output="out",
        num_steps=5,
        readout="mean",
    )
    bundle = quantise(net, QuantConfig(saturate=saturate, rounding="sr"))
    compiled = compile_bundle(bundle)
    assert [pop_plan.home for pop_plan in compiled.plan.pops] == ["tiles", "registers", "registers"]
    assert_matches_core(bundle, spikes_for(bundle, 2, density=0.4))


def test_saturating_rails_match_core():
    """Large weights drive accumulators and V into the int16 rails."""
    rng = np.random.default_rng(3)
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
        _, want = assert_matches_core(bundle, np.ones((1, 8, 20), np.uint8))
        assert want.activity["saturations"][0] > 0


def _row_instructions(layout: str, home: str, vectors: int, split: bool = False) -> int:
    """Instructions (= cycles: straight code, one cycle each) of one row kernel."""
    regs = regalloc.VectorPool("h").take(regalloc.row_registers(layout, home, split), "a row")
    accs = [f"v{20 + k % 10}" for k in range(vectors)]
    kernel = RowKernel(
        layout,
        vectors,
        3,
        True,
        home,
        regs,
        chunk=64,
        accs=accs,
        slot_bytes=128,
        ring_stride=16,
        split=split,
    )
    e = Emitter(Builder())
    kernel.emit(
        e, regalloc.ROW, lambda: e.addi(regalloc.TMP, regalloc.WORD, -1)
    )  # the scan's bit clear, in short
    assert e.nops == 0
    return e.builder.here() // 4


@pytest.mark.parametrize(
    ("layout", "home", "split", "per_vector"),
    [
        ("dense", "registers", False, 2),
        ("dense", "vmem", False, 4),
        ("dense", "llm", False, 4),
        ("sparse", "llm", True, 5),
        ("sparse", "llm", False, 6),
        ("delayed", "registers", False, 7),
    ],
)
def test_row_kernel_cycles_per_vector(layout, home, split, per_vector):
    """The row kernels' documented cost (rows.py): software pipelining leaves no stall, even for
    a row of one vector."""
    cost = [_row_instructions(layout, home, n, split) for n in (1, 4, 12)]
    assert cost[2] - cost[1] == 8 * per_vector
    assert cost[0] <= per_vector + 2  # + the filler


def _sparse_rows_network(rng, n_in=64, n_post=1024, density=0.03):
    w = scipy.sparse.random(n_in, n_post, density=density, random_state=2, format="csr")
    w.data = rng.normal(0, 0.5, w.nnz)
    net = FloatNetwork(
        n_in,
        [FloatPopulation("h", "lif", n_post, beta=0.9, threshold=1.0)],
        [FloatProjection("in_h", "input", "h", w)],
        output="h",
        num_steps=10,
        readout="count",
    )
    return quantise(net, QuantConfig(layout="sparse", rounding="rn"))


def test_sparse_rows_cost_within_goal_all_in():
    """Split sparse rows of 7 vectors at a tenth of the inputs spiking: at most 6.5 cycles per
    vector with the scan included (FeNN-DMA: 7.6); packed rows cost one cycle more per vector."""
    rng = np.random.default_rng(0)
    bundle = _sparse_rows_network(rng)
    spikes = (rng.random((2, 10, 64)) < 0.1).astype(np.uint8)
    cost = {}
    for rows in ("split", "packed"):
        options = CompileOptions(profile=True, sparse_rows=rows)
        compiled = compile_bundle(bundle, options)
        assert compiled.plan.projs[0].split == (rows == "split")
        got, _ = assert_matches_core(bundle, spikes, options)
        vectors = got.activity["row_words"].sum() / 32
        cost[rows] = got.activity["profile_h_synaptic"].sum() / vectors
    assert bundle.projections[0].row_words == 7 * 32
    assert cost["split"] <= 6.5 and cost["packed"] - cost["split"] == pytest.approx(1, abs=0.05)


def test_code_too_large_for_inlined_scans_falls_back_to_shared_bit_loops():
    """A copy of the bit loop per spike word (16 words here) makes code that does not fit a
    1 KiB imem: the compiler rebuilds with one shared loop per scan; the results stay the core's."""
    net = input_lif_li(np.random.default_rng(4), 512, 96, 4, steps=3, threshold=0.5)
    bundle = quantise(net, QuantConfig())
    inlined = compile_bundle(bundle).code_bytes
    shared = compile_bundle(bundle, CompileOptions(inline_scan_bytes=0)).code_bytes
    assert shared <= 1024 < inlined
    compiled = compile_bundle(bundle, config=SocConfig(imem_bytes=1024))
    assert compiled.plan.options.inline_scan_bytes == 0 and compiled.code_bytes == shared
    spikes = spikes_for(bundle, 2, density=0.1)
    got = runtime.run(firmware_of(compiled), spikes, seed=1)
    assert core.diff_results(core.run(bundle, spikes, seed=1), got, activity=False) == []


@pytest.mark.parametrize("kind", ["lif", "cubalif", "alif"])
def test_neuron_update_cycles_within_goal(kind):
    """At most 0.8 cycles per neuron per step (FeNN: about 1.0), fixed costs included."""
    rng = np.random.default_rng(0)
    n = 320
    net = FloatNetwork(
        4,
        [
            FloatPopulation(
                "h", kind, n, beta=0.9, alpha=0.5, threshold=0.5, adapt_decay=0.9, adapt_jump=0.2
            )
        ],
        [FloatProjection("row", "input", "h", rng.uniform(0.1, 0.5, (4, n)))],
        output="h",
        num_steps=4,
        readout="count",
    )
    bundle = quantise(net, QuantConfig())
    got, _ = assert_matches_core(bundle, spikes_for(bundle, 1), CompileOptions(profile=True))
    assert got.activity["profile_h_update"][0] / (4 * n) <= 0.8
