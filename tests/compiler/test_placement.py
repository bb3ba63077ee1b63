"""Placement: every array in a memory that holds it, the allocation report, and the clear errors
(memory, bytes needed, bytes available) when a network does not fit."""

import re

import numpy as np
import pytest
from naive.firmware_nets import family_bundle

from riscv_soc.compiler import CompileError, CompileOptions, compile_bundle
from riscv_soc.compiler import regalloc as R
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
        [FloatPopulation("h", "lif", n_h, beta=0.9), FloatPopulation("out", "li", 10, beta=0.9,
                                                                      reset="none")],
        [FloatProjection("in_h", "input", "h", rng.normal(0, 0.5, (n_in, n_h)), delay),
         FloatProjection("h_out", "h", "out", rng.normal(0, 0.5, (n_h, 10)))],
        output="out", num_steps=steps, readout="mean",
    )  # fmt: skip
    return quantise(net, QuantConfig())


@pytest.mark.parametrize("family", ["dense_lif", "sparse_cubalif", "delayed_lif", "adaptive_lif"])
@pytest.mark.parametrize("weights", ["auto", "ddr"])
def test_regions_fit_aligned_and_disjoint(family, weights):
    placed = plan(family_bundle(family), CompileOptions(weights=weights), DEFAULT)
    sizes = {"dmem": DEFAULT.dmem_bytes, "vmem": DEFAULT.vmem_bytes,
             "llm": DEFAULT.llm_lane_bytes, "ddr": DEFAULT.ddr_bytes}  # fmt: skip
    for memory, size in sizes.items():
        regions = sorted((r for r in placed.regions.values() if r.memory == memory),
                         key=lambda r: r.address)  # fmt: skip
        for a, b in zip(regions, regions[1:], strict=False):
            assert a.end <= b.address, (a, b)
        for r in regions:
            assert r.address % ALIGN[memory] == 0 and r.end <= size, r
        report = placed.report()[memory]
        assert report["bytes"] == size and report["used"] == max((r.end for r in regions),
                                                                  default=0)  # fmt: skip
    assert placed.region("mailbox").address == 0
    in_ddr = {p.name for p in placed.projs if p.memory == "ddr"}
    assert in_ddr == (set() if weights == "auto" else {p.name for p in placed.projs})


def test_accumulator_homes():
    assert [pp.home for pp in plan(family_bundle("dense_lif"), CompileOptions(), DEFAULT).pops] \
        == ["registers", "registers"]  # fmt: skip
    assert [pp.home for pp in plan(family_bundle("sparse_cubalif"), CompileOptions(),
                                   DEFAULT).pops] == ["llm", "llm"]  # fmt: skip
    wide = plan(_wide(), CompileOptions(), DEFAULT)
    assert [(pp.home, pp.looped) for pp in wide.pops] == [("tiles", False), ("registers", False)]
    looped = plan(_wide(), CompileOptions(unroll_vectors=4), DEFAULT)
    assert [(pp.home, pp.looped) for pp in looped.pops] == [("tiles", True), ("registers", False)]
    memory = plan(_wide(), CompileOptions(accumulators="memory"), DEFAULT)
    assert [pp.home for pp in memory.pops] == ["vmem", "vmem"]
    # Tiles would fetch a DDR row once per tile: a population with rows in DDR keeps vmem.
    in_ddr = plan(_wide(), CompileOptions(weights="ddr"), DEFAULT)
    assert [pp.home for pp in in_ddr.pops] == ["vmem", "registers"]
    assert [r.start for r in R.tiles(30)] == [0, 15] and [len(r) for r in R.tiles(60)] == [20] * 3


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
    assert needed > available == {"dmem": config.dmem_bytes, "llm": config.llm_lane_bytes,
                                  "ddr": config.ddr_bytes}[memory]  # fmt: skip


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
    [{"weights": "sram"}, {"accumulators": "stack"}, {"unroll_vectors": 0},
     {"unroll_words": 5000}],
)  # fmt: skip
def test_bad_options(options):
    with pytest.raises(ConfigError):
        CompileOptions(**options).check()
