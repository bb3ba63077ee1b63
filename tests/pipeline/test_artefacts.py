"""Atomic artefact writes honour the umask, as a plain open() would (not mkstemp's 0600)."""

from __future__ import annotations

import os
import stat

import pytest

from snnsoc_common.artefacts import atomic_path, write_json, write_text


@pytest.fixture
def umask():
    """Set the process umask for one test, then restore it."""
    saved = os.umask(0o022)
    yield os.umask
    os.umask(saved)


def _mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize("mask", [0o022, 0o002, 0o077, 0o027])
def test_written_files_get_the_mode_open_would_give(tmp_path, umask, mask):
    umask(mask)
    write_text(tmp_path / "report.md", "# report\n")
    write_json(tmp_path / "summary.json", {"rows": []})
    with (tmp_path / "plain.txt").open("w") as f:  # the reference: what open() gives
        f.write("x")
    want = _mode(tmp_path / "plain.txt")
    assert want == 0o666 & ~mask
    assert _mode(tmp_path / "report.md") == want
    assert _mode(tmp_path / "summary.json") == want


def test_a_failed_write_leaves_neither_target_nor_temporary(tmp_path):
    with pytest.raises(RuntimeError), atomic_path(tmp_path / "out.bin") as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []
