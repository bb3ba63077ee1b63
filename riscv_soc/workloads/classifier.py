"""What FeNN's two classifiers share: their weight files and one run on the core and firmware.

Where it sits: under workloads.shd and workloads.nmnist, above the core, compiler and runtime.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from riscv_soc import core
from riscv_soc.compiler import CompileOptions, compile_bundle
from riscv_soc.errors import DataError
from riscv_soc.firmware.export import firmware_of
from riscv_soc.quant import FloatNetwork, FloatPopulation, FloatProjection
from riscv_soc.runtime import run as run_firmware

CLOCK_HZ = 175e6  # FeNN-DMA's clock, for latencies


def load_arrays(path: str | Path, shapes: dict[str, tuple[int, ...]]) -> dict[str, np.ndarray]:
    """The arrays named in `shapes` from an .npz; DataError naming the file and what is wrong."""
    try:
        with np.load(path) as npz:
            missing = [k for k in shapes if k not in npz.files]
            if missing:
                raise DataError(f"{path}: missing arrays {missing} (want {list(shapes)})")
            arrays = {k: np.asarray(npz[k]) for k in shapes}
    except (OSError, ValueError) as err:
        raise DataError(f"{path}: not a readable .npz: {err}") from None
    for name, shape in shapes.items():
        if arrays[name].shape != shape:
            raise DataError(f"{path}: {name} shape {arrays[name].shape}, want {shape}")
    return arrays


def float_network(
    n_inputs: int,
    hidden: FloatPopulation,
    output: FloatPopulation,
    projections: list[FloatProjection],
    steps: int,
    workload: str,
) -> FloatNetwork:
    """FeNN-DMA's classifier shape: inputs -> recurrent hidden -> output, steps of 1 ms, the class
    read from the output's time average."""
    return FloatNetwork(
        n_inputs,
        [hidden, output],
        projections,
        "output",
        dt=1e-3,
        num_steps=steps,
        readout="mean",
        meta={"workload": workload},
    )


def poisson(samples: int, steps: int, n_inputs: int, per_step: float, seed: int) -> np.ndarray:
    """Independent input spikes, `per_step` per step on average: uint8 [samples, steps, n]."""
    p = per_step / n_inputs
    return (np.random.default_rng(seed + 1).random((samples, steps, n_inputs)) < p).astype(np.uint8)


@dataclass(frozen=True)
class ClassifierRun:
    """Samples run on the core and on the ISS (or RTL): cycles and latency per inference."""

    samples: int
    backend: str
    cycles_mean: float
    latency_ms: float  # at 175 MHz
    hidden_spikes_mean: float  # the firmware's record (compared with the core's)
    input_spikes_mean: float
    differences: tuple[str, ...]  # core against the backend: spikes, readout, state, counts
    phases: dict[str, float]  # mean cycles per phase ("hidden_synaptic", ...) with profile=True

    def to_json(self) -> dict:
        return {**self.__dict__, "differences": list(self.differences)}


def run(bundle, spikes: np.ndarray, backend: str, seed: int, options=None) -> ClassifierRun:
    """`bundle` on `spikes` on the core, then compiled with `options` (CompileOptions: every
    hidden spike recorded, in dmem or through DDR) on `backend`."""
    golden = core.run(bundle, spikes, seed=seed)
    compiled = compile_bundle(bundle, options or CompileOptions())
    result = run_firmware(firmware_of(compiled), spikes, seed=seed, backend=backend)
    diffs = core.diff_results(golden, result, activity="shared")
    hidden = result.spikes["hidden"]
    cycles = float(result.activity["cycles"].mean())
    phases = {
        k.removeprefix("profile_"): float(v.mean())
        for k, v in result.activity.items()
        if k.startswith("profile_")
    }
    return ClassifierRun(
        len(spikes),
        backend,
        cycles,
        cycles / CLOCK_HZ * 1e3,
        float(hidden.sum(axis=(1, 2)).mean()),
        float(golden.activity["input_spikes"].mean()),
        tuple(diffs),
        phases,
    )
