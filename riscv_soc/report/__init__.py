"""Reports of a pipeline run: DIR/report.md (figures in DIR/plots/) and a self-contained
DIR/report.html, plus DIR/summary.json.

Where it sits: the last step of `snnsoc pipeline`, and all of `snnsoc report DIR`, which rebuilds
the report from a run folder's stage records and results without running anything.

    md, html = write_report("out/pipeline")
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from riscv_soc.errors import ConfigError
from snnsoc_common.artefacts import write_bytes, write_json, write_text

__all__ = ["write_report"]

TITLE = "snnsoc pipeline report"
PLOTS = "plots"


def write_report(out: str | os.PathLike) -> tuple[Path, Path]:
    """Write report.md, report.html, plots/*.png and summary.json of run folder `out`; returns
    the paths of the two reports. ConfigError when `out` is not a finished run folder."""
    from riscv_soc.report.document import Figure, to_html, to_markdown
    from riscv_soc.report.sections import build
    from riscv_soc.runfolder.context import Context
    from riscv_soc.runfolder.summary import summary_rows

    out = Path(out)
    ctx = Context(out, _read_config(out), _read_records(out))
    blocks = build(ctx)
    for block in blocks:
        if isinstance(block, Figure):
            write_bytes(out / PLOTS / block.name, block.png)
    write_json(out / "summary.json", {"rows": summary_rows(ctx.records)})
    md, html = out / "report.md", out / "report.html"
    write_text(md, to_markdown(blocks, PLOTS))
    write_text(html, to_html(blocks, TITLE))
    return md, html


def _read_config(out: Path) -> dict:
    from riscv_soc.pipeline.runner import CONFIG_FILE

    path = out / CONFIG_FILE
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"{out}: no {CONFIG_FILE}; not a pipeline run folder (snnsoc pipeline "
                          f"--out {out})") from None  # fmt: skip
    except (OSError, ValueError) as err:
        raise ConfigError(f"{path}: not readable: {err}") from None


def _read_records(out: Path) -> dict:
    from riscv_soc.pipeline.stages import STAGE_NAMES
    from riscv_soc.runfolder.records import read_record

    records = {name: read_record(out, name) for name in STAGE_NAMES}
    missing = [name for name, record in records.items() if record is None]
    if missing:
        raise ConfigError(
            f"{out}: stage(s) {', '.join(missing)} not finished; run `snnsoc pipeline --out "
            f"{out}` (with the same config) to finish them"
        )
    return records
