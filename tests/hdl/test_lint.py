"""The synthesizable RTL is clean under `verilator --lint-only -Wall` (waivers: rtl/lint.vlt),
read through rtl/fenn_soc.f, the file list that names every source."""

from __future__ import annotations

import subprocess

import pytest

from riscv_soc.rtl import simbuild


@pytest.mark.rtl
def test_lint_clean():
    simbuild.toolchain_env()
    done = subprocess.run(
        [
            "verilator",
            "--lint-only",
            "-Wall",
            "--top-module",
            "fenn_soc",
            "-F",
            str(simbuild.FILE_LIST),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "%Warning" not in done.stderr, done.stderr


def test_the_file_list_names_every_source_once_after_the_waivers():
    listed = simbuild.file_list()
    assert listed[0] == simbuild.RTL_DIR / "lint.vlt"
    assert len(set(listed)) == len(listed)
    assert set(simbuild.rtl_sources()) == set(simbuild.RTL_DIR.glob("*.sv"))
    assert set(listed) - set(simbuild.rtl_sources()) == {simbuild.RTL_DIR / "lint.vlt"}
    packages = [p.name for p in simbuild.rtl_sources() if p.name.endswith("_pkg.sv")]
    assert [p.name for p in simbuild.rtl_sources()[: len(packages)]] == packages


def test_every_waiver_says_why():
    lines = (simbuild.RTL_DIR / "lint.vlt").read_text().splitlines()
    for n, line in enumerate(lines):
        if line.startswith("lint_off"):
            assert lines[n - 1].rstrip().endswith("*/"), f"waiver without a reason: {line}"
