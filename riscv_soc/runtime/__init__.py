"""Run compiled networks on the ISS or the RTL, sample by sample, into the core's result schema.

Where it sits: exported firmware (riscv_soc.firmware.export) or a bundle compiled on the fly
(riscv_soc.compiler) + input spikes -> a backend (backends.py) -> `riscv_soc.core.RunResult`,
the schema the core writes, so `riscv_soc.core.diff_results` compares the three executions.

    fw = load_firmware("fw")                      # or firmware_of(compile_bundle(bundle))
    result = run(fw, spikes, seed=0, backend="iss")
    result = run_bundle(bundle, spikes, seed=0, backend="rtl")

Per sample the runtime writes the input bitfields and the RNG seeds of sample index
`sample_offset + i` (riscv_soc.core.seeds, as the core uses them), runs the firmware to its
ecall, checks the host flag and reads readout, spike record, final state and counters back.
Activity: the counter differences of the inference (`cycles`, `instret`, `vec_alu_ops`, ...,
`dma_bytes`), and the spike-derived counts of the core's schema computed from the recorded spikes
(activity.py). The core's `saturations` has no counter on the SoC and is absent.
"""

from __future__ import annotations

import numpy as np

from riscv_soc.core.result import RunResult
from riscv_soc.core.seeds import sample_seeds
from riscv_soc.core.simulate import check_spikes, pack_spikes, unpack_spikes
from riscv_soc.errors import ConfigError, DataError
from riscv_soc.firmware.export import Firmware, firmware_of
from riscv_soc.machine import EXIT_ECALL, EXIT_LIMIT
from riscv_soc.runtime.activity import spike_activity
from riscv_soc.runtime.backends import BACKENDS
from riscv_soc.runtime.io import SampleIO, SampleOutputs

__all__ = ["BACKENDS", "FirmwareRunError", "run", "run_bundle"]

DEFAULT_MAX_CYCLES = 1 << 40  # every compiled program ends; this only stops a broken one


class FirmwareRunError(RuntimeError):
    """The firmware stopped without finishing a sample (a trap, a DMA error): a compiler bug."""


def run(
    firmware: Firmware,
    spikes: np.ndarray,
    seed: int = 0,
    backend: str = "iss",
    sample_offset: int = 0,
    max_cycles: int = DEFAULT_MAX_CYCLES,
) -> RunResult:
    """Run `firmware` on `spikes` (uint8 [samples, steps, inputs]) on `backend` ("iss", "rtl").

    Raises DataError for spikes of the wrong shape or number of steps, ConfigError for an
    unknown backend or a sample that needs more than `max_cycles` cycles.
    """
    if backend not in BACKENDS:
        raise ConfigError(f"backend={backend!r}; expected one of {sorted(BACKENDS)}")
    bundle = firmware.bundle
    spikes = check_spikes(spikes, bundle.n_inputs)
    if spikes.shape[1] != bundle.num_steps:
        raise DataError(f"spikes: {spikes.shape[1]} steps; this firmware runs "
                        f"{bundle.num_steps} steps per sample")  # fmt: skip
    io = SampleIO(firmware.manifest)
    in_words = pack_spikes(spikes)
    seeds = sample_seeds(seed, np.arange(spikes.shape[0]) + sample_offset)
    patches = [io.patches(in_words[s], seeds[s]) for s in range(spikes.shape[0])]
    outputs = []
    for n, (state, memories) in enumerate(BACKENDS[backend](firmware, patches, max_cycles)):
        if state.exit != EXIT_ECALL or not io.done(memories):
            _fail(state, n + sample_offset, backend, max_cycles)
        outputs.append(io.read(memories))
    return _result(firmware, spikes, outputs, seed, backend)


def run_bundle(bundle, spikes: np.ndarray, seed: int = 0, backend: str = "iss", options=None,
               sample_offset: int = 0) -> RunResult:  # fmt: skip
    """Compile `bundle` (riscv_soc.compiler.CompileOptions `options`) and run it."""
    from riscv_soc.compiler import compile_bundle

    return run(firmware_of(compile_bundle(bundle, options)), spikes, seed, backend, sample_offset)


def _fail(state, sample: int, backend: str, max_cycles: int) -> None:
    if state.exit == EXIT_LIMIT:
        raise ConfigError(f"max_cycles={max_cycles}: sample {sample} did not finish on {backend}")
    what = f"{state.exit}" + (f" ({state.cause}, tval {state.tval:#x})" if state.cause else "")
    raise FirmwareRunError(
        f"sample {sample} on {backend}: the firmware stopped with {what} at pc {state.pc:#x} "
        f"({state.instr}) without setting the done flag"
    )


def _result(fw: Firmware, spikes, outputs: list[SampleOutputs], seed, backend) -> RunResult:
    bundle = fw.bundle
    readout = np.stack([o.readout for o in outputs]).astype(np.int32)
    record = np.stack([o.record for o in outputs])
    recorded = {}
    for name, where in fw.manifest["io"]["record"]["populations"].items():
        words = record[:, :, where["word"] : where["word"] + where["words"]]
        recorded[name] = unpack_spikes(words, where["n"])
    state = {key: np.stack([o.state[key] for o in outputs]) for key in outputs[0].state}
    activity = spike_activity(bundle, spikes, recorded)
    for name in outputs[0].counters:
        key = "cycles" if name == "mcycle" else "instret" if name == "minstret" else name
        activity[key] = np.array([o.counters[name] for o in outputs], np.int64)
    for name in outputs[0].profile:
        activity[f"profile_{name}"] = np.array([o.profile[name] for o in outputs], np.int64)
    meta = {"backend": backend, "seed": int(seed), "steps": int(spikes.shape[1])}
    return RunResult(readout, recorded, state, activity, meta)
