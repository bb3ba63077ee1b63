"""`snnsoc pipeline` (biased data to verified hardware, resumable) and `snnsoc report DIR`.

A thin layer over riscv_soc.pipeline and riscv_soc.report; the training and SoC stacks are
imported only when a command runs, so the rest of the CLI starts fast. A failed bit-exactness
check prints one line per failure and exits 1 (the report is written and says so at its top).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from riscv_soc.cli import app
from riscv_soc.runfolder.stages import STAGE_NAMES

DEFAULT_OUT = Path("out/pipeline")
QUICK_OUT = Path("out/pipeline-quick")
SUMMARY_WIDTH = 150
EPILOG = "\n\n".join(
    [
        "Examples:",
        "  snnsoc pipeline                         # the embedded default into out/pipeline",
        "  snnsoc pipeline --quick                 # small models, into out/pipeline-quick",
        "  snnsoc pipeline --config my.toml --out out/mine",
        "  snnsoc pipeline --print-config > my.toml   # the default, commented, to edit",
        "  snnsoc pipeline --until core            # stop after a stage; rerun to resume",
        "  snnsoc report out/pipeline              # rebuild the report of a run folder",
        "Rerunning into the same folder resumes: stages whose inputs (config sections and "
        "upstream artefacts) are unchanged are skipped.",
    ]
)


@app.command("pipeline", epilog=EPILOG)
def pipeline_command(
    config: Annotated[
        Path | None,
        typer.Option("--config", help="TOML or JSON file overriding the embedded default."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", help=f"Run folder (default {DEFAULT_OUT}; --quick: {QUICK_OUT})."),
    ] = None,
    quick: Annotated[
        bool, typer.Option("--quick", help="Small models, one RTL sample per group (CI).")
    ] = False,
    until: Annotated[
        str | None,
        typer.Option("--until", help=f"Stop after this stage: {', '.join(STAGE_NAMES)}."),
    ] = None,
    print_config: Annotated[
        bool, typer.Option("--print-config", help="Print the resolved config as TOML and exit.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="No progress or summary.")] = False,
) -> None:
    """Teacher -> student -> quantised bundle -> core -> firmware -> ISS -> RTL -> energy ->
    DIR/report.md and DIR/report.html, every artefact kept in DIR."""
    from rich.console import Console

    from riscv_soc.pipeline import load_config, run_pipeline, to_toml
    from riscv_soc.runfolder.summary import print_summary, summary_rows

    resolved = load_config(config, quick=quick)
    if print_config:
        typer.echo(to_toml(resolved), nl=False)
        return
    out = out or (QUICK_OUT if quick else DEFAULT_OUT)
    console = None if quiet else Console()
    if console is not None and not console.is_terminal:
        console = Console(width=SUMMARY_WIDTH)  # a log file gets the whole table
    try:
        result = run_pipeline(resolved, out, until=until, console=console)
    except KeyboardInterrupt:
        print(f"snnsoc: interrupted; the same command resumes ({out})", file=sys.stderr)
        raise typer.Exit(130) from None
    if result.report is None:
        typer.echo(f"stopped after {until}; rerun without --until to finish ({out})")
        return
    if console is not None:
        clock_hz = result.records["energy"].metrics.clock_hz
        print_summary(summary_rows(result.records), console, clock_hz)
    md, html = result.report
    typer.echo(f"report: {html}")
    typer.echo(f"        {md}")
    if result.failures:
        for failure in result.failures:
            print(f"snnsoc: VERIFICATION FAILED: {failure}", file=sys.stderr)
        raise typer.Exit(1)


@app.command("report")
def report_command(
    run_dir: Annotated[Path, typer.Argument(help="run folder of `snnsoc pipeline`")],
) -> None:
    """Rebuild DIR/report.md, DIR/report.html and their plots from a run folder."""
    from riscv_soc.report import write_report

    md, html = write_report(run_dir)
    typer.echo(f"report: {html}")
    typer.echo(f"        {md}")
