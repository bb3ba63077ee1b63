"""riscv_soc/runfolder/metrics.py and snnsoc_common/records.py: typed stage metrics that check
themselves, and the JSON of run folders written before the types existed still reads back."""

from __future__ import annotations

import json
import math
from dataclasses import fields, replace
from pathlib import Path

import pytest

from riscv_soc.runfolder.metrics import METRICS, CoreMetrics, RtlMetrics, Scores, StageEnergy
from riscv_soc.runfolder.records import RECORD, read_record
from snnsoc_common.records import RecordError, from_json, to_json

# Stage metrics as a default pipeline run wrote them (main at 02:35 UTC, 8 Dec 2026), and a core
# record with the float reference from a later quick run.
RECORDED = json.loads((Path(__file__).parent / "data" / "stage_metrics.json").read_text())


@pytest.mark.parametrize("stage", list(METRICS))
def test_recorded_metrics_read_back_and_write_the_same_json(stage):
    metrics = from_json(METRICS[stage], RECORDED[stage], stage)
    assert to_json(metrics) == RECORDED[stage]


def test_core_reads_with_and_without_the_float_reference():
    old = from_json(CoreMetrics, RECORDED["core"])
    new = from_json(CoreMetrics, RECORDED["core_with_float_reference"])
    assert old.float_reference is None
    assert [p.name for p in new.float_reference.comparison.populations] == ["hidden0", "readout"]
    assert to_json(new) == RECORDED["core_with_float_reference"]


def test_attributes_replace_string_keys():
    rtl = from_json(RtlMetrics, RECORDED["rtl"])
    assert rtl.scores.samples == RECORDED["rtl"]["samples"]
    assert rtl.subset_scores["core"].wga == RECORDED["rtl"]["subset_scores"]["core"]["wga"]


def test_records_check_themselves():
    names = {f.name for f in fields(Scores)}
    scores = from_json(Scores, {k: v for k, v in RECORDED["teacher"].items() if k in names})
    with pytest.raises(ValueError, match=r"Scores.wga=1.5: must be in \[0, 1\] or null"):
        replace(scores, wga=1.5)
    with pytest.raises(ValueError, match=r"StageEnergy.op_count_j=-1.0: must be >= 0"):
        StageEnergy(-1.0)
    assert math.isnan(replace(scores, acc=float("nan")).acc)  # NaN: no samples of that kind


def test_json_of_the_wrong_shape_names_the_field():
    bad = dict(RECORDED["rtl"], subset_scores={"core": {"acc": "high"}})
    with pytest.raises(RecordError, match=r"rtl\.subset_scores\.core\.acc: 'high' is not a number"):
        from_json(RtlMetrics, bad, "rtl")
    with pytest.raises(RecordError, match="unknown key"):
        from_json(Scores, {**RECORDED["teacher"]})  # model and macs are not scores


def test_a_record_that_does_not_fit_its_stage_reruns_the_stage(tmp_path):
    folder = tmp_path / "firmware"
    folder.mkdir()
    record = {
        "format": "snnsoc-pipeline-stage",
        "version": 1,
        "stage": "firmware",
        "input_hash": "0",
        "artefacts": {},
        "seconds": 1.0,
    }
    (folder / RECORD).write_text(json.dumps({**record, "metrics": RECORDED["firmware"]}))
    assert (
        read_record(tmp_path, "firmware").metrics.code_bytes == RECORDED["firmware"]["code_bytes"]
    )
    (folder / RECORD).write_text(json.dumps({**record, "metrics": {"code_bytes": "big"}}))
    assert read_record(tmp_path, "firmware") is None
