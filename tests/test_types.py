"""The type checker is clean: mypy in basic mode on the packages pyproject.toml's [tool.mypy]
names (riscv_soc, snn, snnsoc_common), as `make lint` runs it, so that CI checks it too."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow  # about 30 s without mypy's cache
def test_mypy_reports_no_error() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, timeout=900
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Success: no issues found" in run.stdout, run.stdout
