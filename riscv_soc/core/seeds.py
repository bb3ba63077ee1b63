"""Per-sample RNG seeds: the S0/S1 vectors the host writes into vector memory before each sample.

One function of (run seed, sample index) shared by the core and, later, the ISS and RTL runtimes,
so that every backend starts each sample's 32 xoroshiro32++ lanes in the same state
(docs/semantics.md, "Seeding").
"""

from __future__ import annotations

from typing import cast

import numpy as np

from riscv_soc.soc import LANES

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)


def _splitmix64(state: np.ndarray) -> np.ndarray:
    """SplitMix64's output function of an already-advanced state (uint64 arrays wrap silently)."""
    z = state
    z = (z ^ (z >> np.uint64(30))) * _MIX1
    z = (z ^ (z >> np.uint64(27))) * _MIX2
    return z ^ (z >> np.uint64(31))


def sample_seeds(run_seed: int, samples: np.ndarray | int) -> np.ndarray:
    """uint16 [len(samples), 2, 32]: S0 (row 0) and S1 (row 1) of every lane for each sample.

    key = (run_seed mod 2**32) << 32 | (sample mod 2**32); lane l takes z = splitmix64(key +
    (l + 1) * 0x9E3779B97F4A7C15), S0 = z & 0xffff, S1 = (z >> 16) & 0xffff, and S0 = 1 where
    both halves are 0 (an all-zero xoroshiro state never leaves zero).
    """
    # np.isscalar does not narrow the type: samples is the int here
    samples = np.arange(cast(int, samples)) if np.isscalar(samples) else np.asarray(samples)
    key = (np.uint64(run_seed & 0xFFFFFFFF) << np.uint64(32)) | (
        samples.astype(np.uint64) & np.uint64(0xFFFFFFFF)
    )
    lanes = np.arange(1, LANES + 1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        z = _splitmix64(key[:, None] + lanes[None, :] * _GOLDEN)
    s0 = (z & np.uint64(0xFFFF)).astype(np.uint16)
    s1 = ((z >> np.uint64(16)) & np.uint64(0xFFFF)).astype(np.uint16)
    s0[(s0 == 0) & (s1 == 0)] = 1
    return np.stack([s0, s1], axis=1)
