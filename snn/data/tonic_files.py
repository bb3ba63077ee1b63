"""Any event dataset tonic (https://tonic.readthedocs.io) reads from a local folder, as an EventSet.

`read_tonic(name, root)`: the test split of `tonic.datasets.<name>` under `root` (tonic's layout:
root/<name>/... as tonic's download leaves it). Nothing is downloaded: where tonic would fetch the
files, a DataError names the folder instead. tonic's events are structured arrays with `x`,
optionally `y` and `p` (ignored on a sensor of one polarity), and `t` in microseconds, on a sensor
of (width, height, polarities): unit (p * height + y) * width + x of shape (polarities, height,
width), time t * 1e-6 s, the flattening of snn.data.event_files (docs/formats.md).
"""

from __future__ import annotations

import inspect
import os

import numpy as np

from snn.data.events import EventSet
from snn.errors import ConfigError, DataError

PREFIX = "tonic:"  # --data tonic:NAME:ROOT


def parse_spec(data: str) -> tuple[str, str] | None:
    """(name, root) of a `tonic:NAME:ROOT` data argument, None for anything else."""
    if not data.startswith(PREFIX):
        return None
    name, sep, root = data[len(PREFIX) :].partition(":")
    if not (name and sep and root):
        raise ConfigError(f"--data {data!r}: expected tonic:NAME:ROOT (e.g. tonic:SHD:data)")
    return name, root


def read_tonic(name: str, root: str | os.PathLike) -> EventSet:
    """The test split of tonic's dataset `name` from the folder `root`, as an EventSet."""
    try:
        import tonic.datasets
    except ImportError:
        raise ConfigError("tonic is not installed: pip install 'snnsoc[events]'") from None
    cls = getattr(tonic.datasets, name, None)
    if not (inspect.isclass(cls) and issubclass(cls, tonic.dataset.Dataset)):
        raise ConfigError(f"tonic dataset {name!r} is not known to tonic {tonic.__version__}")
    dataset = _local(cls, root)(save_to=str(root), **_test_split(cls))
    width, height, polarities = (int(s) for s in dataset.sensor_size)
    times, units, labels = [], [], []
    for events, label in (dataset[i] for i in range(len(dataset))):
        fields = events.dtype.names
        y = events["y"] if "y" in fields else 0
        p = events["p"] if "p" in fields and polarities > 1 else 0  # HSD writes p = 1 of 1
        units.append(((np.asarray(p) * height + y) * width + events["x"]).astype(np.int64))
        times.append(np.asarray(events["t"], np.float64) * 1e-6)
        labels.append(int(label))
    return EventSet(
        f"{root} (tonic {name})",
        (polarities, height, width),
        tuple(times),
        tuple(units),
        np.array(labels, np.int64),
    )


def _local(cls, root):
    """`cls` (same name: tonic places files by it) whose download raises instead of fetching."""

    def download(self):
        raise DataError(
            f"{root}: tonic's {cls.__name__} files are not there ({self.location_on_system}); "
            "nothing is downloaded at run time"
        )

    return type(cls.__name__, (cls,), {"download": download})


def _test_split(cls) -> dict:
    params = inspect.signature(cls.__init__).parameters
    if "train" in params:
        return {"train": False}
    return {"split": "test"} if "split" in params else {}
