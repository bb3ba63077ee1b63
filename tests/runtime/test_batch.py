"""Batched runs (riscv_soc.runtime.batched, riscv_soc.compiler.batch): many samples per run of
the SoC through DDR give each sample's per-sample result bit for bit, counters included."""

import numpy as np
import pytest
from naive.firmware_nets import FAMILIES, family_bundle, spikes_for

from riscv_soc import core, runtime
from riscv_soc.compiler import CompileError, CompileOptions, compile_bundle
from riscv_soc.difftest import CONFIG
from riscv_soc.errors import ConfigError
from riscv_soc.firmware.export import firmware_of
from riscv_soc.runtime.batched import batch_firmware

CASES = {
    **{name: (name, CompileOptions()) for name in FAMILIES},
    "recurrent_lif_ddr": ("recurrent_lif", CompileOptions(weights="ddr", profile=True)),
    "recurrent_lif_unrecorded": ("recurrent_lif", CompileOptions(record=("out",))),
}


def _firmware(case: str):
    family, options = CASES[case]
    bundle = family_bundle(family)
    return bundle, firmware_of(compile_bundle(bundle, options, CONFIG))


@pytest.mark.parametrize("case", CASES)
def test_batched_equals_per_sample_on_the_iss(case):
    """5 samples in batches of 2 (the last one short), seeds by sample index (offset 3)."""
    bundle, fw = _firmware(case)
    spikes = spikes_for(bundle, 5)
    per_sample = runtime.run(fw, spikes, seed=7, sample_offset=3)
    batched = runtime.run(fw, spikes, seed=7, sample_offset=3, batch=2)
    assert core.diff_results(per_sample, batched, activity=True) == []
    assert batched.meta == per_sample.meta


def test_batched_workers_equal_serial():
    bundle, fw = _firmware("recurrent_lif")
    spikes = spikes_for(bundle, 6)
    serial = runtime.run(fw, spikes, seed=2)
    pooled = runtime.run(fw, spikes, seed=2, workers=2, batch=2)
    assert core.diff_results(serial, pooled, activity=True) == []


@pytest.mark.slow  # a Ray instance starts in tens of seconds
def test_ray_shards_equal_the_serial_run():
    """Three chunks as tasks of a local Ray instance, each batched: the serial result."""
    bundle, fw = _firmware("recurrent_lif")
    spikes = spikes_for(bundle, 7)
    serial = runtime.run(fw, spikes, seed=4, sample_offset=2)
    sharded = runtime.run(fw, spikes, seed=4, sample_offset=2, workers=3, address="local", batch=2)
    assert core.diff_results(serial, sharded, activity=True) == []


def test_batch_firmware_keeps_the_kernels_and_data_addresses():
    """Same data addresses, and the code from net_init on is the same words (PC-relative jumps):
    only `_start` differs."""
    bundle, fw = _firmware("delayed_lif")
    batched = batch_firmware(fw)
    assert batched.manifest["io"] == fw.manifest["io"]

    def kernels(firmware):
        start = firmware.image.symbols["net_init"].address
        end = firmware.manifest["image"]["code_bytes"]
        return firmware.image.memory_arrays(CONFIG)["imem"][start:end]

    assert np.array_equal(kernels(fw), kernels(batched))
    assert batched.image.symbols["net_init"].address > fw.image.symbols["net_init"].address


def test_batch_too_big_for_ddr_names_the_limit():
    bundle, fw = _firmware("dense_lif")
    capacity = runtime.batch_capacity(fw)
    assert capacity > 0
    spikes = spikes_for(bundle, 1)
    with pytest.raises(
        ConfigError,
        match=rf"ddr_bytes = {CONFIG.ddr_bytes}\) holds at most "
        rf"{capacity} samples per batch",
    ):
        runtime.run(fw, spikes, batch=capacity + 1)


def test_batched_samples_keep_their_cycle_budget():
    bundle, fw = _firmware("recurrent_lif")
    with pytest.raises(ConfigError, match="max_cycles=100: sample 4 did not finish on iss"):
        runtime.run(fw, spikes_for(bundle, 2), sample_offset=4, max_cycles=100, batch=2)


def test_batches_need_the_sim_target():
    bundle = family_bundle("dense_lif")
    with pytest.raises(ConfigError, match="target 'board'"):
        compile_bundle(bundle, CompileOptions(target="board", batch=True), CONFIG)


def test_slot_that_does_not_fit_ddr_is_a_compile_error():
    from dataclasses import replace

    bundle = family_bundle("dense_lif")
    tiny = replace(CONFIG, ddr_bytes=4096)
    with pytest.raises(CompileError, match="slot does not fit in DDR"):
        compile_bundle(replace(bundle, num_steps=200), CompileOptions(batch=True), tiny)


@pytest.mark.rtl
@pytest.mark.slow
@pytest.mark.parametrize("case", ["recurrent_lif", "sparse_cubalif", "recurrent_lif_ddr"])
def test_batched_equals_per_sample_on_the_rtl(case):
    """Two batches in one simulator process; counters equal the ISS's per-sample ones."""
    bundle, fw = _firmware(case)
    spikes = spikes_for(bundle, 3)
    per_sample = runtime.run(fw, spikes, seed=5, backend="iss")
    batched = runtime.run(fw, spikes, seed=5, backend="rtl", batch=2)
    assert core.diff_results(per_sample, batched, activity=True) == []
    assert np.all(batched.activity["cycles"] > 0)
