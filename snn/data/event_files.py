"""Readers of event datasets as distributed, from local files: `read_events(path)` -> EventSet.

- Spiking Heidelberg Digits and Spiking Speech Commands (Cramer et al. 2020, IEEE TNNLS 33(7);
  https://zenkelab.org/resources/spiking-heidelberg-datasets-shd/): an HDF5 file with
  `spikes/times` (per sample, float seconds), `spikes/units` (per sample, channel indices in
  [0, 700)) and `labels`. Shape (700,).
- N-MNIST (Orchard et al. 2015, Front. Neurosci. 9:437; https://www.garrickorchard.com/datasets/
  n-mnist): one `.bin` file per sample, 5-byte events: x (8 bits), y (8 bits), polarity (1 bit),
  timestamp (23 bits, microseconds), big-endian; a `Train`/`Test` folder holds one subfolder per
  digit. Shape (2, 34, 34): channel = polarity, so unit (p * 34 + y) * 34 + x.
"""

from __future__ import annotations

import os
from pathlib import Path

import h5py
import numpy as np

from snn.data.events import EventSet
from snn.data.tonic_files import parse_spec, read_tonic
from snn.errors import DataError

SHD_CHANNELS = 700
NMNIST_SHAPE = (2, 34, 34)
SHD_SUFFIXES, NMNIST_SUFFIX = (".h5", ".hdf5"), ".bin"


def is_event_path(data: str | os.PathLike) -> bool:
    """Whether `data` names an event file (by suffix), an existing folder or a tonic dataset."""
    path = Path(data)
    suffix = path.suffix.lower() in (*SHD_SUFFIXES, NMNIST_SUFFIX)
    return suffix or path.is_dir() or parse_spec(str(data)) is not None


def read_events(path: str | os.PathLike) -> EventSet:
    """The events of an SHD/SSC HDF5 file, an N-MNIST `.bin` file, an N-MNIST digit folder or
    `tonic:NAME:ROOT` (snn.data.tonic_files)."""
    spec = parse_spec(str(path))
    if spec is not None:
        return read_tonic(*spec)
    path = Path(path)
    if path.is_dir():
        return read_nmnist_folder(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file or folder")
    if path.suffix.lower() in SHD_SUFFIXES:
        return read_shd(path)
    if path.suffix.lower() == NMNIST_SUFFIX:
        return _nmnist_set(str(path), [path], None)
    raise DataError(
        f"{path}: unknown event format {path.suffix!r}; expected {', '.join(SHD_SUFFIXES)} (SHD, "
        f"SSC), {NMNIST_SUFFIX} (N-MNIST) or an N-MNIST folder"
    )


def read_shd(path: str | os.PathLike) -> EventSet:
    """An SHD or SSC HDF5 file (the fields in the module docstring)."""
    try:
        with h5py.File(path, "r") as f:
            fields = {k: _dataset(f, k, path) for k in ("spikes/times", "spikes/units", "labels")}
            times = tuple(np.asarray(t, np.float64) for t in fields["spikes/times"])
            units = tuple(np.asarray(u, np.int64) for u in fields["spikes/units"])
            labels = np.asarray(fields["labels"], np.int64).ravel()
    except OSError as err:
        raise DataError(f"{path}: not a readable HDF5 file: {err}") from None
    return EventSet(str(path), (SHD_CHANNELS,), times, units, labels)


def _dataset(f: h5py.File, key: str, path) -> h5py.Dataset:
    if not isinstance(f.get(key), h5py.Dataset):
        raise DataError(
            f"{path}: no {key!r} dataset (an SHD/SSC file has spikes/times, spikes/units, labels)"
        )
    return f[key]


def decode_nmnist(raw: bytes, where: str) -> tuple[np.ndarray, np.ndarray]:
    """(times in seconds, flat units) of N-MNIST's 5-byte events."""
    if len(raw) % 5:
        raise DataError(f"{where}: {len(raw)} bytes is not a whole number of 5-byte events")
    ev = np.frombuffer(raw, np.uint8).reshape(-1, 5).astype(np.int64)
    x, y, polarity = ev[:, 0], ev[:, 1], ev[:, 2] >> 7
    t_us = ((ev[:, 2] & 0x7F) << 16) | (ev[:, 3] << 8) | ev[:, 4]
    _, height, width = NMNIST_SHAPE
    for name, value, limit in (("x", x, width), ("y", y, height)):
        if value.size and value.max() >= limit:
            raise DataError(f"{where}: event {name}={value.max()} outside [0, {limit})")
    return t_us * 1e-6, (polarity * height + y) * width + x


def read_nmnist_folder(path: str | os.PathLike) -> EventSet:
    """An N-MNIST split folder: one subfolder per digit (its name the label) of `.bin` files."""
    path = Path(path)
    digits = sorted(d for d in path.iterdir() if d.is_dir() and d.name.isdigit())
    files = [(int(d.name), f) for d in digits for f in sorted(d.glob(f"*{NMNIST_SUFFIX}"))]
    if not files:
        raise DataError(
            f"{path}: no N-MNIST samples (want digit subfolders 0-9 of {NMNIST_SUFFIX} files)"
        )
    return _nmnist_set(str(path), [f for _, f in files], np.array([d for d, _ in files]))


def _nmnist_set(source: str, files: list[Path], labels: np.ndarray | None) -> EventSet:
    decoded = [decode_nmnist(f.read_bytes(), str(f)) for f in files]
    times = tuple(t for t, _ in decoded)
    units = tuple(u for _, u in decoded)
    return EventSet(source, NMNIST_SHAPE, times, units, labels)
