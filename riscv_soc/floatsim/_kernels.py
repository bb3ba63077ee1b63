"""Event-driven synaptic accumulation in a fixed order, so float sums do not depend on the CPU.

Private to riscv_soc.floatsim. Each spike adds its weight row in ascending presynaptic index, as
the core does (docs/semantics.md section 7); elementwise float64 additions in a fixed order give
the same bits with any vector width, which a BLAS matrix product does not promise. No fastmath.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange


@njit(parallel=True, cache=True)
def accumulate(acc: np.ndarray, spikes: np.ndarray, weight: np.ndarray) -> None:
    """acc[s, j] += weight[i, j] for every i with spikes[s, i], i ascending."""
    for s in prange(acc.shape[0]):
        for i in range(spikes.shape[1]):
            if spikes[s, i]:
                for j in range(acc.shape[1]):
                    acc[s, j] += weight[i, j]


@njit(parallel=True, cache=True)
def accumulate_delayed(
    ring: np.ndarray, spikes: np.ndarray, weight: np.ndarray, delay: np.ndarray, t: int
) -> None:
    """ring[s, (t + delay[i, j]) % D, j] += weight[i, j] for every i with spikes[s, i]."""
    slots = ring.shape[1]
    for s in prange(ring.shape[0]):
        for i in range(spikes.shape[1]):
            if spikes[s, i]:
                for j in range(ring.shape[2]):
                    if weight[i, j] != 0.0:
                        ring[s, (t + delay[i, j]) % slots, j] += weight[i, j]
