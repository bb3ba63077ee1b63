"""Writers of event files in the distributed formats, for the readers' tests: SHD/SSC HDF5
(`spikes/times`, `spikes/units`, `labels`) and N-MNIST's 5-byte events, packed by hand here."""

from __future__ import annotations

from pathlib import Path

import h5py
import numpy as np


def write_shd(
    path: Path,
    samples: list[tuple[list[float], list[int]]],
    labels: list[int],
    time_dtype=np.float16,
) -> Path:
    """One HDF5 file: variable-length times (seconds) and units per sample, the labels, and the
    `extra` group (class keys, speakers) of the distributed files."""
    with h5py.File(path, "w") as f:
        times = f.create_dataset(
            "spikes/times", (len(samples),), dtype=h5py.vlen_dtype(np.dtype(time_dtype))
        )
        units = f.create_dataset("spikes/units", (len(samples),), dtype=h5py.vlen_dtype(np.uint16))
        for i, (t, u) in enumerate(samples):
            times[i], units[i] = np.asarray(t, time_dtype), np.asarray(u, np.uint16)
        f.create_dataset("labels", data=np.asarray(labels, np.uint16))
        f.create_dataset("extra/keys", data=[f"class-{i}".encode() for i in range(20)])
        f.create_dataset("extra/speaker", data=np.zeros(len(samples), np.uint16))
    return path


def nmnist_bytes(events: list[tuple[int, int, int, int]]) -> bytes:
    """(x, y, polarity, t in microseconds) -> 40-bit events: x, y, then p and t's 23 bits."""
    out = bytearray()
    for x, y, p, t in events:
        out += bytes([x, y, (p << 7) | (t >> 16), (t >> 8) & 0xFF, t & 0xFF])
    return bytes(out)


def write_nmnist_folder(root: Path, samples: dict[int, list[list[tuple]]]) -> Path:
    """A split folder: root/<digit>/<index>.bin for each digit's samples."""
    for digit, files in samples.items():
        (root / str(digit)).mkdir(parents=True, exist_ok=True)
        for i, events in enumerate(files):
            (root / str(digit) / f"{i:05d}.bin").write_bytes(nmnist_bytes(events))
    return root
