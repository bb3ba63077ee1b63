"""`snnsoc rtl` and `snnsoc difftest` (riscv_soc/cli/rtl.py, difftest.py): the same JSON as
`snnsoc iss`, waveforms, the difftest summary line, saved cases and their replay."""

from __future__ import annotations

import json
import re

import pytest

from riscv_soc import difftest, rtl
from riscv_soc.cli import main
from riscv_soc.difftest import CONFIG, runner
from riscv_soc.image.elf import write_elf
from riscv_soc.isa.asm import assemble

pytestmark = pytest.mark.rtl

PROGRAM = """
    li a0, -5
    li a1, 7
    vlui v1, 300
    vmul_s_rn v2, v1, v1, 3
    vextract a2, v2, 4
    div a3, a0, a1
    csrr a4, mcycle
    lw a5, 0(a1)
"""


def run_cli(capsys, *args) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main([str(a) for a in args])
    out, err = capsys.readouterr()
    return done.value.code, out, err


@pytest.mark.slow
def test_rtl_json_is_exactly_the_iss_json(capsys, tmp_path):
    elf = tmp_path / "prog.elf"
    write_elf(assemble(PROGRAM), elf)
    code, rtl_out, err = run_cli(capsys, "rtl", elf, "--json")
    assert (code, err) == (0, "")
    code, iss_out, _ = run_cli(capsys, "iss", elf, "--json")
    assert code == 0
    assert rtl_out == iss_out
    assert json.loads(rtl_out)["cause"] == "load_address_misaligned"


def test_rtl_bad_arguments_exit_2(capsys, tmp_path):
    code, out, err = run_cli(capsys, "rtl", tmp_path / "missing.elf")
    assert code == 2 and err.startswith("snnsoc: error:") and "missing.elf" in err
    elf = tmp_path / "prog.elf"
    write_elf(assemble("ecall"), elf)
    code, _, err = run_cli(capsys, "rtl", elf, "--trace", tmp_path / "wave.vcd")
    assert code == 2 and "FST" in err
    code, _, err = run_cli(capsys, "rtl", elf, "--max-cycles", 0)
    assert code == 2 and "max_cycles" in err


# One MM2S transfer, waited for: under stalls the same state, later.
DMA_WAIT = """
    li t0, 4096
    csrw dma_mm2s_count, t0
    csrwi dma_mm2s_control, 1
1:  csrr t1, dma_mm2s_status
    andi t1, t1, 2
    beqz t1, 1b
    vloadv v1, 0(zero)
    ecall
    .section .ddr
    .half 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25
    .zero 4000
"""


def test_rtl_ddr_stalls_change_only_time(capsys, tmp_path):
    elf = tmp_path / "dma.elf"
    write_elf(assemble(DMA_WAIT), elf)
    runs = [run_cli(capsys, "rtl", elf, "--json", *extra) for extra in ((), ("--ddr-stalls", 3))]
    (plain_code, plain, _), (stalled_code, stalled, _) = runs
    assert plain_code == stalled_code == 0
    plain, stalled = json.loads(plain), json.loads(stalled)
    assert stalled["cycles"] > plain["cycles"]
    for key in ("exit", "x", "v", "csrs", "memory_sha256"):
        assert plain[key] == stalled[key], key
    code, _, err = run_cli(capsys, "rtl", elf, "--ddr-stalls", -1)
    assert code == 2 and "stall_seed" in err


@pytest.mark.slow
def test_trace_writes_an_fst_waveform(tmp_path):
    wave = tmp_path / "run.fst"
    state = rtl.run(assemble("addi x1, x0, 1\necall", config=CONFIG), 100, CONFIG, trace=wave)
    assert state.exit == "ecall"
    header = wave.read_bytes()[:1]
    assert wave.stat().st_size > 100 and header == b"\x00"  # FST block type 0: the header


def test_difftest_summary_line(capsys, tmp_path):
    cov = tmp_path.parent / f"{tmp_path.name}_coverage.json"
    code, out, _ = run_cli(
        capsys,
        "difftest",
        "--seed",
        5,
        "--programs",
        3,
        "--length",
        80,
        "--out",
        tmp_path,
        "--coverage",
        cov,
    )
    assert code == 0, out
    summary = (
        r"difftest \(lock-step and end state\): .*, ([1-9]\d*) instructions generated; "
        r"3 programs, ([1-9]\d*) instructions, 0 mismatches"
    )
    match = re.fullmatch(summary, out.strip())
    assert match and sum(json.loads(cov.read_text()).values()) == int(match[2])
    assert not list(tmp_path.iterdir())
    code, out, _ = run_cli(
        capsys,
        "difftest",
        "--seed",
        5,
        "--programs",
        1,
        "--length",
        80,
        "--end-state-only",
        "--out",
        tmp_path,
    )
    assert code == 0 and out.startswith("difftest (end state): "), out


def test_mismatch_is_saved_and_replays(tmp_path, monkeypatch):
    """A deliberately wrong reference: the case is saved, the run fails, replay reruns it."""
    real_run = runner.iss_sim.run_traced

    def wrong_iss(image, max_cycles, config, **ddr):
        state, trace = real_run(image, max_cycles, config, **ddr)
        state.x[5] ^= 1
        return state, trace

    monkeypatch.setattr(runner.iss_sim, "run_traced", wrong_iss)
    result = difftest.run(seed=7, programs=2, length=60, out_dir=tmp_path)
    assert result.mismatches == 2 and result.line().endswith("2 mismatches")
    case = json.loads((tmp_path / "seed7_p0.json").read_text())
    assert case["seed"] == 7 and case["index"] == 0 and "x5" in case["differences (iss != rtl)"][0]
    assert (tmp_path / "seed7_p0.s").read_text() == difftest.generate(7, 0, 60, CONFIG).source
    monkeypatch.undo()
    iss_state, rtl_state, diffs = difftest.replay(tmp_path / "seed7_p0.json")
    assert diffs == [] and iss_state.instret == rtl_state.instret > 0


def test_workers_merge_to_the_serial_result(tmp_path):
    """Two Ray workers (a block of programs each) give the serial run's summary, coverage and
    exits included."""
    serial = difftest.run(seed=5, programs=5, length=120, out_dir=tmp_path)
    sharded = difftest.run(seed=5, programs=5, length=120, out_dir=tmp_path, workers=2)
    assert sharded == serial and serial.programs == 5 and serial.coverage


def test_merged_blocks_save_the_serial_cases(tmp_path, monkeypatch):
    """Blocks merged in order save the same mismatching cases as one block (in-process)."""
    real_run = runner.iss_sim.run_traced

    def wrong_iss(image, max_cycles, config, **ddr):
        state, trace = real_run(image, max_cycles, config, **ddr)
        state.x[5] ^= 1
        return state, trace

    monkeypatch.setattr(runner.iss_sim, "run_traced", wrong_iss)
    blocks = [runner._run_block(7, a, b, 60, CONFIG, runner.Mode()) for a, b in ((0, 2), (2, 3))]
    monkeypatch.setattr(runner, "_run_ray", lambda *args: blocks)
    sharded = difftest.run(seed=7, programs=3, length=60, out_dir=tmp_path / "a", workers=2)
    serial = difftest.run(seed=7, programs=3, length=60, out_dir=tmp_path / "b")
    assert sharded.mismatches == serial.mismatches == 3
    assert [p.replace("/a/", "/b/") for p in sharded.saved] == serial.saved
    for path in (tmp_path / "b").iterdir():
        assert (tmp_path / "a" / path.name).read_bytes() == path.read_bytes(), path.name


def test_difftest_bad_workers_exit_2(capsys):
    code, _, err = run_cli(capsys, "difftest", "--programs", 1, "--workers", 0)
    assert code == 2 and err.startswith("snnsoc: error: workers: expected an integer >= 1, got 0")
