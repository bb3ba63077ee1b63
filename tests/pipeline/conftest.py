"""The `snnsoc pipeline --quick` run the slow tests share: run once per test session, as a user
(and CI) runs it, in a subprocess; under pytest-xdist (`make test` uses -n 2) the workers share
one run."""

from __future__ import annotations

import dataclasses
import fcntl
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@dataclasses.dataclass(frozen=True)
class CliRun:
    out: Path
    returncode: int
    stdout: str
    stderr: str
    seconds: float


def run_cli(*args: str) -> CliRun:
    """`python -m riscv_soc.cli ARGS` from the repository root; `out` is the --out argument."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "riscv_soc.cli", *args],
        cwd=ROOT,
        env=os.environ.copy(),  # tests/conftest.py put Verilator on PATH
        capture_output=True,
        text=True,
    )
    out = Path(args[args.index("--out") + 1])
    return CliRun(out, done.returncode, done.stdout, done.stderr, time.perf_counter() - started)


@pytest.fixture(scope="session")
def snnsoc_cli():
    """run_cli, for tests that run the CLI again on the shared run folder."""
    return run_cli


@pytest.fixture(scope="session")
def quick_run(tmp_path_factory) -> CliRun:
    """One `snnsoc pipeline --quick` from an empty run folder; the first xdist worker to get the
    lock runs it, the others read its outcome."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the folder every worker's basetemp lives in
    outcome = root / "quick_run.json"
    with (root / "quick_run.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not outcome.is_file():
            run = run_cli("pipeline", "--quick", "--out", str(root / "quick" / "run"))
            outcome.write_text(json.dumps({**dataclasses.asdict(run), "out": str(run.out)}))
    data = json.loads(outcome.read_text())
    return CliRun(**{**data, "out": Path(data["out"])})
