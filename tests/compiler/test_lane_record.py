"""The spike record through DDR (CompileOptions(spike_record="ddr"), compiler/lane_record.py):
the same spikes as the core's and as the scalar-memory record's, over block boundaries, partial
last blocks and partial last vectors."""

import dataclasses

import numpy as np
import pytest
from naive.random_nets import random_network

from riscv_soc import core, runtime
from riscv_soc.compiler import CompileError, CompileOptions, compile_bundle
from riscv_soc.errors import ConfigError
from riscv_soc.firmware.export import firmware_of
from riscv_soc.quant import quantise
from riscv_soc.workloads import nmnist


def _bundle(seed: int, steps: int):
    rng = np.random.default_rng(seed)
    net = dataclasses.replace(random_network(rng), num_steps=steps)
    return quantise(net), rng


@pytest.mark.parametrize("seed", range(6))
def test_ddr_record_matches_the_core_and_the_dmem_record(seed):
    steps = (15, 16, 17, 33, 40, 49)[seed]  # around whole blocks of 16 steps
    bundle, rng = _bundle(seed, steps)
    spikes = (rng.random((2, steps, bundle.n_inputs)) < 0.3).astype(np.uint8)
    compiled = compile_bundle(bundle, CompileOptions(spike_record="ddr"))
    assert compiled.load_use_nops == 0
    got = runtime.run(firmware_of(compiled), spikes, seed=seed)
    want = runtime.run(firmware_of(compile_bundle(bundle)), spikes, seed=seed)
    assert core.diff_results(core.run(bundle, spikes, seed=seed), got, activity="shared") == []
    assert set(got.spikes) == set(want.spikes)
    for name, raster in want.spikes.items():
        np.testing.assert_array_equal(got.spikes[name], raster)
    blocks = -(-steps // 16)  # every block copied out once, 64 bytes per recorded vector
    vectors = sum(-(-p.n // 32) for p in bundle.populations if p.spiking)
    extra = got.activity["dma_bytes"] - want.activity["dma_bytes"]
    assert np.all(extra == blocks * vectors * 64)


def test_records_only_the_named_populations():
    bundle, rng = _bundle(1, 20)
    spiking = [p.name for p in bundle.populations if p.spiking]
    spikes = (rng.random((1, 20, bundle.n_inputs)) < 0.3).astype(np.uint8)
    options = CompileOptions(record=tuple(spiking[:1]), spike_record="ddr")
    fw = firmware_of(compile_bundle(bundle, options))
    got = runtime.run(fw, spikes)
    assert set(got.spikes) == set(spiking[:1])
    assert fw.manifest["io"]["record"]["not_recorded"] == spiking[1:]


def test_bad_options():
    bundle, _ = _bundle(0, 20)
    with pytest.raises(ConfigError, match="spike_record='lanes'"):
        compile_bundle(bundle, CompileOptions(spike_record="lanes"))
    looped = CompileOptions(spike_record="ddr", unroll_vectors=1)
    big = next(p for p in bundle.populations if p.spiking and p.n > 32)
    with pytest.raises(CompileError, match=f"population {big.name!r}: spike_record='ddr'"):
        compile_bundle(bundle, looped)
    nm = nmnist.bundle(nmnist.random_weights(0), steps=4)
    with pytest.raises(CompileError, match="'hidden': spike_record='ddr'.*cubalif2"):
        compile_bundle(nm, CompileOptions(spike_record="ddr"))
