"""Training gives the same bits whatever kernels the CPU would pick (snn.determinism).

Each run trains a small teacher in a fresh process, where torch has not chosen its kernels yet, with
an ambient setting that stands for another CPU: ATEN_CPU_CAPABILITY=default is a CPU without AVX,
=avx512 one with AVX-512. Pinned, they must agree; with SNNSOC_NATIVE_KERNELS=1 they must not, which
shows that the check can see a CPU's kernels at all.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

TRAIN = """
import hashlib
import snn.data
from snn.determinism import cpu_capability
from snn.distill import TrainConfig, train_teacher

train = snn.data.load("colour_digits", "train", seed=0, rho=0.95).take(range(256))
config = TrainConfig(epochs=1, seed=0, batch_size=32)
teacher = train_teacher(train, "erm", teacher_config={"hidden": [64]}, config=config)
digest = hashlib.sha256()
for name, tensor in sorted(teacher.state_dict().items()):
    digest.update(name.encode() + tensor.detach().contiguous().numpy().tobytes())
print(cpu_capability(), digest.hexdigest())
"""


def _train(**env: str) -> tuple[str, str]:
    """(the kernels used, the weights' digest) of one training run in a fresh process."""
    clean = {k: v for k, v in os.environ.items() if k not in ("SNNSOC_NATIVE_KERNELS",)}
    done = subprocess.run(
        [sys.executable, "-c", TRAIN], env={**clean, **env}, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    capability, digest = done.stdout.split()
    return capability, digest


@pytest.mark.slow
def test_pinned_training_is_identical_whatever_the_cpu_would_pick():
    plain = _train(ATEN_CPU_CAPABILITY="default", MKL_CBWR="COMPATIBLE", ONEDNN_MAX_CPU_ISA="SSE41")
    wide = _train(ATEN_CPU_CAPABILITY="avx512", MKL_CBWR="AUTO", ONEDNN_MAX_CPU_ISA="ALL")
    assert plain == wide
    assert plain[0] == "AVX2"


@pytest.mark.slow
def test_native_kernels_change_the_weights():
    native = {"SNNSOC_NATIVE_KERNELS": "1"}
    plain = _train(ATEN_CPU_CAPABILITY="default", **native)
    avx2 = _train(ATEN_CPU_CAPABILITY="avx2", **native)
    assert (plain[0], avx2[0]) == ("DEFAULT", "AVX2")
    assert plain[1] != avx2[1]
    assert avx2 == _train(ATEN_CPU_CAPABILITY="default", MKL_CBWR="AUTO")  # pinned is AVX2's


def test_this_test_session_computes_with_the_pinned_kernels():
    from snn.determinism import kernel_note, pinned_kernels

    assert pinned_kernels(), kernel_note()


def test_training_on_unpinned_kernels_says_so_once(monkeypatch):
    import io

    from snn import determinism

    monkeypatch.setattr(determinism, "_warned", False)
    monkeypatch.setenv("MKL_CBWR", "AUTO")  # as if set after snn pinned it
    stream = io.StringIO()
    determinism.warn_if_unpinned(stream)
    determinism.warn_if_unpinned(stream)
    assert stream.getvalue().count("NOT pinned: results depend on this CPU") == 1
    assert "MKL_CBWR=AVX2" in stream.getvalue()
