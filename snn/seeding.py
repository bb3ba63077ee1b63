"""Stable, named random streams: one seed plus names gives the same numbers in every process.

Used by the data generators, the encoders and the experiment runner, so that a resumed sweep draws
exactly what an uninterrupted one would have drawn. Python's `hash` is salted per process, so names
are hashed with CRC-32 instead.
"""

from __future__ import annotations

import zlib

import numpy as np


def stream_key(*names: object) -> int:
    """A 32-bit key from names (strings, ints, floats), stable across processes and runs."""
    return zlib.crc32("/".join(str(n) for n in names).encode())


def rng(seed: int, *names: object) -> np.random.Generator:
    """A NumPy generator for the stream `names` under `seed`."""
    return np.random.default_rng(np.random.SeedSequence([int(seed), stream_key(*names)]))


def torch_seed(seed: int, *names: object) -> int:
    """A 63-bit torch seed for the stream `names` under `seed`."""
    return int(rng(seed, "torch", *names).integers(0, 2**63 - 1))
