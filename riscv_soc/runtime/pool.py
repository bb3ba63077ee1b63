"""Many samples on several processes: contiguous chunks, each a serial run, joined in order.

Where it sits: `riscv_soc.runtime.run(..., workers=N)` hands its samples here. Chunk c of the
samples runs in a worker process as `run(firmware, spikes[a:b], seed, backend, sample_offset + a)`,
so every sample keeps its index and seeds (docs/semantics.md section 9) and the joined result is
the serial run's, bit for bit (tests/runtime/test_runtime.py). Workers are forked, so they start
in milliseconds with the ISS already compiled and work from any caller (spawned ones would import
the caller's main module again); a worker runs only the serial ISS, never Numba's parallel
kernels, whose threads do not survive a fork.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import numpy as np

from riscv_soc.core.result import RunResult


def run_chunks(firmware, spikes: np.ndarray, seed: int, backend: str, sample_offset: int,
               max_cycles: int, workers: int, batch: int = 0) -> RunResult:  # fmt: skip
    """The samples in `workers` contiguous chunks on as many processes, joined in order."""
    bounds = np.linspace(0, len(spikes), min(workers, len(spikes)) + 1).astype(int)
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=len(bounds) - 1, mp_context=context) as pool:
        futures = [
            pool.submit(
                _run_chunk,
                firmware,
                spikes[a:b],
                seed,
                backend,
                sample_offset + a,
                max_cycles,
                batch,
            )  # fmt: skip
            for a, b in zip(bounds[:-1], bounds[1:], strict=True)
        ]
        return concatenate([f.result() for f in futures])


def _run_chunk(firmware, spikes, seed, backend, sample_offset, max_cycles, batch) -> RunResult:
    from riscv_soc.runtime import run

    return run(firmware, spikes, seed, backend, sample_offset, max_cycles, batch=batch)


def concatenate(results: list[RunResult]) -> RunResult:
    """Results of consecutive sample ranges of one run, as one result."""

    def join(name: str) -> dict[str, np.ndarray]:
        return {k: np.concatenate([getattr(r, name)[k] for r in results]) for k in
                getattr(results[0], name)}  # fmt: skip

    readout = np.concatenate([r.readout for r in results])
    return RunResult(readout, join("spikes"), join("state"), join("activity"), results[0].meta)
