"""Bit-reproducible torch on every x86-64 CPU with AVX2: the kernels and threads training uses.

torch's CPU wheel picks its kernels by the CPU it runs on: ATen's vectorised kernels (reductions,
activations, the optimiser's element-wise updates) by `ATEN_CPU_CAPABILITY`, MKL's GEMMs by
`MKL_CBWR` (conditional numerical reproducibility), oneDNN's by `ONEDNN_MAX_CPU_ISA`. An AVX-512
machine sums in another order than an AVX2 one, the weights drift apart by an ulp, and a trained
model's accuracy moves by a sample. Pinning all three to AVX2, the newest ISA every machine of ours
has, gives the same bits on AVX2 and AVX-512 CPUs at the cost of AVX-512's wider vectors (the
models here are small: docs/training.md measures it). Intra-op threads split reductions too, so
training runs on `TRAIN_THREADS` threads.

Each variable is read once per process, when torch first needs the kernel, which is after
`import torch` but before the first tensor operation: `pin_cpu_kernels()` runs when `snn` is
imported, and `pinned_kernels()` says afterwards whether it took effect. Setting
`SNNSOC_NATIVE_KERNELS=1` leaves torch's own choice (faster on AVX-512, not reproducible across
CPUs).

Sources: PyTorch, aten/src/ATen/native/DispatchStub.cpp (ATEN_CPU_CAPABILITY); Intel oneMKL
Developer Guide, "Conditional Numerical Reproducibility" (MKL_CBWR); oneDNN Developer Guide, "CPU
Dispatcher Control" (ONEDNN_MAX_CPU_ISA).
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable, Iterator
from typing import TypeVar

F = TypeVar("F", bound=Callable)

PINNED_ENV = {"ATEN_CPU_CAPABILITY": "avx2", "MKL_CBWR": "AVX2", "ONEDNN_MAX_CPU_ISA": "AVX2"}
PINNED_CAPABILITY = "AVX2"  # what torch.backends.cpu.get_cpu_capability() reports once pinned
TRAIN_THREADS = 1  # as the sweep workers: the same models as the study's, bit for bit
NATIVE_ENV = "SNNSOC_NATIVE_KERNELS"


def native_requested() -> bool:
    return os.environ.get(NATIVE_ENV, "") not in ("", "0")


def pin_cpu_kernels() -> None:
    """Point torch, MKL and oneDNN at their AVX2 kernels, unless SNNSOC_NATIVE_KERNELS is set.

    Overrides values already in the environment: a setting inherited from a shell would otherwise
    make the results depend on it again.
    """
    if not native_requested():
        os.environ.update(PINNED_ENV)


def cpu_capability() -> str:
    """The ATen kernel family torch uses in this process ('AVX2', 'AVX512', 'DEFAULT', ...).

    Asking fixes it: torch reads ATEN_CPU_CAPABILITY on the first call.
    """
    import torch

    return torch.backends.cpu.get_cpu_capability()


def pinned_kernels() -> bool:
    """True when this process computes with the pinned kernels (checked, not assumed)."""
    return (
        not native_requested()
        and all(os.environ.get(k) == v for k, v in PINNED_ENV.items())
        and cpu_capability() == PINNED_CAPABILITY
    )


def kernel_note() -> str:
    """One line for logs and run records: which kernels computed, and whether they are pinned."""
    state = "pinned" if pinned_kernels() else "NOT pinned: results depend on this CPU"
    return f"torch CPU kernels {cpu_capability()} ({state})"


@contextlib.contextmanager
def training_threads() -> Iterator[None]:
    """Run the body on TRAIN_THREADS intra-op threads; the caller's count comes back after."""
    import torch

    saved = torch.get_num_threads()
    torch.set_num_threads(TRAIN_THREADS)
    try:
        yield
    finally:
        torch.set_num_threads(saved)


def warn_if_unpinned(stream=sys.stderr) -> None:
    """Say once, on `stream`, when training is about to run on kernels chosen by this CPU."""
    global _warned
    if _warned or native_requested() or pinned_kernels():
        return
    _warned = True
    print(
        f"snn: {kernel_note()}; torch ran before `import snn` could pin its kernels "
        f"(import snn first, or set {' '.join(f'{k}={v}' for k, v in PINNED_ENV.items())})",
        file=stream,
    )


_warned = False


def reproducible(fn: F) -> F:
    """Decorate a training loop: warn when the kernels are not pinned, run on TRAIN_THREADS."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        warn_if_unpinned()
        with training_threads():
            return fn(*args, **kwargs)

    return run  # type: ignore[return-value]
