"""GNU binutils for the compatibility tests of the assembler and disassembler (marker `gnu`)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINK_LD = ROOT / "firmware" / "link.ld"
PREFIX = "riscv64-unknown-elf-"
MARCH = "rv32im_zicsr_zbb"


class GnuTools:
    """Runs riscv64-unknown-elf-as/ld/objdump in a temporary directory."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp

    def run(self, tool: str, *args: str | Path) -> str:
        done = subprocess.run([PREFIX + tool, *map(str, args)], capture_output=True, text=True)
        assert done.returncode == 0, f"{tool} failed:\n{done.stderr}"
        return done.stdout + done.stderr

    def link(self, source: str, name: str = "gnu") -> Path:
        """Assemble `source` (no relaxation, no padding of section ends to their alignment) and
        link it with firmware/link.ld."""
        src, obj, elf = (self.tmp / f"{name}{ext}" for ext in (".s", ".o", ".elf"))
        src.write_text(source)
        self.run("as", f"-march={MARCH}", "-mno-relax", "--no-pad-sections", "-o", obj, src)
        self.run("ld", "-m", "elf32lriscv", "-T", LINK_LD, "-o", elf, obj)
        return elf


@pytest.fixture
def gnu(tmp_path: Path) -> GnuTools:
    if shutil.which(PREFIX + "as") is None:
        pytest.fail(
            f"{PREFIX}as is not on PATH: install binutils-riscv64-unknown-elf "
            "(scripts/install.sh) or deselect with -m 'not gnu'"
        )
    return GnuTools(tmp_path)
