"""Coverage closure on the RTL: Verilator code coverage per module and functional ISA coverage.

    report = run(Path("cov"), QUICK)     # cov/coverage.json, cov/annotated/, cov/coverage.html
    report["modules"]["fenn_core"]       # {"line": pct, "branch": pct, "expr": pct, "toggle": pct}
    report["functional"]                 # {"bins": n, "hit": k, "holes": [{"bin", "reason"}]}

`collect` runs the regression on the coverage build, `codecov` reads and merges Verilator's data,
`functional` defines and counts the ISA bins, `waivers` reads rtl/coverage_waivers.json (what
cannot be reached by design, with reasons) and `report` writes the results. docs/rtl.md,
"Coverage", says what counts.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from riscv_soc.coverage import codecov, report, waivers
from riscv_soc.coverage.collect import FULL, QUICK, Plan, collect
from riscv_soc.rtl import simbuild

WAIVERS = simbuild.RTL_DIR / "coverage_waivers.json"

__all__ = ["FULL", "QUICK", "WAIVERS", "Plan", "run"]


def run(
    out_dir: Path,
    plan: Plan = FULL,
    waivers_path: Path = WAIVERS,
    progress: Callable[[str], None] | None = None,
) -> dict:
    """Collect coverage over `plan`, write the report under `out_dir` and return it."""
    out_dir = Path(out_dir)
    rules = waivers.load(waivers_path)  # a bad waiver file fails before minutes of simulation
    data_dir = out_dir / "data"
    for old in data_dir.glob("*.dat"):  # a previous run's counts must not merge into this one
        old.unlink()
    collection = collect(data_dir, plan, progress)
    counts = codecov.merge(sorted(data_dir.glob("*.dat")))
    analysis = report.analyse(counts, rules)
    extra = {
        "plan": vars(plan) | {"directed": list(plan.directed) if plan.directed else "all"},
        "runs": collection.runs,
        "seconds": {name: round(s, 1) for name, s in collection.seconds.items()},
    }
    result = report.build_report(analysis, collection.sampler, rules, extra)
    report.write(out_dir, counts, analysis, result)
    return result
