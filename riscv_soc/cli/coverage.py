"""`snnsoc coverage --out DIR [--quick]`: code and functional coverage of the RTL regression.

A thin layer over `riscv_soc.coverage.run`: builds the coverage variant of the SoC, runs the RTL
tests' directed programs and a difftest regression on it (`--quick`: 20 programs of 300
instructions instead of 200 of 500), and writes DIR/coverage.json, DIR/annotated/ and
DIR/coverage.html. Progress goes to stderr; stdout gets one line per module and a summary.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from riscv_soc import coverage
from riscv_soc.cli import app
from riscv_soc.coverage.collect import FULL, QUICK, Plan


@app.command("coverage")
def run_coverage(
    out: Annotated[Path, typer.Option("--out", help="folder for the report")],
    quick: Annotated[bool, typer.Option("--quick", help="a short regression (CI)")] = False,
    programs: Annotated[
        int | None, typer.Option("--programs", help="difftest programs (default: by mode)")
    ] = None,
    waivers: Annotated[Path, typer.Option("--waivers", help="the waiver file")] = coverage.WAIVERS,
) -> None:
    """Line, branch, expression and toggle coverage per RTL module, and the ISA's bins."""
    plan = QUICK if quick else FULL
    if programs is not None:
        plan = Plan(plan.directed, plan.seed, programs, plan.length)
    report = coverage.run(out, plan, waivers, lambda text: typer.echo(text, err=True))
    for name, row in report["modules"].items():
        cells = "  ".join(f"{k} {_pct(row[k])}" for k in ("line", "branch", "expr", "toggle"))
        typer.echo(f"{name:18} {cells}")
    fn = report["functional"]
    unmet = sum(not g["met"] for g in report["goals"])
    typer.echo(
        f"axi port toggle {_pct(report['ports']['axi']['toggle'])}; functional: {fn['hit']} of "
        f"{fn['bins']} bins hit, {fn['unjustified']} holes unjustified; {unmet} goals not met; "
        f"report {out / 'coverage.html'}"
    )


def _pct(value: float | None) -> str:
    return "   -  " if value is None else f"{value:5.1f}%"
