"""Spike encoders: features in [0, 1] -> uint8 spike trains [N, T, features], seeded.

Sits between `snn.data.load` and everything that consumes spikes: students (training and
evaluation) and the quantised-network runner on the SoC side. Built on `snntorch.spikegen`:

- `rate`: spike with probability x at every step, independently (Bernoulli, `spikegen.rate`).
- `latency`: one spike at most, earlier for larger x, linear in x over the whole window
  (`spikegen.latency(linear=True, normalize=True, clip=True)`): x = 1 fires at step 0, x below
  0.01 never fires. Deterministic; the seed is accepted and unused.

The same (x, encoding, num_steps, seed) always gives the same spikes, in any process.
"""

from __future__ import annotations

import numpy as np
import torch
from snntorch import spikegen

from snn.errors import ConfigError, DataError, check_choice
from snn.seeding import torch_seed

ENCODINGS = ("rate", "latency")


def encode(x: np.ndarray, encoding: str, num_steps: int, seed: int) -> np.ndarray:
    """Encode features `x` [N, F] (float in [0, 1]) as uint8 spikes [N, num_steps, F]."""
    check_choice("encoding", encoding, ENCODINGS)
    if not isinstance(num_steps, (int, np.integer)) or num_steps < 1:
        raise ConfigError(f"num_steps={num_steps!r} must be an integer >= 1")
    x = np.asarray(x)
    if x.ndim != 2:
        raise DataError(f"encode: x must be [N, features], got shape {x.shape}")
    if x.size and (np.nanmin(x) < 0.0 or np.nanmax(x) > 1.0 or np.isnan(x).any()):
        raise DataError(f"encode: x must lie in [0, 1], got [{np.nanmin(x)}, {np.nanmax(x)}]")
    data = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
    if encoding == "rate":
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(torch_seed(seed, "encode-rate"))
            spikes = spikegen.rate(data, num_steps=int(num_steps))
    else:
        spikes = spikegen.latency(
            data, num_steps=int(num_steps), linear=True, normalize=True, clip=True
        )
    return spikes.transpose(0, 1).to(torch.uint8).numpy()
