"""A Ray session for sharded runs (the experiment sweeps, the difftest): local with `workers` CPUs
by default, a running cluster by `address`. A leaf module, so the training API uses it too.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any


@contextlib.contextmanager
def ray_session(workers: int, address: str | None = None) -> Iterator[Any]:
    """Yield the `ray` module, initialised; shut down after only if this call started it."""
    import ray

    started = not ray.is_initialized()
    if started:
        kwargs = {"address": address} if address else {"num_cpus": workers}
        ray.init(include_dashboard=False, log_to_driver=False, **kwargs)
    try:
        yield ray
    finally:
        if started:
            ray.shutdown()


def result(ray, refs):
    """`ray.get(refs)`, raising a task's own error (a corrupt file, ...) not Ray's wrapper."""
    try:
        return ray.get(refs)
    except ray.exceptions.RayTaskError as err:
        raise err.cause from None
