"""Many samples on several processes: contiguous chunks, each a serial run, joined in order.

Where it sits: `riscv_soc.runtime.run(..., workers=N)` hands its samples here. Chunk c of the
samples runs in a worker as `run(firmware, spikes[a:b], seed, backend, sample_offset + a, ...)`,
so every sample keeps its index and seeds (docs/semantics.md section 9) and the joined result is
the serial run's, bit for bit (tests/runtime/test_runtime.py, test_batch.py). Two kinds of workers:

- local (the default): forked processes, started in milliseconds with the ISS already compiled,
  working from any caller (spawned ones would import the caller's main module again); a worker
  runs only the serial ISS, never Numba's parallel kernels, whose threads do not survive a fork;
- Ray (`address`: "local" for a Ray instance on this machine, "auto" or a cluster's address):
  one task per chunk through `snnsoc_common.cluster.ray_session`, as the sweeps and the difftest
  shard their work; the workers import this package as the cluster provides it.

Each chunk may itself be batched (`batch`): its samples run in batches inside the worker.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace

import numpy as np

from riscv_soc.core.result import RunResult
from snnsoc_common.cluster import ray_session
from snnsoc_common.cluster import result as ray_result


@dataclass(frozen=True)
class Chunk:
    """The run arguments every chunk shares; `sample_offset` is that of the first sample."""

    seed: int
    backend: str
    sample_offset: int
    max_cycles: int
    batch: int


def run_chunks(
    run_serial: Callable[..., RunResult],
    firmware,
    spikes: np.ndarray,
    chunk: Chunk,
    workers: int,
    address: str | None = None,
) -> RunResult:
    """The samples in `workers` contiguous chunks on as many processes (or Ray tasks), joined in
    order; `run_serial` is runtime.run, handed in so that this module does not import its caller."""
    bounds = np.linspace(0, len(spikes), min(workers, len(spikes)) + 1).astype(int)
    parts = [
        (spikes[a:b], replace(chunk, sample_offset=chunk.sample_offset + int(a)))
        for a, b in zip(bounds[:-1], bounds[1:], strict=True)
    ]
    if address:
        return concatenate(_on_ray(run_serial, firmware, parts, workers, address))
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=len(parts), mp_context=context) as pool:
        futures = [pool.submit(run_chunk, run_serial, firmware, s, c) for s, c in parts]
        return concatenate([f.result() for f in futures])


def _on_ray(run_serial, firmware, parts, workers: int, address: str) -> list[RunResult]:
    with ray_session(workers, address) as ray:
        task = ray.remote(num_cpus=1)(run_chunk)
        shared = ray.put(firmware)
        return ray_result(ray, [task.remote(run_serial, shared, s, c) for s, c in parts])


def run_chunk(run_serial, firmware, spikes: np.ndarray, chunk: Chunk) -> RunResult:
    return run_serial(
        firmware,
        spikes,
        chunk.seed,
        chunk.backend,
        chunk.sample_offset,
        chunk.max_cycles,
        batch=chunk.batch,
    )


def concatenate(results: list[RunResult]) -> RunResult:
    """Results of consecutive sample ranges of one run, as one result."""

    def join(name: str) -> dict[str, np.ndarray]:
        return {
            k: np.concatenate([getattr(r, name)[k] for r in results])
            for k in getattr(results[0], name)
        }

    readout = np.concatenate([r.readout for r in results])
    return RunResult(readout, join("spikes"), join("state"), join("activity"), results[0].meta)
