"""Runs the pipeline's stages in order, skipping those whose inputs are unchanged, then the report.

Where it sits: under `snnsoc pipeline` (riscv_soc.cli.pipeline) and above the stages (stages.py).
For each stage it computes the input hash (riscv_soc.runfolder.records), skips the stage when
its record is current, else empties the stage's folder, runs it and records it. Progress goes to
a rich console, one line per stage. After the last stage it writes DIR/summary.json,
DIR/report.md and DIR/report.html (riscv_soc.report). A bit-exactness check that failed is
returned in `PipelineResult.failures` (and shown at the top of the report), never dropped.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from riscv_soc.errors import ConfigError
from riscv_soc.pipeline.stages import STAGES
from riscv_soc.report import write_report
from riscv_soc.runfolder.config import PipelineConfig, select
from riscv_soc.runfolder.context import Context
from riscv_soc.runfolder.records import (
    CONFIG_FILE,
    StageRecord,
    clear_stage,
    finish_stage,
    input_hash,
    is_current,
    read_record,
)
from riscv_soc.runfolder.stages import STAGE_NAMES
from riscv_soc.runfolder.summary import verification_failures
from snnsoc_common.artefacts import write_json


@dataclass
class PipelineResult:
    out: Path
    executed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    records: dict[str, StageRecord] = field(default_factory=dict)
    report: tuple[Path, Path] | None = None
    failures: list[str] = field(default_factory=list)


def run_pipeline(
    config: dict, out: str | Path, *, until: str | None = None, console=None
) -> PipelineResult:
    """Run (or resume) every stage of `config` (config.load_config) into folder `out`.

    `until` stops after that stage (no report). `console`: a rich Console for progress, or None
    for a silent run. Raises ConfigError for an unknown stage name.
    """
    if until is not None and until not in STAGE_NAMES:
        raise ConfigError(f"until={until!r} is not a stage; stages: {', '.join(STAGE_NAMES)}")
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    write_json(out / CONFIG_FILE, config)
    result = PipelineResult(out)
    ctx = Context(out, PipelineConfig.of(config), result.records)
    with _Progress(console, len(STAGES)) as progress:
        for stage in STAGES:
            progress.start(stage)
            upstream = {name: result.records[name] for name in stage.upstream}
            key = input_hash(stage.name, {s: select(config, s) for s in stage.sections}, upstream)
            record = read_record(out, stage.name)
            if record is not None and is_current(record, key, out):
                result.records[stage.name] = record
                result.skipped.append(stage.name)
                progress.done(stage, record, skipped=True)
            else:
                folder = clear_stage(out, stage.name)
                started = time.perf_counter()
                metrics = stage.run(ctx, folder)
                seconds = time.perf_counter() - started
                result.records[stage.name] = finish_stage(out, stage.name, key, metrics, seconds)
                result.executed.append(stage.name)
                progress.done(stage, result.records[stage.name], skipped=False)
            if stage.name == until:
                return result
    result.failures = verification_failures(result.records)
    result.report = write_report(out)
    return result


class _Progress:
    """A rich progress bar over the stages and one line per stage, or nothing without a console."""

    def __init__(self, console, total: int) -> None:
        self.console, self.total, self.count = console, total, 0
        self.bar = None

    def __enter__(self):
        if self.console is not None:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self.bar = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
            )
            self.bar.__enter__()
            self.task = self.bar.add_task("pipeline", total=self.total)
        return self

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)

    def start(self, stage) -> None:
        if self.bar is not None:
            self.bar.update(self.task, description=f"{stage.name}: {stage.title}")

    def done(self, stage, record: StageRecord, skipped: bool) -> None:
        self.count += 1
        if self.bar is None:
            return
        self.bar.advance(self.task)
        what = "skipped (inputs unchanged)" if skipped else f"done in {record.seconds:.1f} s"
        self.bar.console.print(f"[{self.count}/{self.total}] {stage.name:<12} {what}")
