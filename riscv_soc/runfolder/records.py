"""Stage records: what makes a pipeline run resumable.

Where it sits: between the runner (runner.py) and the stage folders. A finished stage leaves
`DIR/<stage>/stage.json`, written atomically after all its artefacts: the hash of its inputs (the
config sections it reads and the artefact digests of the stages it reads from), the sha256 of every
file it wrote, its metrics and its run time. A stage is current, and skipped, when its record
exists, its input hash is unchanged and every artefact still has its recorded digest; a run stopped
anywhere (a crash, Ctrl-C) leaves no record for the unfinished stage, so a rerun redoes that stage
and those after it, and nothing before it.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from riscv_soc.errors import ConfigError
from riscv_soc.runfolder.metrics import METRICS
from riscv_soc.runfolder.stages import STAGE_NAMES
from snnsoc_common.artefacts import write_json
from snnsoc_common.records import from_json, to_json

CONFIG_FILE = "config.json"  # the resolved config of the run
RECORD = "stage.json"
FORMAT, VERSION = "snnsoc-pipeline-stage", 1


@dataclass(frozen=True)
class StageRecord:
    stage: str
    input_hash: str
    artefacts: dict[str, str]  # path relative to the run folder -> sha256
    metrics: Any  # the stage's record of metrics.METRICS
    seconds: float = 0.0

    @property
    def digest(self) -> str:
        """One hash of every artefact: what downstream stages key on."""
        return hash_json(sorted(self.artefacts.items()))


def hash_json(obj: object) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True).encode()).hexdigest()


def hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def input_hash(stage: str, sections: dict, upstream: dict[str, StageRecord]) -> str:
    """The key of a stage's inputs: its config sections and its upstream stages' artefacts."""
    return hash_json(
        {
            "stage": stage,
            "config": sections,
            "upstream": {name: record.digest for name, record in sorted(upstream.items())},
        }
    )


def read_record(out: Path, stage: str) -> StageRecord | None:
    """The stage's record, or None when it is missing or unreadable (the stage then reruns)."""
    path = Path(out) / stage / RECORD
    try:
        data = json.loads(path.read_text())
        if data.pop("format") != FORMAT or data.pop("version") != VERSION:
            return None
        return _record(data, str(path))
    except (OSError, ValueError, TypeError, KeyError):  # RecordError is a ValueError
        return None


def _record(data: dict, where: str) -> StageRecord:
    metrics: Any = from_json(METRICS[data["stage"]], data.pop("metrics"), f"{where}: metrics")
    return StageRecord(**data, metrics=metrics)


def is_current(record: StageRecord | None, expected_hash: str, out: Path) -> bool:
    """Whether `record` finished with these inputs and its artefacts are untouched."""
    if record is None or record.input_hash != expected_hash:
        return False
    for relative, digest in record.artefacts.items():
        path = Path(out) / relative
        if not path.is_file() or hash_file(path) != digest:
            return False
    return True


def clear_stage(out: Path, stage: str) -> Path:
    """An empty folder for a stage about to run (its old artefacts and record removed)."""
    folder = Path(out) / stage
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder


def finish_stage(
    out: Path, stage: str, expected_hash: str, metrics: Any, seconds: float
) -> StageRecord:
    """Record every file of the stage's folder and its `metrics` (its record of
    metrics.METRICS); the record is written last, atomically, and returned as a later run reads
    it back (non-finite floats as None)."""
    folder = Path(out) / stage
    artefacts = {
        str(path.relative_to(out)): hash_file(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != RECORD
    }
    data = {
        "stage": stage,
        "input_hash": expected_hash,
        "artefacts": artefacts,
        "metrics": to_json(metrics),
        "seconds": seconds,
    }
    write_json(folder / RECORD, {"format": FORMAT, "version": VERSION, **data})
    return _record(data, str(folder / RECORD))


def read_config(out: Path) -> dict:
    """The config a run folder was made with; ConfigError when `out` is not a run folder."""
    path = Path(out) / CONFIG_FILE
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError(
            f"{out}: no {CONFIG_FILE}; not a pipeline run folder (snnsoc pipeline --out {out})"
        ) from None
    except (OSError, ValueError) as err:
        raise ConfigError(f"{path}: not readable: {err}") from None


def read_records(out: Path) -> dict[str, StageRecord]:
    """Every stage's record; ConfigError naming the stages that have not finished."""
    records = {name: read_record(out, name) for name in STAGE_NAMES}
    missing = [name for name, record in records.items() if record is None]
    if missing:
        raise ConfigError(
            f"{out}: stage(s) {', '.join(missing)} not finished; run `snnsoc pipeline --out "
            f"{out}` (with the same config) to finish them"
        )
    return {name: record for name, record in records.items() if record is not None}
