"""`snnsoc coverage` (riscv_soc/coverage): Verilator's data read and merged, waivers checked, the
ISA bins derived from the table and counted from traces, and the quick mode end to end."""

from __future__ import annotations

import json

import pytest

from riscv_soc import iss
from riscv_soc.cli import main
from riscv_soc.coverage import WAIVERS, codecov, functional, report, waivers
from riscv_soc.difftest import CONFIG
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
