"""The GNU toolchain for the firmware tests (marker `gnu`): gcc for the C example, binutils to
inspect our ELF files."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIRMWARE = ROOT / "firmware"
PREFIX = "riscv64-unknown-elf-"
CFLAGS = (
    "-march=rv32im_zicsr_zbb",
    "-mabi=ilp32",
    "-O2",
    "-ffreestanding",
    "-nostdlib",
    "-Wall",
    "-Werror",
)


class GnuTools:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp

    def run(self, tool: str, *args: str | Path) -> subprocess.CompletedProcess:
        return subprocess.run([PREFIX + tool, *map(str, args)], capture_output=True, text=True)

    def build_c(self, *sources: Path, name: str = "fw") -> Path:
        """Compile and link `sources` with crt0.S and firmware/link.ld into an ELF."""
        elf = self.tmp / f"{name}.elf"
        done = self.run(
            "gcc", *CFLAGS, "-T", FIRMWARE / "link.ld", FIRMWARE / "crt0.S", *sources, "-o", elf
        )
        assert done.returncode == 0, done.stderr
        return elf


@pytest.fixture
def gnu(tmp_path: Path) -> GnuTools:
    if shutil.which(PREFIX + "gcc") is None:
        pytest.fail(
            f"{PREFIX}gcc is not on PATH: install gcc-riscv64-unknown-elf "
            "(scripts/install.sh) or deselect with -m 'not gnu'"
        )
    return GnuTools(tmp_path)
