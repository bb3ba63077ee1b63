"""Run compiled networks on the ISS or the RTL, sample by sample, into the core's result schema.

Where it sits: exported firmware (riscv_soc.firmware.export) or a bundle compiled on the fly
(riscv_soc.compiler) + input spikes -> a backend (backends.py) -> `riscv_soc.core.RunResult`,
the schema the core writes, so `riscv_soc.core.diff_results` compares the three executions.

    fw = load_firmware("fw")                      # or firmware_of(compile_bundle(bundle))
    result = run(fw, spikes, seed=0, backend="iss")
    result = run_bundle(bundle, spikes, seed=0, backend="rtl")
    result = run(fw, spikes, workers=2)           # contiguous chunks on 2 processes (pool.py)
    result = run(fw, spikes, workers=8, address="auto")  # 8 chunks as tasks of a Ray cluster
    result = run(fw, spikes, backend="rtl", batch=256)  # 256 samples per run of the SoC

Batched runs (batched.py) put up to `batch` samples' inputs in DDR and run a firmware that loops
over them (riscv_soc.compiler.batch): one run of the SoC per batch, the same results bit for bit.

Per sample the runtime writes the input bitfields and the RNG seeds of sample index
`sample_offset + i` (riscv_soc.core.seeds, as the core uses them), runs the firmware to its end
(ecall, or the final spin of the board target), checks the host flag and copies the memory spans
of the outputs (io.py); readout, spike record, final state and counters of all samples are
decoded at the end.
Activity: the counter differences of the inference (`cycles`, `instret`, `vec_alu_ops`, ...,
`dma_bytes`), and the spike-derived counts of the core's schema computed from the recorded spikes
(activity.py; populations compiled out of the record have no spikes in the result). The core's
`saturations` has no counter on the SoC and is absent.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from riscv_soc.compiler import compile_bundle
from riscv_soc.core.result import RunResult
from riscv_soc.core.seeds import sample_seeds
from riscv_soc.core.simulate import check_spikes, pack_spikes, unpack_spikes
from riscv_soc.errors import ConfigError, DataError
from riscv_soc.firmware.export import Firmware, firmware_of
from riscv_soc.machine import EXIT_LIMIT, FINISHED, MAX_CYCLES_LIMIT
from riscv_soc.runtime.activity import spike_activity
from riscv_soc.runtime.backends import BACKENDS
from riscv_soc.runtime.batched import batch_firmware, batch_patches, captures, layout_of
from riscv_soc.runtime.io import Outputs, SampleIO
from riscv_soc.runtime.pool import Chunk, run_chunks

__all__ = ["BACKENDS", "FirmwareRunError", "batch_capacity", "check_steps", "run", "run_bundle"]

DEFAULT_MAX_CYCLES = 1 << 40  # every compiled program ends; this only stops a broken one
MAX_WORKERS = 256


class FirmwareRunError(RuntimeError):
    """The firmware stopped without finishing a sample (a trap, a DMA error): a compiler bug."""


def run(
    firmware: Firmware,
    spikes: np.ndarray,
    seed: int = 0,
    backend: str = "iss",
    sample_offset: int = 0,
    max_cycles: int = DEFAULT_MAX_CYCLES,
    workers: int = 1,
    batch: int = 0,
    address: str | None = None,
) -> RunResult:
    """Run `firmware` on `spikes` (uint8 [samples, steps, inputs]) on `backend` ("iss", "rtl").

    `batch` > 0 runs up to `batch` samples per run of the SoC through DDR (at most
    `batch_capacity(firmware)`); 0 runs one sample per run.

    `workers` > 1 runs contiguous chunks of the samples in as many forked processes, or with an
    `address` ("local", "auto" or a Ray cluster's) as Ray tasks (pool.py: the same result; worth it
    for thousands of samples).
    Raises DataError for spikes of the wrong shape or number of steps, ConfigError for an
    unknown backend or a sample that needs more than `max_cycles` cycles.
    """
    if backend not in BACKENDS:
        raise ConfigError(f"backend={backend!r}; expected one of {sorted(BACKENDS)}")
    if not 1 <= workers <= MAX_WORKERS:
        raise ConfigError(f"workers={workers}: want 1 to {MAX_WORKERS} processes")
    spikes = check_spikes(spikes, firmware.bundle.n_inputs)
    check_steps(firmware, spikes.shape[1])
    if (workers > 1 or address) and len(spikes) > 1:
        chunk = Chunk(seed, backend, sample_offset, max_cycles, batch)
        return run_chunks(run, firmware, spikes, chunk, workers, address)
    if batch:
        return _run_batched(firmware, spikes, seed, backend, sample_offset, max_cycles, batch)
    io = SampleIO(firmware.manifest)
    patches = _Patches(
        io, pack_spikes(spikes), sample_seeds(seed, np.arange(len(spikes)) + sample_offset)
    )
    captures = []
    for n, (state, memories) in enumerate(BACKENDS[backend](firmware, patches, max_cycles)):
        if state.exit not in FINISHED or not io.done(memories):
            _fail(state, n + sample_offset, backend, max_cycles)
        captures.append(io.capture(memories))
    return _result(firmware, spikes, io.decode(captures), seed, backend)


def batch_capacity(firmware: Firmware) -> int:
    """The most samples a batched run of `firmware` puts in one run of the SoC (its DDR)."""
    bfw = batch_firmware(firmware)
    return layout_of(bfw, SampleIO(bfw.manifest)).capacity


def _run_batched(
    firmware: Firmware,
    spikes: np.ndarray,
    seed: int,
    backend: str,
    sample_offset: int,
    max_cycles: int,
    batch: int,
) -> RunResult:
    bfw = batch_firmware(firmware)
    io = SampleIO(bfw.manifest)
    layout = layout_of(bfw, io)
    layout.check(batch)
    words = pack_spikes(spikes)
    seeds = sample_seeds(seed, np.arange(len(spikes)) + sample_offset)
    starts = range(0, len(spikes), batch)
    patches = [batch_patches(layout, words[a : a + batch], seeds[a : a + batch]) for a in starts]
    budget = min(max_cycles * (batch + 1), MAX_CYCLES_LIMIT)  # + 1: the DMA around the samples
    runs = BACKENDS[backend](bfw, patches, budget, memories=("ddr",))
    out = []
    for start, (state, memories) in zip(starts, runs, strict=True):
        done = captures(layout, memories["ddr"], min(batch, len(spikes) - start))
        finished = [io.captured_done(c) for c in done]  # the host zeroed every output record
        if state.exit not in FINISHED or not all(finished):
            first = finished.index(False) if False in finished else 0
            _fail(state, start + first + sample_offset, backend, max_cycles)
        out += done
    outputs = io.decode(out)
    over = np.flatnonzero(outputs.counters["mcycle"] > max_cycles)
    if over.size:  # each sample's own budget, as a per-sample run has it
        raise ConfigError(
            f"max_cycles={max_cycles}: sample {over[0] + sample_offset} did not finish on {backend}"
        )
    return _result(firmware, spikes, outputs, seed, backend)


def check_steps(firmware: Firmware, steps: int, where: str = "spikes") -> None:
    """DataError unless samples of `steps` steps are what `firmware` was compiled for (its time
    loop and input raster are fixed; a bundle is compiled for any number of steps)."""
    compiled = firmware.bundle.num_steps
    if steps != compiled:
        raise DataError(
            f"{where}: {steps} steps per sample, but this firmware was compiled for {compiled}; "
            f"for {steps} steps: snnsoc quantise --steps {steps}, then snnsoc compile (or snnsoc "
            "run the bundle, which compiles for the data's steps)"
        )


class _Patches(Sequence):
    """Each sample's patches (io.py), made when a backend asks for them."""

    def __init__(self, io: SampleIO, in_words: np.ndarray, seeds: np.ndarray) -> None:
        self.io, self.in_words, self.seeds = io, in_words, seeds

    def __len__(self) -> int:
        return len(self.in_words)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return self.io.patches(self.in_words[index], self.seeds[index])


def run_bundle(
    bundle,
    spikes: np.ndarray,
    seed: int = 0,
    backend: str = "iss",
    options=None,
    sample_offset: int = 0,
) -> RunResult:
    """Compile `bundle` (riscv_soc.compiler.CompileOptions `options`) and run it."""
    return run(firmware_of(compile_bundle(bundle, options)), spikes, seed, backend, sample_offset)


def _fail(state, sample: int, backend: str, max_cycles: int) -> None:
    if state.exit == EXIT_LIMIT:
        raise ConfigError(f"max_cycles={max_cycles}: sample {sample} did not finish on {backend}")
    what = f"{state.exit}" + (f" ({state.cause}, tval {state.tval:#x})" if state.cause else "")
    raise FirmwareRunError(
        f"sample {sample} on {backend}: the firmware stopped with {what} at pc {state.pc:#x} "
        f"({state.instr}) without setting the done flag"
    )


def _result(fw: Firmware, spikes, outputs: Outputs, seed, backend) -> RunResult:
    bundle = fw.bundle
    recorded = {}
    for name, where in fw.manifest["io"]["record"]["populations"].items():
        words = outputs.record[:, :, where["word"] : where["word"] + where["words"]]
        recorded[name] = unpack_spikes(words, where["n"])
    activity = spike_activity(bundle, spikes, recorded)
    for name, values in outputs.counters.items():
        key = "cycles" if name == "mcycle" else "instret" if name == "minstret" else name
        activity[key] = values
    for name, values in outputs.profile.items():
        activity[f"profile_{name}"] = values
    meta = {"backend": backend, "seed": int(seed), "steps": int(spikes.shape[1])}
    return RunResult(outputs.readout.astype(np.int32), recorded, outputs.state, activity, meta)
