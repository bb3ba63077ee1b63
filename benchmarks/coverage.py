"""Coverage closure on the RTL: `snnsoc coverage` over the full regression, its numbers on record.

Runs the command (the directed programs, riscv_soc/coverage/directed.py, and 200 difftest
programs of 500 instructions under each DDR mode of the plan: a DDR that keeps up, one that
stalls, one that answers with errors; all on the coverage build), times it, and writes
benchmarks/results/NAME.json with the per-module line, branch, expression and toggle
percentages, the AXI port's toggle coverage, the functional bins defined, hit and the holes with
their reasons, the goals not met, stale waivers, and the time the coverage build
(`--fresh-build` removes it first) and the runs take.

    .venv/bin/python benchmarks/coverage.py [--fresh-build] [--name coverage] [--waivers FILE]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from record import write_record

from riscv_soc import coverage
from riscv_soc.coverage.collect import coverage_on
from riscv_soc.difftest import CONFIG
from riscv_soc.rtl import simbuild


def coverage_build_dir() -> Path:
    with coverage_on(Path(tempfile.gettempdir())):
        return simbuild.build_dir(CONFIG)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fresh-build", action="store_true", help="rebuild the coverage variant")
    parser.add_argument("--name", default="coverage", help="record name under results/")
    parser.add_argument("--waivers", type=Path, default=coverage.WAIVERS)
    parser.add_argument("--note", default="", help="what this run's tree differs in")
    args = parser.parse_args()
    if args.fresh_build:
        shutil.rmtree(coverage_build_dir(), ignore_errors=True)
    with tempfile.TemporaryDirectory() as out:
        command = [
            sys.executable,
            "-m",
            "riscv_soc.cli",
            "coverage",
            "--out",
            out,
            "--waivers",
            str(args.waivers),
        ]
        start = time.perf_counter()
        subprocess.run(command, check=True)
        wall = time.perf_counter() - start
        report = json.loads((Path(out) / "coverage.json").read_text())
    fn = report["functional"]
    result = {
        "command": "snnsoc coverage --out DIR" + f" --waivers {args.waivers.name}",
        "note": args.note,
        "plan": report["plan"],
        "modules": {
            name: {k: row[k] for k in ("line", "branch", "expr", "toggle")}
            for name, row in report["modules"].items()
        },
        "axi_port_toggle": report["ports"]["axi"]["toggle"],
        "functional": {"bins": fn["bins"], "hit": fn["hit"], "holes": fn["holes"]},
        "goals_not_met": [g for g in report["goals"] if not g["met"]],
        "waived_code_points": report["waivers"]["code_points"],
        "stale_waivers": report["waivers"]["stale"] + report["functional"]["stale_waivers"],
        "runs": report["runs"],
        "seconds": report["seconds"] | {"total_wall": round(wall, 1)},
    }
    path = write_record(args.name, result)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
