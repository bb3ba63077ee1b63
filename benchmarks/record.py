"""A benchmark's result on record: benchmarks/results/NAME.json with the machine, date, commit and
command that produced it, so that a number in the README or docs can be traced to its run."""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
import sys
from pathlib import Path

from snnsoc_common.artefacts import write_json

RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> dict:
    """CPU model, cores and the vector ISA the CPU offers (the kernels torch and numba pick)."""
    cpu, flags = platform.processor() or platform.machine(), set()
    info = Path("/proc/cpuinfo")
    if info.is_file():
        for line in info.read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                cpu = value.strip()
            elif key.strip() == "flags":
                flags = set(value.split())
    isa = [name for name in ("avx2", "avx512f") if name in flags]
    return {"cpu": cpu, "cores": os.cpu_count(), "isa": isa, "python": platform.python_version()}


def commit() -> str:
    """HEAD's hash, with '-dirty' when the working tree has changes the result may reflect."""

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=RESULTS.parent, capture_output=True, text=True
        ).stdout.strip()

    head = git("rev-parse", "HEAD") or "unknown"
    return head + ("-dirty" if git("status", "--porcelain", "--untracked-files=no") else "")


def write_record(name: str, result: dict) -> Path:
    """Write `result` as benchmarks/results/`name`.json beside its provenance; returns the path."""
    path = RESULTS / f"{name}.json"
    write_json(
        path,
        {
            "benchmark": name,
            "command": " ".join([Path(sys.executable).name, *sys.argv]),
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "commit": commit(),
            "machine": machine(),
            "result": result,
        },
    )
    return path
