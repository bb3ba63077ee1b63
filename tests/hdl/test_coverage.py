"""`snnsoc coverage` (riscv_soc/coverage): Verilator's data read and merged, waivers checked, the
ISA bins derived from the table and counted from traces, the directed programs and DDR modes of
the collection, and the quick mode end to end."""

from __future__ import annotations

import json

import pytest

from riscv_soc import iss
from riscv_soc.cli import main
from riscv_soc.coverage import WAIVERS, codecov, directed, functional, report, waivers
from riscv_soc.coverage.collect import QUICK, Plan, directed_programs
from riscv_soc.ddr import PLAIN
from riscv_soc.difftest import CONFIG, conditions, generate
from riscv_soc.errors import ConfigError
from riscv_soc.isa.asm import assemble
from riscv_soc.isa.table import INSTRS

FIELDS = (
    ("f", "{file}"),
    ("l", "{line}"),
    ("n", "3"),
    ("t", "{t}"),
    ("page", "v_{t}/{mod}"),
    ("o", "{o}"),
    ("h", "{h}"),
)
KEY = "".join(f"\x01{name}\x02{value}" for name, value in FIELDS)


def _dat(tmp_path, name, points):
    body = "".join(f"C '{KEY.format(**p)}' {n}\n" for p, n in points)
    path = tmp_path / name
    path.write_text(f"{codecov.HEADER}\n{body}")
    return path


def test_merge_sums_runs_and_folds_instances(tmp_path):
    src = tmp_path / "m.sv"
    src.write_text("module m;\n  if (a) b = 1;\nendmodule\n")
    base = {"file": src, "line": 2, "t": "branch", "o": "if"}
    a = _dat(tmp_path, "a.dat", [({**base, "mod": "m__pi1", "h": "top.u0"}, 0)])
    other = {**base, "mod": "m__pi2", "h": "top.u1"}
    b = _dat(tmp_path, "b.dat", [(other, 3), ({**base, "o": "else", "mod": "m", "h": "top.u0"}, 0)])
    points = codecov.module_points(codecov.merge([a, b]))
    assert {(p.module, p.comment): n for p, n in points.items()} == {
        ("m", "if"): 3,
        ("m", "else"): 0,
    }
    tally = codecov.summarize(points, set())["m"]["branch"]
    assert (tally.hit, tally.total, tally.percent) == (1, 2, 50.0)
    annotated = report.annotate(src.read_text().splitlines(), points, set())
    assert "%000000   if (a) b = 1;" in annotated and "branch missed: else" in annotated


def test_bad_data_and_waivers_are_named(tmp_path):
    bad = tmp_path / "bad.dat"
    bad.write_text("not coverage\n")
    with pytest.raises(ConfigError, match="bad.dat: not a Verilator coverage file"):
        codecov.read(bad)
    rules = tmp_path / "w.json"
    rules.write_text(json.dumps({"code": [{"module": "m", "kind": "toggle", "signal": "a("}]}))
    with pytest.raises(ConfigError, match=r"code\[0\]\.signal: not a regular expression"):
        waivers.load(rules)
    rules.write_text(json.dumps({"code": [{"module": "m", "kind": "line", "source": "x"}]}))
    with pytest.raises(ConfigError, match=r"code\[0\]\.reason: expected a non-empty string"):
        waivers.load(rules)


def test_cli_names_a_bad_waiver_file_before_simulating(capsys, tmp_path):
    with pytest.raises(SystemExit) as done:
        main(["coverage", "--out", str(tmp_path), "--waivers", str(tmp_path / "none.json")])
    err = capsys.readouterr().err
    assert done.value.code == 2 and "none.json: cannot read the coverage waivers" in err
    assert len(err.strip().splitlines()) == 1 and not (tmp_path / "data").exists()


def test_the_waiver_file_gives_every_entry_a_reason():
    rules = waivers.load(WAIVERS)
    assert rules.code and all(w.reason.strip() for w in (*rules.code, *rules.functional))


def test_bins_come_from_the_table():
    bins = set(functional.define())
    assert {f"instr/{i.name}" for i in INSTRS} <= bins
    assert "instr/vmul_s_rs/vshift=max" in bins and "instr/vlui/imm16=min" in bins
    assert "trap/load_address_misaligned/lane_local" in bins
    assert "trap/load_address_misaligned/scalar_mem" in bins  # lh, lw
    assert "trap/vector_load_use/rng" in bins and "hazard/vloadr0/gap1" in bins
    assert "dma/s2mm/err_decode" in bins and "lanes/vstorel/crossing" in bins
    assert "instr/lb/imm12=min" not in bins  # a memory offset is an address, not a value


def test_sampler_counts_what_retires():
    source = """
        li x5, -32768
        vfill v1, x5
        vadd v2, v1, v1
        addi x0, x5, 0
        add x6, x6, x5
        vloadv v3, 0(x0)
        nop
        vadd v4, v3, v3
        vloadr0 0(x0)
        vrng v5
    """
    image = assemble(source, "t", CONFIG)
    state, trace = iss.run_traced(image, 1000, CONFIG)
    sampler = functional.Sampler()
    sampler.add(trace, state, image.memory_arrays(CONFIG)["imem"].view("<u4"))
    hits = sampler.hits
    assert hits["instr/vadd/vs1~min"] and hits["instr/addi/xd=x0"] and hits["instr/add/src=dst"]
    assert hits["hazard/vloadv/gap1"] == 1 and hits["trap/vector_load_use/rng"] == 1
    assert hits["hazard/vloadr0/trap"] == 1 and not hits["instr/vrng"]  # it trapped


def _sample(names):
    """The bins the ISS's runs of the directed programs `names` reach, each on its DDR."""
    sampler = functional.Sampler()
    for name in names:
        image = assemble(directed.all_programs()[name], name, CONFIG)
        state, trace = iss.run_traced(image, 200_000, CONFIG, ddr=directed.ddr_model(name))
        sampler.add(trace, state, image.memory_arrays(CONFIG)["imem"].view("<u4"))
    return sampler.hits


def test_directed_fetch_faults_reach_their_bins():
    hits = _sample(["trap_fetch_branch_below_zero", "trap_fetch_fall_off_the_end"])
    assert hits["trap/instruction_access_fault/branch"] == 1
    assert hits["trap/instruction_access_fault/next_pc"] == 1
    assert not hits["trap/instruction_access_fault/jump"]


def test_directed_ddr_errors_reach_the_error_status_bins():
    assert directed.ddr_model("dma_mm2s_basic") == PLAIN
    hits = _sample(["dma_ddr_slverr", "dma_ddr_decerr"])
    for channel in ("mm2s", "s2mm"):
        assert hits[f"dma/{channel}/err_slave"] and hits[f"dma/{channel}/err_decode"]
        assert not hits[f"dma/{channel}/ok"]  # every transfer met an error range


def test_the_plan_names_the_directed_programs_and_ddr_modes():
    assert set(QUICK.ddr) == {"plain", "stalls", "errors"}
    assert list(directed_programs(("dma_ddr_slverr",))) == ["dma_ddr_slverr"]
    with pytest.raises(ConfigError, match="unknown programs"):
        directed_programs(("no_such_program",))
    with pytest.raises(ConfigError, match="ddr: expected modes"):
        Plan(ddr=("stalling",))


def test_a_program_gets_the_difftest_s_ddr_in_each_mode():
    for index in range(12):
        image = generate(7, index, 40, CONFIG).image(CONFIG)
        for stalls, errors in ((True, False), (False, True), (True, True)):
            drawn = conditions.draw(7, index, image, CONFIG, 100_000, stalls, errors).ddr
            assert conditions.ddr_of(7, index, stalls, errors) == drawn
            assert drawn.stalls == stalls and bool(drawn.faults) == errors


@pytest.mark.rtl
def test_quick_mode_end_to_end(capsys, tmp_path):
    with pytest.raises(SystemExit) as done:
        main(["coverage", "--out", str(tmp_path), "--quick", "--programs", "2"])
    assert done.value.code in (0, None)
    out = capsys.readouterr().out
    assert "functional:" in out and "fenn_core" in out
    result = json.loads((tmp_path / "coverage.json").read_text())
    for name in (
        "fenn_core",
        "fenn_vpu",
        "fenn_vpu_lanes",
        "fenn_dma",
        "fenn_csr",
        "fenn_div",
        "fenn_ram_1p",
        "fenn_ram_2p",
    ):
        row = result["modules"][name]
        assert all(0 <= row[k] <= 100 for k in ("line", "branch", "toggle") if row[k] is not None)
    fn = result["functional"]
    assert fn["bins"] == len(functional.define()) and 0 < fn["hit"] <= fn["bins"]
    assert all(set(h) == {"bin", "reason"} for h in fn["holes"])
    # The directed divides ran: the divider's step line is counted in the annotated source.
    annotated = (tmp_path / "annotated" / "fenn_div.sv").read_text().splitlines()
    step = next(line for line in annotated if "count_q <= start_i ?" in line)
    assert step[0] == " " and int(step[1:7]) >= 32
    assert result["modules"]["fenn_div"]["line"] == 100.0
    assert (tmp_path / "coverage.html").read_text().count("<tr>") >= 8
