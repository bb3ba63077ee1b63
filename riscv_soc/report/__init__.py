"""Reports of a pipeline run: DIR/report.md (figures in DIR/plots/) and a self-contained
DIR/report.html, plus DIR/summary.json.

Where it sits: the last step of `snnsoc pipeline`, and all of `snnsoc report DIR`, which rebuilds
the report from a run folder's stage records and results without running anything.

    md, html = write_report("out/pipeline")
"""

from __future__ import annotations

import os
from pathlib import Path

from riscv_soc.report.document import Figure, to_html, to_markdown
from riscv_soc.report.sections import build
from riscv_soc.runfolder.config import PipelineConfig
from riscv_soc.runfolder.context import Context
from riscv_soc.runfolder.records import read_config, read_records
from riscv_soc.runfolder.summary import summary_rows
from snnsoc_common.artefacts import write_bytes, write_json, write_text

__all__ = ["write_report"]

TITLE = "snnsoc pipeline report"
PLOTS = "plots"


def write_report(out: str | os.PathLike) -> tuple[Path, Path]:
    """Write report.md, report.html, plots/*.png and summary.json of run folder `out`; returns
    the paths of the two reports. ConfigError when `out` is not a finished run folder."""
    out = Path(out)
    ctx = Context(out, PipelineConfig.of(read_config(out)), read_records(out))
    blocks = build(ctx)
    for block in blocks:
        if isinstance(block, Figure):
            write_bytes(out / PLOTS / block.name, block.png)
    write_json(out / "summary.json", {"rows": summary_rows(ctx.records)})
    md, html = out / "report.md", out / "report.html"
    write_text(md, to_markdown(blocks, PLOTS))
    write_text(html, to_html(blocks, TITLE))
    return md, html
