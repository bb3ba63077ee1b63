"""The default pipeline run on record: its summary table and wall time, as `make run` gives them.

Runs `snnsoc pipeline` (the embedded default config, or `--quick`) into an empty folder, times it
end to end (training, quantisation, core, ISS, RTL, energy, report) and writes the summary rows,
the RTL subset's scores of the teacher, the core and the RTL, the wall time and each stage's
seconds. The README's table and the figures around it are checked against this record
(tests/docs/test_readme_figures.py). No peer runs here: this records what a user of `make run`
sees, not a ratio.

    .venv/bin/python benchmarks/pipeline_run.py [--quick] [--out DIR]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from record import write_record


def run(out: Path, quick: bool) -> float:
    """Wall seconds of `snnsoc pipeline` into `out`, which must not hold a run yet."""
    if (out / "summary.json").exists():
        sys.exit(f"pipeline_run: {out} holds a run already; a resumed run would not be timed whole")
    command = [sys.executable, "-m", "riscv_soc.cli", "pipeline", "--out", str(out)]
    start = time.perf_counter()
    subprocess.run([*command, *(["--quick"] if quick else [])], check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the --quick configuration")
    parser.add_argument("--out", type=Path, help="run folder (default: a temporary one)")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="pipeline_run."))
    seconds = run(out, args.quick)
    rows = json.loads((out / "summary.json").read_text())["rows"]
    subset = json.loads((out / "rtl" / "stage.json").read_text())["metrics"]["subset_scores"]
    by_stage = {row["stage"]: row for row in rows}
    teacher, deployed = by_stage["teacher (ANN)"], by_stage["RTL (firmware)"]
    result = {
        "wall_s": seconds,
        "rows": rows,
        "rtl_subset_scores": subset,
        "soc_wga_over_teacher_points": 100 * (by_stage["ISS (firmware)"]["wga"] - teacher["wga"]),
        "rtl_samples": deployed["samples"],
        "stages": {  # {name: {"wall_s": seconds}}
            stage.parent.name: {"wall_s": json.loads(stage.read_text())["seconds"]}
            for stage in sorted(out.glob("*/stage.json"))
        },
    }
    name = "pipeline_quick" if args.quick else "pipeline_default"
    print(f"{name}: {seconds:.0f} s wall; record: {write_record(name, result)}")


if __name__ == "__main__":
    main()
