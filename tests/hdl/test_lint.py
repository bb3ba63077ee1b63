"""The synthesizable RTL is clean under `verilator --lint-only -Wall` (waivers: rtl/lint.vlt)."""

from __future__ import annotations

import subprocess

import pytest

from riscv_soc.rtl import simbuild

pytestmark = pytest.mark.rtl


def test_lint_clean():
    simbuild.toolchain_env()
    sources = [simbuild.RTL_DIR / simbuild.WAIVERS] + [
        simbuild.RTL_DIR / s for s in simbuild.RTL_SOURCES
    ]
    done = subprocess.run(
        ["verilator", "--lint-only", "-Wall", "--top-module", "fenn_soc", *map(str, sources)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "%Warning" not in done.stderr, done.stderr


def test_every_waiver_says_why():
    lines = (simbuild.RTL_DIR / simbuild.WAIVERS).read_text().splitlines()
    for n, line in enumerate(lines):
        if line.startswith("lint_off"):
            assert lines[n - 1].rstrip().endswith("*/"), f"waiver without a reason: {line}"
