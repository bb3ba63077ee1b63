"""`snnsoc asm` and `snnsoc disasm` (riscv_soc/cli/isa.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from riscv_soc.cli import main
from riscv_soc.image.elf import read_elf

SOURCE = """_start: la a0, table
    vloadv v1, 0(zero)
    ecall
    .data
table: .word 7
    .section .uram
    .half 1, 2
"""


def run_cli(capsys, *args) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main([str(a) for a in args])
    out, err = capsys.readouterr()
    return done.value.code, out, err


@pytest.fixture
def source(tmp_path):
    path = tmp_path / "prog.s"
    path.write_text(SOURCE)
    return path


def test_asm_to_elf_then_disasm(capsys, source, tmp_path):
    out = tmp_path / "prog.elf"
    code, stdout, _ = run_cli(capsys, "asm", source, "-o", out)
    assert code == 0 and stdout == f"wrote {out}\n"
    assert read_elf(out).symbols["table"].memory == "dmem"
    code, stdout, _ = run_cli(capsys, "disasm", out)
    assert code == 0
    assert stdout.splitlines()[1:4] == [
        "_start:",
        "  00000000:  00000537  lui a0, 0x0",
        "  00000004:  00050513  mv a0, a0",
    ]
    assert "vloadv v1, 0(zero)" in stdout


@pytest.mark.parametrize("suffix", [".hex", ".bin"])
def test_asm_to_hex_or_bin_writes_one_file_per_filled_memory(capsys, source, tmp_path, suffix):
    out = tmp_path / f"fw{suffix}"
    code, stdout, _ = run_cli(capsys, "asm", source, "-o", out, "--listing")
    written = [
        tmp_path / f"fw{suffix}",
        tmp_path / f"fw.dmem{suffix}",
        tmp_path / f"fw.vmem{suffix}",
    ]
    assert code == 0
    assert stdout.splitlines()[:3] == [f"wrote {p}" for p in written]
    assert "imem 00000000" in stdout  # the listing
    assert sorted(tmp_path.glob(f"fw*{suffix}")) == sorted(written)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["asm", "{missing}", "-o", "{tmp}/x.elf"], "cannot read assembly source"),
        (["asm", "{bad}", "-o", "{tmp}/x.elf"], "bad.s:1:1: unknown instruction frob"),
        (["asm", "{source}", "-o", "{tmp}/x.txt"], "unknown suffix '.txt'"),
        (["disasm", "{source}"], "not an ELF file"),
    ],
)
def test_bad_input_prints_one_line_and_exits_2(capsys, source, tmp_path, args, message):
    (tmp_path / "bad.s").write_text("frob a0\n")
    names = {
        "missing": tmp_path / "none.s",
        "bad": tmp_path / "bad.s",
        "source": source,
        "tmp": tmp_path,
    }
    code, stdout, stderr = run_cli(capsys, *(a.format(**names) for a in args))
    assert code == 2 and stdout == ""
    assert stderr.startswith("snnsoc: error: ") and message in stderr
    assert stderr.count("\n") == 1


def test_console_entry_point(source, tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "riscv_soc.cli", "asm", str(source), "-o", str(tmp_path / "x.bin")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "x.bin").read_bytes()[:4] == bytes.fromhex("37050000")
