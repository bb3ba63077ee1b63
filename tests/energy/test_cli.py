"""`snnsoc energy` (riscv_soc/cli/energy.py): results files and machine-state JSON in, tables."""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pytest

from riscv_soc import iss
from riscv_soc.cli import main
from riscv_soc.core.result import RunResult, save_result
from riscv_soc.energy import BOARD, CORE, compare, energy
from riscv_soc.isa.asm import assemble

ACTIVITY = {
    "cycles": np.array([3000, 5000]),
    "instret": np.array([2500, 4000]),
    "vec_alu_ops": np.array([300, 500]),
    "vec_mem_ops": np.array([200, 400]),
    "lane_local_ops": np.array([0, 10]),
    "scalar_mem_ops": np.array([40, 60]),
    "dma_bytes": np.array([0, 640]),
    "stall_cycles": np.array([500, 1000]),
    "input_spikes": np.array([9, 12]),
    "spikes": np.array([4, 6]),
    "synops": np.array([900, 1200]),
    "row_words": np.array([9, 12]),
    "neuron_updates": np.array([200, 200]),
}


def run_cli(capsys, *args) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main([str(a) for a in args])
    out, err = capsys.readouterr()
    return done.value.code, out, err


def results(tmp_path, activity: dict) -> str:
    path = tmp_path / "run.npz"
    result = RunResult(np.zeros((2, 3), np.int32), {}, {}, activity)
    save_result(result, path)
    return path


def test_results_file(capsys, tmp_path):
    code, out, err = run_cli(capsys, "energy", results(tmp_path, ACTIVITY), "--ann-macs", 1000)
    assert (code, err) == (0, "")
    assert out.startswith("board: 2 inference(s) at 164 MHz, 24.4 us each\n")
    assert "\ncore: 2 inference(s) at 175 MHz, 22.9 us each\n" in out
    assert "\nop count, ANN teacher          4.6 nJ          -         -  1 MAC" in out


def test_json_matches_the_api(capsys, tmp_path):
    code, out, _ = run_cli(
        capsys, "energy", results(tmp_path, ACTIVITY), "--json", "--clock-mhz", 100
    )
    assert code == 0
    data = json.loads(out)
    assert data["models"] == [energy(ACTIVITY, m, 100e6).mean() for m in (BOARD, CORE)]
    assert data["estimates"] == compare(ACTIVITY, clock_hz=100e6)


def test_core_run_has_op_counts_only(capsys, tmp_path):
    spikes_only = {k: ACTIVITY[k] for k in ("synops", "neuron_updates", "spikes")}
    path = results(tmp_path, spikes_only)
    code, out, _ = run_cli(capsys, "energy", path)
    assert code == 0
    assert (
        out.splitlines()[0]
        == "no ISS/RTL counters in this run (a core run?): op-count estimates only"
    )
    assert out.splitlines()[2].startswith("op count, SNN student")
    code, _, err = run_cli(capsys, "energy", path, "--model", "board")
    assert code == 2
    assert (
        err
        == f"snnsoc: error: {path}: no ISS/RTL counters (a core run?); --model board needs them\n"
    )


def test_machine_state_json(capsys, tmp_path):
    state = iss.run(assemble(textwrap.dedent("vlui v1, 3\nvadd v2, v1, v1\necall\n")), 100)
    path = tmp_path / "state.json"
    path.write_text(json.dumps(state.to_json()))
    code, out, _ = run_cli(capsys, "energy", path, "--model", "core", "--json")
    assert code == 0
    assert json.loads(out)["models"] == [energy(state, CORE).mean()]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.npz"], "missing.npz: no such file"),
        (["{json}", "--model", "wall"], "--model 'wall'; expected one of ['board', 'core', 'all']"),
        (["{json}"], "not a machine-state JSON of snnsoc iss/rtl --json"),
        (["{json}", "--clock-mhz", "0"], "--clock-mhz 0: must be > 0"),
    ],
)
def test_bad_input_is_one_line(capsys, tmp_path, args, message):
    bad = tmp_path / "bad.json"
    bad.write_text('{"exit": "ecall"}')
    args = [bad if a == "{json}" else a for a in args]
    code, out, err = run_cli(capsys, "energy", *args)
    assert code == 2 and out == ""
    assert err.startswith("snnsoc: error: ") and message in err and err.count("\n") == 1
