"""The testbench's commit-trace lines (riscv_soc/rtl/commits.py) read back as COMMIT records."""

from __future__ import annotations

import pytest

from riscv_soc import commit
from riscv_soc.rtl import commits


def _line(lanes: list[int], **fields: int) -> str:
    """A line as rtl/tb/fenn_soc_tb.sv's $fwrite writes it."""
    head = " ".join(f"{fields.get(name, 0):0{width}x}" for name, width in commits.FIELDS)
    vec = "".join(f"{lane & 0xFFFF:04x}" for lane in reversed(lanes))
    return f"{head} {vec}\n"


def test_lines_read_back_field_by_field(tmp_path):
    lanes = [(-l if l % 2 else l * 1000) for l in range(32)]
    path = tmp_path / "commits_0.txt"
    path.write_text(
        _line(lanes, pc=0x40, word=0x00A28293, kind=commit.WRITES_V, vd=31)
        + _line([0] * 32, pc=0xFFFFFFFC, kind=commit.CSR, csr=0xBC3, csr_data=0xDEADBEEF)
    )
    first, second = commits.read(path)
    assert (first["pc"], first["word"], first["kind"], first["vd"]) == (0x40, 0xA28293, 2, 31)
    assert first["vec"].tolist() == lanes
    assert (second["pc"], second["csr"], second["csr_data"]) == (0xFFFFFFFC, 0xBC3, 0xDEADBEEF)


def test_a_truncated_file_is_named(tmp_path):
    path = tmp_path / "commits_1.txt"
    path.write_text(_line([0] * 32)[:-5])
    with pytest.raises(ValueError, match="commits_1.txt"):
        commits.read(path)
