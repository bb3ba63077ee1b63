"""`snnsoc iss` (riscv_soc/cli/iss.py): JSON and summary output, bad input in one line."""

from __future__ import annotations

import json

import pytest

from riscv_soc import iss
from riscv_soc.cli import main
from riscv_soc.image.elf import read_elf, write_elf


def run_cli(capsys, *args) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main([str(a) for a in args])
    out, err = capsys.readouterr()
    return done.value.code, out, err


@pytest.fixture
def elf(build, tmp_path):
    path = tmp_path / "prog.elf"
    write_elf(build("li a0, -5\nli a1, 7\nlw a2, 0(a1)\necall"), path)
    return path


def test_json_is_the_machine_state(capsys, elf):
    code, out, err = run_cli(capsys, "iss", elf, "--json")
    assert (code, err) == (0, "")
    assert json.loads(out) == iss.run(read_elf(elf)).to_json()
    assert json.loads(out)["cause"] == "load_address_misaligned"


def test_summary(capsys, elf):
    code, out, _ = run_cli(capsys, "iss", elf)
    assert code == 0
    assert out.splitlines() == [
        "exit: trap load_address_misaligned (tval 0x7) at pc 0x00000008: lw a2, 0(a1)",
        "cycles: 3  instret: 2",
        "    a0 (x10) = 0xfffffffb  -5",
        "    a1 (x11) = 0x00000007  7",
    ]


def test_cycle_limit(capsys, elf):
    code, out, _ = run_cli(capsys, "iss", elf, "--max-cycles", "1")
    assert code == 0
    assert out.splitlines()[0] == "exit: limit at pc 0x00000004: li a1, 7"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--max-cycles", "0"), "max_cycles: must be in 1..2**62, got 0"),
        ((), "cannot read image"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, elf, tmp_path, args, message):
    image = elf if args else tmp_path / "missing.elf"
    code, out, err = run_cli(capsys, "iss", image, *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("snnsoc: error: ") and message in err
