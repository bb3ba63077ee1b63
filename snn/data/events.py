"""Event datasets from local files, binned to the spike trains every runner takes.

The record (`EventSet`: per sample, the event times and flat unit indices) and its binning. The
readers of the formats as distributed live in `snn.data.event_files`; nothing here downloads.

Binning (`EventSet.bin(dt, num_steps)`): times and dt are rounded to whole nanoseconds, an event at
time t falls in step floor(t / dt), events at or after num_steps * dt are dropped, and a unit that
receives several events in one step spikes once (spikes are 0/1). Units are flattened in C order
over the sample shape: (channel, y, x) of a C x H x W sensor is (channel * H + y) * W + x, NIR's
and PyTorch's order, so a NIR CNN whose Input is (C, H, W) reads the bins directly.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from snn.errors import ConfigError, DataError

NS = 1_000_000_000  # time resolution of the binning: nanoseconds


@dataclass(frozen=True)
class EventSet:
    """Samples of events: `times[i]` float seconds and `units[i]` flat unit indices of sample i.

    `shape`: one sample's input shape ((700,) for SHD, (2, 34, 34) for N-MNIST); `labels`: int64
    [N] or None (a lone file); `source`: the file or folder, named in errors.
    """

    source: str
    shape: tuple[int, ...]
    times: tuple[np.ndarray, ...]
    units: tuple[np.ndarray, ...]
    labels: np.ndarray | None = None

    def __post_init__(self) -> None:
        n, where = len(self.times), self.source
        if len(self.units) != n:
            raise DataError(f"{where}: {n} rows of times and {len(self.units)} of units")
        if self.labels is not None and len(self.labels) != n:
            raise DataError(f"{where}: {len(self.labels)} labels for {n} samples")
        for i, (t, u) in enumerate(zip(self.times, self.units, strict=True)):
            _check_sample(self.source, i, t, u, self.size)

    def __len__(self) -> int:
        return len(self.times)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))

    def bin(self, dt: float, num_steps: int) -> np.ndarray:
        """uint8 spikes [N, num_steps, size]: the rule in the module docstring."""
        if not (isinstance(dt, numbers.Real) and dt > 0):
            raise ConfigError(f"dt={dt!r} must be a number > 0 (seconds)")
        if not isinstance(num_steps, (int, np.integer)) or num_steps < 1:
            raise ConfigError(f"num_steps={num_steps!r} must be an integer >= 1")
        dt_ns = round(dt * NS)
        if dt_ns < 1:
            raise ConfigError(f"dt={dt!r} is below the binning's resolution of 1 ns")
        spikes = np.zeros((len(self), num_steps, self.size), np.uint8)
        for i, (t, u) in enumerate(zip(self.times, self.units, strict=True)):
            step = np.rint(np.asarray(t, np.float64) * NS).astype(np.int64) // dt_ns
            keep = step < num_steps
            spikes[i, step[keep], u[keep]] = 1
        return spikes


def _check_sample(source: str, i: int, times, units, size: int) -> None:
    where = f"{source}: sample {i}"
    if np.shape(times) != np.shape(units) or np.ndim(times) != 1:
        raise DataError(f"{where}: times {np.shape(times)} and units {np.shape(units)} differ")
    if len(times) and (not np.all(np.isfinite(times)) or np.min(times) < 0):
        raise DataError(f"{where}: times must be finite and >= 0, min {np.min(times)}")
    if len(units) and (np.min(units) < 0 or np.max(units) >= size):
        raise DataError(
            f"{where}: units must lie in [0, {size}), got [{np.min(units)}, {np.max(units)}]"
        )
