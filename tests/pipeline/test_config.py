"""riscv_soc/runfolder/config.py: the embedded default, --quick, files, and one-line errors."""

from __future__ import annotations

import json

import pytest
import tomllib

from riscv_soc.cli import main
from riscv_soc.errors import ConfigError
from riscv_soc.pipeline import QUICK, SCHEMA, default_config, load_config, to_toml
from riscv_soc.runfolder.config import DataConfig, EnergyConfig, PipelineConfig, merge
from snnsoc_common.records import to_json


def test_default_is_the_study_best_setting():
    config = load_config()
    assert config["data"] == {"dataset": "colour_digits", "rho": 0.95, "seed": 0, "options": {}}
    assert config["teacher"]["method"] == "poe"
    assert config["student"]["remedy"] == "convert+augment"
    assert config["student"]["arch"]["neuron"] == "lif"
    assert set(config) == set(SCHEMA)


def test_quick_overrides_only_its_keys():
    quick, default = load_config(quick=True), load_config()
    assert quick["student"]["arch"] == QUICK["student"]["arch"]
    assert quick["rtl"]["per_group"] == 1
    assert quick["teacher"]["method"] == default["teacher"]["method"]
    assert quick["data"] == default["data"]


def test_merge_replaces_tables_whole():
    merged = merge(default_config(), {"teacher": {"options": {"hidden": [32]}}})
    assert merged["teacher"]["options"] == {"hidden": [32]}
    assert merged["teacher"]["method"] == "poe"


@pytest.mark.parametrize("quick", [False, True])
def test_printed_config_reads_back(tmp_path, quick):
    config = load_config(quick=quick)
    text = to_toml(config)
    assert tomllib.loads(text) == config
    path = tmp_path / "printed.toml"
    path.write_text(text)
    assert load_config(path) == config


def test_json_file_overrides_the_default(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"data": {"rho": 0.9}, "rtl": {"per_group": 3}}))
    config = load_config(path)
    assert (config["data"]["rho"], config["rtl"]["per_group"]) == (0.9, 3)
    assert config["teacher"] == load_config()["teacher"]


def _error(tmp_path, text: str, suffix: str = ".toml") -> str:
    path = tmp_path / f"bad{suffix}"
    path.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    message = str(err.value)
    assert "\n" not in message
    assert str(path) in message
    return message


def test_unknown_key_names_the_key_and_the_valid_keys(tmp_path):
    message = _error(tmp_path, "[teacher]\nmethd = 'poe'\n")
    assert "unknown key 'teacher.methd'" in message
    assert "valid keys of [teacher]: " + ", ".join(SCHEMA["teacher"]) in message


def test_unknown_section(tmp_path):
    message = _error(tmp_path, "[teachr]\nmethod = 'poe'\n")
    assert "unknown section [teachr]" in message and "teacher" in message


def test_unknown_arch_and_teacher_option_keys(tmp_path):
    message = _error(tmp_path, "[student]\narch = {hidden = [8], stepz = 4}\n")
    assert "student.arch" in message and "stepz" in message and "num_steps" in message
    message = _error(tmp_path, "[teacher]\noptions = {hidden = [8], width = 3}\n")
    assert "teacher.options.width" in message and "activation, levels" in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[data]\nrho = 1.5", "data.rho=1.5 must lie in the open interval (0, 1)"),
        ("[data]\nrho = 0", "data.rho=0 must lie in the open interval (0, 1)"),
        (
            "[student]\narch = {hidden = [8], num_steps = -3}",
            "student.arch: arch: num_steps=-3 must be an integer in [1, 4096]",
        ),
        ("[teacher]\nepochs = -1", "teacher.epochs=-1 must be an integer >= 1"),
        ("[teacher]\nmethod = 'magic'", "teacher.method='magic' is not known; valid: "),
        (
            "[student]\nremedy = 'convert+magic'",
            "student.remedy='convert+magic' is not known; valid: none, augment",
        ),
        ("[student]\nkd = 'loud'", "student.kd='loud' is not known; valid: "),
        ("[rtl]\nper_group = -1", "rtl.per_group=-1 must be an integer >= 0"),
        ("[energy]\nclock_mhz = 0", "energy.clock_mhz=0 must be > 0"),
        ("[firmware]\nddr_mib = 3", "firmware.ddr_mib=3 must be a power of two"),
        (
            "[quant]\nweight_bits = 40",
            'quant.weight_bits=40 must be "auto" or an integer in [2, 16]',
        ),
        ("[data]\noptions = {tint = 1}", "data.options: dataset 'colour_digits': unknown option"),
        ("[data]\nseed = true", "data.seed=True must be an integer >= 0"),
    ],
)
def test_impossible_values_name_the_key_and_the_limit(tmp_path, text, expected):
    assert expected in _error(tmp_path, text + "\n")


def test_unreadable_files(tmp_path):
    assert "not valid toml" in _error(tmp_path, "[data\n")
    assert "not valid json" in _error(tmp_path, "{", ".json")
    assert "use .toml or .json" in _error(tmp_path, "x", ".yaml")
    with pytest.raises(ConfigError, match="cannot read it"):
        load_config(tmp_path / "missing.toml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[data]\nrho = 2.0\n", "data.rho=2.0 must lie in the open interval (0, 1)"),
        (
            "[teacher]\nmethd = 'poe'\n",
            "unknown key 'teacher.methd'; valid keys of [teacher]: method, kind, options, epochs",
        ),
    ],
)
def test_cli_bad_config_is_one_line_and_exit_2(tmp_path, capsys, text, expected):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(SystemExit) as done:
        main(["pipeline", "--config", str(path), "--out", str(tmp_path / "run")])
    out, err = capsys.readouterr()
    assert done.value.code == 2
    assert out == "" and err.count("\n") == 1
    assert err.startswith(f"snnsoc: error: config {path}: ")
    assert expected in err
    assert not (tmp_path / "run").exists()


def test_cli_print_config(capsys):
    with pytest.raises(SystemExit) as done:
        main(["pipeline", "--quick", "--print-config"])
    out, _ = capsys.readouterr()
    assert done.value.code == 0
    assert tomllib.loads(out) == load_config(quick=True)


def test_typed_sections_check_themselves_and_round_trip():
    config = load_config(quick=True)
    typed = PipelineConfig.of(config)
    assert typed.rtl.per_group == 1 and typed.student.arch == config["student"]["arch"]
    assert to_json(typed) == config  # the JSON form (DIR/config.json) is unchanged
    with pytest.raises(ConfigError, match=r"data\.rho=2 must lie in the open interval \(0, 1\)"):
        DataConfig(rho=2)
    assert EnergyConfig(clock_mhz=100).clock_mhz == 100.0  # normalised by its check
