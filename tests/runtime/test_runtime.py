"""The runtime: results in the core's schema, sample offsets, counters, DDR capacity, errors."""

import numpy as np
import pytest
from naive.firmware_nets import family_bundle, input_lif_li, spikes_for

from riscv_soc import core, runtime
from riscv_soc.compiler import CompileOptions, compile_bundle
from riscv_soc.core import load_result, save_result
from riscv_soc.errors import ConfigError, DataError
from riscv_soc.firmware.export import firmware_of
from riscv_soc.quant import QuantConfig, quantise
from riscv_soc.runtime.backends import patched_image


@pytest.fixture(scope="module")
def recurrent():
    bundle = family_bundle("recurrent_lif")
    return bundle, firmware_of(compile_bundle(bundle)), spikes_for(bundle, 5)


def test_result_schema_and_file_round_trip(recurrent, tmp_path):
    bundle, fw, spikes = recurrent
    result = runtime.run(fw, spikes, seed=4)
    arrays = result.arrays()
    assert arrays["readout"].shape == (5, 8) and arrays["readout"].dtype == np.int32
    assert arrays["spikes_h"].shape == (5, 12, 64) and arrays["spikes_out"].dtype == np.uint8
    assert {"state_h_V", "state_out_V", "activity_cycles", "activity_dma_bytes"} <= set(arrays)
    assert result.meta == {"backend": "iss", "seed": 4, "steps": 12}
    save_result(result, tmp_path / "r.npz")
    assert core.diff_results(load_result(tmp_path / "r.npz"), result) == []


def test_samples_keep_their_seed_index(recurrent):
    """Stochastic rounding: a run split at sample 2 equals the whole run (sample_offset)."""
    bundle, fw, spikes = recurrent
    whole = runtime.run(fw, spikes, seed=9)
    tail = runtime.run(fw, spikes[2:], seed=9, sample_offset=2)
    assert np.array_equal(tail.readout, whole.readout[2:])
    assert np.array_equal(tail.spikes["h"], whole.spikes["h"][2:])
    other = runtime.run(fw, spikes, seed=10)
    assert not np.array_equal(other.spikes["h"], whole.spikes["h"])


@pytest.mark.parametrize("workers", [2, 3])
def test_worker_processes_give_the_serial_result(recurrent, workers):
    """Chunks on forked workers keep every sample's index and seeds: the joined result equals the
    serial run's, counters included."""
    bundle, fw, spikes = recurrent
    serial = runtime.run(fw, spikes, seed=9, sample_offset=7)
    pooled = runtime.run(fw, spikes, seed=9, sample_offset=7, workers=workers)
    assert core.diff_results(serial, pooled) == [] and pooled.meta == serial.meta
    with pytest.raises(ConfigError, match="sample 9 did not finish"):  # the first of the chunk
        runtime.run(fw, spikes[2:4], sample_offset=9, max_cycles=100, workers=2)


def test_counters_measure_the_inference(recurrent):
    """Cycles and instructions of the inference, per sample: one cycle per instruction (no
    divides, no stalls); more spikes, more cycles."""
    bundle, fw, _ = recurrent
    quiet = np.zeros((1, bundle.num_steps, bundle.n_inputs), np.uint8)
    busy = np.ones_like(quiet)
    a, b = runtime.run(fw, quiet), runtime.run(fw, busy)
    assert a.activity["cycles"][0] == a.activity["instret"][0] > 0
    assert a.activity["stall_cycles"][0] == 0 and a.activity["dma_bytes"][0] == 0
    assert b.activity["cycles"][0] > a.activity["cycles"][0]
    assert b.activity["vec_mem_ops"][0] > a.activity["vec_mem_ops"][0]


def _too_big_for_vector_memory():
    """700 x 512 int16 weights: 716,800 bytes, more than the 512 KiB of vector memory."""
    net = input_lif_li(np.random.default_rng(5), 700, 512, 10, steps=3)
    return quantise(net, QuantConfig(rounding="sr", weight_bits=8))


@pytest.mark.slow
def test_network_beyond_vector_memory_runs_from_ddr():
    bundle = _too_big_for_vector_memory()
    compiled = compile_bundle(bundle)
    assert [p.memory for p in compiled.plan.projs] == ["ddr", "vmem"]
    spikes = spikes_for(bundle, 2, density=0.05)
    got = runtime.run(firmware_of(compiled), spikes, seed=1)
    want = core.run(bundle, spikes, seed=1)
    assert core.diff_results(want, got, activity=False) == []
    input_rows_bytes = spikes.sum(axis=(1, 2)) * bundle.projections[0].row_words * 2
    assert np.array_equal(got.activity["dma_bytes"], input_rows_bytes)


def test_ddr_rows_move_the_bytes_they_should(recurrent):
    """Every processed row of a DDR projection is one DMA transfer of its row bytes."""
    bundle, _, spikes = recurrent
    fw = firmware_of(compile_bundle(bundle, CompileOptions(weights="ddr")))
    got = runtime.run(fw, spikes, seed=2)
    assert np.array_equal(got.activity["dma_bytes"], 2 * got.activity["row_words"])
    assert core.diff_results(core.run(bundle, spikes, seed=2), got, activity=False) == []


def test_activity_needs_the_spikes_it_counts(recurrent):
    """Without the spikes of `out` (not recorded), the total spike count and the rows processed
    for its recurrence cannot be derived; the counters and the input's counts still come."""
    bundle, _, spikes = recurrent
    fw = firmware_of(compile_bundle(bundle, CompileOptions(record=("h",))))
    got = runtime.run(fw, spikes, seed=4)
    want = runtime.run(firmware_of(compile_bundle(bundle)), spikes, seed=4)
    assert not {"spikes", "synops", "row_words"} & set(got.activity)
    for name in ("input_spikes", "neuron_updates"):
        assert np.array_equal(got.activity[name], want.activity[name])
    assert got.activity["cycles"].shape == (5,) and np.array_equal(
        got.spikes["h"], want.spikes["h"]
    )


def test_bad_arguments(recurrent):
    bundle, fw, spikes = recurrent
    with pytest.raises(DataError, match="steps"):
        runtime.run(fw, spikes[:, :5])
    with pytest.raises(DataError, match="inputs"):
        runtime.run(fw, spikes[:, :, :7])
    with pytest.raises(ConfigError, match="backend='fpga'"):
        runtime.run(fw, spikes, backend="fpga")
    with pytest.raises(ConfigError, match="max_cycles=100: sample 0 did not finish"):
        runtime.run(fw, spikes, max_cycles=100)
    with pytest.raises(ConfigError, match="workers=0"):
        runtime.run(fw, spikes, workers=0)


def test_run_bundle_compiles_on_the_fly(recurrent):
    bundle, fw, spikes = recurrent
    assert core.diff_results(runtime.run(fw, spikes), runtime.run_bundle(bundle, spikes)) == []


def test_patched_image_writes_inside_sections(recurrent):
    _, fw, _ = recurrent
    io = fw.manifest["io"]["input"]
    patched = patched_image(fw.image, [("dmem", io["address"] + 4, b"\x01\x02")])
    before, after = fw.image.memory_arrays(), patched.memory_arrays()
    assert list(after["dmem"][io["address"] + 4 : io["address"] + 6]) == [1, 2]
    after["dmem"][io["address"] + 4 : io["address"] + 6] = 0
    assert all(np.array_equal(before[m], after[m]) for m in before)
    with pytest.raises(ValueError, match="no section"):
        patched_image(fw.image, [("dmem", 1 << 16, b"\x01")])


def test_rtl_backend_asks_only_for_the_memories_outputs_are_read_from(recurrent, monkeypatch):
    """The RTL backend has the simulator dump only dmem and vmem (mailbox, counters, records,
    state); the results equal a run that returns every memory. The simulator is stood in for by
    the ISS, which honours `memories` the same way."""
    from riscv_soc import iss, rtl

    asked = []

    def run_many(images, max_cycles, config, memories):
        asked.append(memories)
        return [iss.run(image, max_cycles, config, memories) for image in images]

    bundle, fw, spikes = recurrent
    monkeypatch.setattr(rtl, "run_many", run_many)
    result = runtime.run(fw, spikes, seed=3, backend="rtl")
    assert asked == [("dmem", "vmem")]
    on_iss = runtime.run(fw, spikes, seed=3, backend="iss")
    assert core.diff_results(on_iss, result) == []
