"""Placement: every array in a memory that holds it, the allocation report, and the clear errors
(memory, bytes needed, bytes available) when a network does not fit."""

import re

import numpy as np
import pytest
from naive.firmware_nets import family_bundle

from riscv_soc.compiler import CompileError, CompileOptions, compile_bundle, regalloc
from riscv_soc.compiler.placement import plan
from riscv_soc.errors import ConfigError
from riscv_soc.quant import FloatNetwork, FloatPopulation, FloatProjection, QuantConfig, quantise
from riscv_soc.soc import DEFAULT, SocConfig

ALIGN = {"dmem": 4, "vmem": 64, "llm": 2, "ddr": 64}


def _wide(n_in=200, n_h=900, steps=4, delays=False):
    rng = np.random.default_rng(0)
    delay = rng.integers(0, 7, (n_in, n_h)) if delays else None
    net = FloatNetwork(
        n_in,
        [
            FloatPopulation("h", "lif", n_h, beta=0.9),
            FloatPopulation("out", "li", 10, beta=0.9, reset="none"),
        ],
        [
            FloatProjection("in_h", "input", "h", rng.normal(0, 0.5, (n_in, n_h)), delay),
            FloatProjection("h_out", "h", "out", rng.normal(0, 0.5, (n_h, 10))),
        ],
        output="out",
        num_steps=steps,
        readout="mean",
    )
    return quantise(net, QuantConfig())


@pytest.mark.parametrize("family", ["dense_lif", "sparse_cubalif", "delayed_lif", "adaptive_lif"])
@pytest.mark.parametrize("weights", ["auto", "ddr"])
def test_regions_fit_aligned_and_disjoint(family, weights):
    placed = plan(family_bundle(family), CompileOptions(weights=weights), DEFAULT)
    sizes = {
        "dmem": DEFAULT.dmem_bytes,
        "vmem": DEFAULT.vmem_bytes,
        "llm": DEFAULT.llm_lane_bytes,
        "ddr": DEFAULT.ddr_bytes,
    }
    for memory, size in sizes.items():
        regions = sorted(
            (r for r in placed.regions.values() if r.memory == memory), key=lambda r: r.address
        )
        for a, b in zip(regions, regions[1:], strict=False):
            assert a.end <= b.address, (a, b)
        for r in regions:
            assert r.address % ALIGN[memory] == 0 and r.end <= size, r
        report = placed.report()[memory]
        assert report["bytes"] == size and report["used"] == max(
            (r.end for r in regions), default=0
        )
    assert placed.region("mailbox").address == 0
    in_ddr = {p.name for p in placed.projs if p.memory == "ddr"}
    assert in_ddr == (set() if weights == "auto" else {p.name for p in placed.projs})


def test_accumulator_homes():
    assert [
        pop_plan.home
        for pop_plan in plan(family_bundle("dense_lif"), CompileOptions(), DEFAULT).pops
    ] == ["registers", "registers"]
    assert [
        pop_plan.home
        for pop_plan in plan(family_bundle("sparse_cubalif"), CompileOptions(), DEFAULT).pops
    ] == ["llm", "llm"]
    wide = plan(_wide(), CompileOptions(), DEFAULT)
    assert [(pop_plan.home, pop_plan.looped) for pop_plan in wide.pops] == [
        ("tiles", False),
        ("registers", False),
    ]
    looped = plan(_wide(), CompileOptions(unroll_vectors=4), DEFAULT)
    assert [(pop_plan.home, pop_plan.looped) for pop_plan in looped.pops] == [
        ("tiles", True),
        ("registers", False),
    ]
    memory = plan(_wide(), CompileOptions(accumulators="memory"), DEFAULT)
    assert [pop_plan.home for pop_plan in memory.pops] == ["vmem", "vmem"]
    # Tiles would fetch a DDR row once per tile: a population with rows in DDR keeps vmem.
    in_ddr = plan(_wide(), CompileOptions(weights="ddr"), DEFAULT)
    assert [pop_plan.home for pop_plan in in_ddr.pops] == ["vmem", "registers"]
    assert [r.start for r in regalloc.tiles(30)] == [0, 15] and [
        len(r) for r in regalloc.tiles(60)
    ] == [20] * 3


def _needs(message: str, memory: str) -> tuple[int, int]:
    match = re.match(rf"{memory}: the network needs (\d+) bytes.*, (\d+) available", message)
    assert match, message
    return int(match[1]), int(match[2])


def test_vector_memory_too_small_moves_rows_to_ddr_or_fails():
    bundle = _wide()
    small = SocConfig(vmem_bytes=64 * 1024)
    auto = plan(bundle, CompileOptions(), small)
    assert [p.memory for p in auto.projs] == ["ddr", "vmem"]  # the big one moved
    with pytest.raises(CompileError) as err:
        plan(bundle, CompileOptions(weights="vmem"), small)
    needed, available = _needs(str(err.value), "vmem")
    assert available == 64 * 1024 and needed >= bundle.projections[0].words.nbytes
    with pytest.raises(CompileError, match="with every row in DDR"):
        plan(bundle, CompileOptions(), SocConfig(vmem_bytes=4 * 1024))


def test_sparse_rows_split_while_they_fit():
    """Split sparse rows (weights and lane-local addresses, rows.py) take twice the bytes of
    packed ones; placement splits them only while vector memory holds them."""
    bundle = family_bundle("sparse_cubalif")
    packed = {p.name: p.words.nbytes for p in bundle.projections}
    roomy = plan(bundle, CompileOptions(), SocConfig(vmem_bytes=32 * 1024))
    assert [proj_plan.split for proj_plan in roomy.projs] == [True, True]
    assert {name: roomy.region(f"rows.{name}").size for name in packed} == {
        name: 2 * size for name, size in packed.items()
    }
    tight = plan(bundle, CompileOptions(), SocConfig(vmem_bytes=16 * 1024))
    assert [(proj_plan.memory, proj_plan.split) for proj_plan in tight.projs] == [
        ("vmem", False)
    ] * 2
    forced = plan(bundle, CompileOptions(sparse_rows="packed"), DEFAULT)
    assert not any(proj_plan.split for proj_plan in forced.projs)
    in_ddr = plan(bundle, CompileOptions(weights="ddr"), DEFAULT)  # DMA moves packed rows
    assert not any(proj_plan.split for proj_plan in in_ddr.projs)
    assert in_ddr.dma_buffer_bytes == max(p.row_words * 2 for p in bundle.projections)


@pytest.mark.parametrize(
    ("config", "memory", "bundle_of"),
    [
        (SocConfig(dmem_bytes=4096), "dmem", lambda: _wide(steps=40)),  # spike record
        (SocConfig(llm_lane_bytes=128), "llm", lambda: _wide(n_h=300, delays=True)),  # rings
        (SocConfig(ddr_bytes=4096), "ddr", lambda: _wide()),
    ],
)
def test_each_memory_reports_what_it_lacks(config, memory, bundle_of):
    options = CompileOptions(weights="ddr" if memory == "ddr" else "auto")
    with pytest.raises(CompileError) as err:
        plan(bundle_of(), options, config)
    needed, available = _needs(str(err.value), memory)
    assert (
        needed
        > available
        == {"dmem": config.dmem_bytes, "llm": config.llm_lane_bytes, "ddr": config.ddr_bytes}[
            memory
        ]
    )


def _shd_shaped():
    """FeNN's SHD network: 700 inputs, 256 recurrent ALIF, 20 LI, 1,170 steps."""
    rng = np.random.default_rng(0)
    net = FloatNetwork(
        700,
        [
            FloatPopulation("hidden", "alif", 256, beta=0.95, adapt_decay=0.99, adapt_jump=0.02),
            FloatPopulation("output", "li", 20, beta=0.95, reset="none"),
        ],
        [
            FloatProjection("in_hidden", "input", "hidden", rng.normal(0, 0.3, (700, 256))),
            FloatProjection("rec", "hidden", "hidden", rng.normal(0, 0.1, (256, 256))),
            FloatProjection("hidden_out", "hidden", "output", rng.normal(0, 0.1, (256, 20))),
        ],
        output="output",
        num_steps=1170,
    )
    return quantise(net, QuantConfig())


def test_long_inputs_fit_the_default_soc_without_the_hidden_record():
    """The input raster of 1,170 steps (100 KiB) and the hidden layer's record (37 KiB) overflow
    the default 128 KiB dmem; without the record the network fits, the hidden spikes kept in one
    row of latest words."""
    bundle = _shd_shaped()
    with pytest.raises(
        CompileError, match=r"dmem: .*131072 available; CompileOptions.record"
    ) as err:
        plan(bundle, CompileOptions(), DEFAULT)
    needed, _ = _needs(str(err.value), "dmem")
    assert needed > 4 * 1170 * 22 + 4 * 1171 * 8
    placed = plan(bundle, CompileOptions(record=()), DEFAULT)
    assert placed.record_words == 0 and "record" not in placed.regions
    assert placed.region("latest_spikes").size == 4 * 8
    assert placed.report()["dmem"]["used"] <= DEFAULT.dmem_bytes


def test_record_names_spiking_populations():
    bundle = family_bundle("dense_lif")
    with pytest.raises(ConfigError, match=r"record: 'out' is not a spiking population .*: h\)"):
        plan(bundle, CompileOptions(record=("out",)), DEFAULT)
    with pytest.raises(ConfigError, match="expected a tuple"):
        CompileOptions(record=["h"]).check()


def test_code_too_large_for_instruction_memory():
    with pytest.raises(CompileError, match=r"imem: the code needs \d+ bytes, 256 available"):
        compile_bundle(family_bundle("dense_lif"), config=SocConfig(imem_bytes=256))


def test_register_accumulators_that_cannot_be_had():
    with pytest.raises(CompileError, match=r"population 'h'.* need \d+ vector registers, 31"):
        plan(_wide(n_h=1000), CompileOptions(accumulators="registers"), DEFAULT)
    with pytest.raises(CompileError, match="population 'h'.*update loops over 29 vectors"):
        plan(_wide(), CompileOptions(accumulators="registers", unroll_vectors=4), DEFAULT)


@pytest.mark.parametrize(
    "options",
    [
        {"weights": "sram"},
        {"accumulators": "stack"},
        {"unroll_vectors": 0},
        {"unroll_words": 5000},
        {"sparse_rows": "dense"},
        {"inline_scan_bytes": -1},
    ],
)
def test_bad_options(options):
    with pytest.raises(ConfigError):
        CompileOptions(**options).check()
