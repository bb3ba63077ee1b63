"""riscv_soc/runfolder/records.py: input hashes, stage records, when a stage counts as current."""

from __future__ import annotations

import json

from riscv_soc.runfolder.metrics import FirmwareMetrics
from riscv_soc.runfolder.records import (
    RECORD,
    clear_stage,
    finish_stage,
    input_hash,
    is_current,
    read_record,
)


def _finished(tmp_path, name="firmware", files=None):
    folder = clear_stage(tmp_path, name)
    for relative, text in (files or {"a.txt": "a", "sub/b.txt": "b"}).items():
        (folder / relative).parent.mkdir(parents=True, exist_ok=True)
        (folder / relative).write_text(text)
    key = input_hash(name, {"run": {"seed": 0}}, {})
    return finish_stage(tmp_path, name, key, FirmwareMetrics(1200, {}, {}), 1.5), key


def test_record_round_trip_lists_every_file(tmp_path):
    record, key = _finished(tmp_path)
    assert sorted(record.artefacts) == ["firmware/a.txt", "firmware/sub/b.txt"]
    assert read_record(tmp_path, "firmware") == record
    assert is_current(record, key, tmp_path)


def test_input_hash_follows_config_and_upstream(tmp_path):
    upstream, _ = _finished(tmp_path, "firmware")
    base = input_hash("core", {"run": {"seed": 0}}, {"quantise": upstream})
    assert base == input_hash("core", {"run": {"seed": 0}}, {"quantise": upstream})
    assert base != input_hash("core", {"run": {"seed": 1}}, {"quantise": upstream})
    assert base != input_hash("iss", {"run": {"seed": 0}}, {"quantise": upstream})
    changed, _ = _finished(tmp_path, "firmware", {"a.txt": "changed"})
    assert base != input_hash("core", {"run": {"seed": 0}}, {"quantise": changed})


def test_not_current_when_inputs_or_artefacts_change(tmp_path):
    record, key = _finished(tmp_path)
    assert not is_current(record, "other", tmp_path)
    assert not is_current(None, key, tmp_path)
    (tmp_path / "firmware" / "a.txt").write_text("edited")
    assert not is_current(record, key, tmp_path)
    (tmp_path / "firmware" / "a.txt").unlink()
    assert not is_current(record, key, tmp_path)


def test_unreadable_record_means_rerun(tmp_path):
    _finished(tmp_path)
    path = tmp_path / "firmware" / RECORD
    path.write_text("{truncated")
    assert read_record(tmp_path, "firmware") is None
    path.write_text(json.dumps({"format": "something-else", "version": 1}))
    assert read_record(tmp_path, "firmware") is None
    assert read_record(tmp_path, "never-ran") is None


def test_clear_stage_removes_old_artefacts(tmp_path):
    _finished(tmp_path)
    folder = clear_stage(tmp_path, "firmware")
    assert list(folder.iterdir()) == []
