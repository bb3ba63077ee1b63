"""The pipeline's configuration: an embedded default, its `quick` variant, files and validation.

Where it sits: the first thing `snnsoc pipeline` reads, before any stage runs. A config is a dict
of sections (SCHEMA), each a dict of keys. The default is the study's best setting on coloured
digits at rho 0.95 (docs/findings.md: a PoE teacher, the convert+augment remedy, a LIF student),
with the `paper` preset's model sizes and training lengths. A user file (TOML or JSON) overrides
any subset of it; `--quick` applies QUICK first (smaller models, one RTL sample per group).

Every key is checked before anything runs: an unknown section or key, or a value outside its
limit, raises ConfigError naming the file, the key (`section.key`) and the limit.
"""

from __future__ import annotations

import copy
import inspect
import json
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from riscv_soc.errors import ConfigError

EMBEDDED = "the embedded default"


class _Bad(Exception):
    """A value outside its limit; the message states the limit."""


@dataclass(frozen=True)
class Key:
    default: object
    check: Callable[[object], object]  # returns the (normalised) value or raises _Bad
    doc: str


_BATCH = "samples per run of the SoC; 0: as many as its DDR holds"
_ADDRESS = 'Ray cluster for the workers ("local", "auto", host:port); empty: forked processes'

# -- value checks --------------------------------------------------------------------------------


def _integer(low: int, high: int | None = None) -> Callable:
    limit = f"an integer >= {low}" if high is None else f"an integer in [{low}, {high}]"

    def check(value):
        ok = isinstance(value, int) and not isinstance(value, bool)
        if not ok or value < low or (high is not None and value > high):
            raise _Bad(f"must be {limit}")
        return value

    return check


def _number(low: float, *, open_low: bool = False, high: float | None = None) -> Callable:
    above = f"> {low:g}" if open_low else f">= {low:g}"
    limit = above if high is None else f"{above} and <= {high:g}"

    def check(value):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _Bad(f"must be a number {limit}")
        value = float(value)
        low_ok = value > low if open_low else value >= low
        if not (math.isfinite(value) and low_ok and (high is None or value <= high)):
            raise _Bad(f"must be {limit}")
        return value

    return check


def _open_unit(value):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
        raise _Bad("must lie in the open interval (0, 1)")
    return float(value)


def _choice(choices: Callable[[], object]) -> Callable:
    """`choices` is called when checking, so the names come from the modules that own them."""

    def check(value):
        valid = sorted(choices())
        if value not in valid:
            raise _Bad(f"is not known; valid: {', '.join(map(str, valid))}")
        return value

    return check


def _flag(value):
    if not isinstance(value, bool):
        raise _Bad("must be true or false")
    return value


def _text(value):
    if not isinstance(value, str):
        raise _Bad("must be a string")
    return value


def _sizes(value):
    if not isinstance(value, list) or not value:
        raise _Bad("must be a non-empty list of layer sizes")
    for size in value:
        _integer(1)(size)
    return value


def _table(value):
    if not isinstance(value, dict):
        raise _Bad("must be a table of keys")
    return value


def _auto_or(check: Callable) -> Callable:
    def either(value):
        if value == "auto":
            return value
        try:
            return check(value)
        except _Bad as err:
            raise _Bad(f'must be "auto" or {str(err).removeprefix("must be ")}') from None

    return either


def _power_of_two(value):
    _integer(1)(value)
    if value & (value - 1):
        raise _Bad("must be a power of two (the RTL addresses memories by bit slices)")
    return value


def _remedy(value):
    from snn.distill.recipes import parse_remedy
    from snn.errors import SnnError

    if not isinstance(value, str):
        raise _Bad('must be a string such as "convert+augment" or "none"')
    try:
        parse_remedy(value)
    except SnnError as err:  # its message: "remedy=... is not known; valid: ..."
        raise _Bad("is not known; " + str(err).split("; ", 1)[-1]) from None
    return value


# Names owned by other modules, looked up when a config is checked.
def _datasets():
    from snn.data import DATASETS

    return DATASETS


def _methods():
    from snn.debias.methods import METHODS

    return METHODS


def _bias_models():
    from snn.debias.bias_models import BIAS_MODELS

    return BIAS_MODELS


def _teachers():
    from snn.models.teachers import TEACHERS

    return TEACHERS


def _kd_variants():
    from snn.distill.kd import KD_VARIANTS

    return KD_VARIANTS


def _roundings():
    from riscv_soc.quant.bundle import ROUNDINGS

    return ROUNDINGS


def _accumulators():
    from riscv_soc.compiler.placement import ACCUMULATORS

    return ACCUMULATORS


def _weight_places():
    from riscv_soc.compiler.placement import WEIGHTS

    return WEIGHTS


# -- the schema and its defaults -----------------------------------------------------------------

SCHEMA: dict[str, dict[str, Key]] = {
    "data": {
        "dataset": Key("colour_digits", _choice(_datasets), "biased dataset (snn.data)"),
        "rho": Key(0.95, _open_unit, "bias-aligned fraction of the training set"),
        "seed": Key(0, _integer(0), "data split, training and input-spike seed"),
        "options": Key({}, _table, "dataset options (docs/training.md), rho excepted"),
    },
    "teacher": {
        "method": Key("poe", _choice(_methods), "debiasing method of the ANN teacher"),
        "kind": Key("mlp", _choice(_teachers), "teacher architecture"),
        "options": Key(
            {"hidden": [128], "activation": "qcfs", "levels": 16},
            _table,
            "architecture options of the teacher kind",
        ),
        "epochs": Key(30, _integer(1), "training epochs"),
    },
    "student": {
        "arch": Key(
            {"hidden": [128], "num_steps": 16, "neuron": "lif", "weight_bits": 16},
            _table,
            "student arch (docs/architecture.md); inputs and outputs come from the data",
        ),
        "kd": Key("rate", _choice(_kd_variants), "KD variant"),
        "remedy": Key("convert+augment", _remedy, "remedy, parts joined by '+', or none"),
        "augment_fraction": Key(1.0, _number(0.0), "counterfactuals per training example"),
        "epochs": Key(20, _integer(1), "training epochs (also of the C1/C2 baselines)"),
    },
    "train": {
        "batch_size": Key(128, _integer(1), "minibatch size of every model"),
        "lr": Key(3e-3, _number(0.0, open_low=True), "Adam learning rate of every model"),
        "bias_model": Key("known", _choice(_bias_models), "bias-only model of the method"),
    },
    "quant": {
        "weight_bits": Key("auto", _auto_or(_integer(2, 16)), "auto: the student's fake-quant"),
        "percentile": Key(
            "auto",
            _auto_or(_number(0.0, open_low=True, high=100.0)),
            "|w| percentile of the scale; auto: the student's",
        ),
        "rounding": Key("rn", _choice(_roundings), "decay rounding: floor, rn or sr"),
        "layout": Key("auto", _choice(lambda: ("auto", "dense", "sparse")), "synapse layout"),
        "calibrate": Key(
            0,
            _integer(0),
            "training samples whose float run chooses the formats (docs/semantics.md 11); 0: off",
        ),
    },
    "run": {
        "seed": Key(0, _integer(0), "run seed of the core, ISS and RTL (RNG seeds per sample)"),
    },
    "firmware": {
        # 1 MiB: the configuration the RTL tests build (riscv_soc.difftest.CONFIG), so the
        # pipeline shares their cached Verilator build and batches many samples per simulator.
        "ddr_mib": Key(1, _power_of_two, "DDR size of the SoC in MiB (other memories: default)"),
        "weights": Key("auto", _choice(_weight_places), "weight rows in vmem, ddr or auto"),
        "accumulators": Key("auto", _choice(_accumulators), "synaptic accumulators"),
    },
    "iss": {
        "workers": Key(2, _integer(1, 256), "processes for the ISS run of the test set"),
        # one per run: batches save the ISS nothing (benchmarks/runtime_throughput.py)
        "batch": Key(1, _integer(0), _BATCH),
        "address": Key("", _text, _ADDRESS),
    },
    "rtl": {
        "per_group": Key(
            0, _integer(0), "RTL samples per (class, attribute) group; 0: the whole test split"
        ),
        "batch": Key(0, _integer(0), _BATCH),
        "workers": Key(2, _integer(1, 256), "simulator processes (or Ray tasks) of the RTL run"),
        "address": Key("", _text, _ADDRESS),
    },
    "energy": {
        "clock_mhz": Key(175.0, _number(0.0, open_low=True), "SoC clock (FeNN-DMA: 175 MHz)"),
    },
    "calibration": {
        "samples": Key(8, _integer(0), "SHD-shape samples on the ISS (0: skip the check)"),
        "seed": Key(0, _integer(0), "seed of the synthetic spike trains"),
    },
}

# --quick: a smaller teacher and student, one RTL sample per group, one calibration sample.
QUICK: dict[str, dict] = {
    "teacher": {"options": {"hidden": [64], "activation": "qcfs", "levels": 8}, "epochs": 15},
    "student": {
        "arch": {"hidden": [64], "num_steps": 8, "neuron": "lif", "weight_bits": 16},
        "epochs": 8,
    },
    "rtl": {"per_group": 1},
    "calibration": {"samples": 1},
}


def default_config() -> dict:
    return {s: {k: copy.deepcopy(key.default) for k, key in keys.items()} for s, keys in
            SCHEMA.items()}  # fmt: skip


def merge(base: dict, override: dict) -> dict:
    """`base` with the keys of `override`'s sections replaced. A value replaces the default whole,
    tables too (data.options, teacher.options, student.arch), so a file states a table in full."""
    out = copy.deepcopy(base)
    for section, keys in override.items():
        if isinstance(keys, dict) and isinstance(out.get(section), dict):
            out[section].update(copy.deepcopy(keys))
        else:
            out[section] = copy.deepcopy(keys)
    return out


def select(config: dict, path: str):
    """The value at a dotted path: a section ("teacher") or a key ("student.arch")."""
    value = config
    for part in path.split("."):
        value = value[part]
    return value


def load_config(path: str | os.PathLike | None = None, quick: bool = False) -> dict:
    """The checked config: the default, QUICK when `quick`, then the file at `path` if given."""
    config = default_config()
    if quick:
        config = merge(config, QUICK)
    source = EMBEDDED + (" (quick)" if quick else "")
    if path is not None:
        config = merge(config, read_file(path))
        source = str(path)
    return check_config(config, source)


def read_file(path: str | os.PathLike) -> dict:
    """A config file's contents: `.toml` or `.json`, a table of sections."""
    path = Path(path)
    try:
        text = path.read_text()
    except OSError as err:
        raise ConfigError(f"config {path}: cannot read it ({err.strerror})") from None
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(text)
        elif path.suffix.lower() == ".toml":
            try:
                import tomllib
            except ImportError:  # Python 3.10
                raise ConfigError(f"config {path}: TOML needs Python >= 3.11; use .json") from None
            data = tomllib.loads(text)
        else:
            raise ConfigError(f"config {path}: unknown file type {path.suffix!r}; use .toml or "
                              ".json")  # fmt: skip
    except (ValueError, UnicodeDecodeError) as err:  # JSONDecodeError, TOMLDecodeError
        raise ConfigError(f"config {path}: not valid {path.suffix[1:]}: {err}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"config {path}: expected a table of sections, got {type(data).__name__}")
    return data


def check_config(config: dict, source: str = EMBEDDED) -> dict:
    """A checked copy of `config`; ConfigError names `source`, the key and the limit."""
    out = {}
    for section, keys in config.items():
        if section not in SCHEMA:
            raise ConfigError(f"config {source}: unknown section [{section}]; valid sections: "
                              f"{', '.join(SCHEMA)}")  # fmt: skip
        if not isinstance(keys, dict):
            raise ConfigError(f"config {source}: [{section}] must be a table of keys")
        out[section] = {}
        for name, value in keys.items():
            if name not in SCHEMA[section]:
                raise ConfigError(f"config {source}: unknown key '{section}.{name}'; valid keys "
                                  f"of [{section}]: {', '.join(SCHEMA[section])}")  # fmt: skip
            try:
                out[section][name] = SCHEMA[section][name].check(value)
            except _Bad as err:
                raise ConfigError(f"config {source}: {section}.{name}={value!r} {err}") from None
    missing = [f"{s}.{k}" for s, keys in SCHEMA.items() for k in keys if k not in out.get(s, {})]
    if missing:
        raise ConfigError(f"config {source}: missing key(s) {', '.join(missing)}")
    _check_tables(out, source)
    return out


def _check_tables(config: dict, source: str) -> None:
    """The free tables (dataset options, teacher options, student arch), by their owners' rules."""
    from snn.data import resolve_options
    from snn.errors import SnnError
    from snn.models.student import validate_arch

    data, teacher = config["data"], config["teacher"]
    if "rho" in data["options"]:
        raise ConfigError(f"config {source}: data.options.rho: set data.rho instead")
    try:
        where = "data.options"
        resolve_options(data["dataset"], {**data["options"], "rho": data["rho"]})
        where = "student.arch"
        validate_arch({**config["student"]["arch"], "inputs": 1, "outputs": 1})
    except SnnError as err:
        raise ConfigError(f"config {source}: {where}: {err}") from None
    valid = teacher_options(teacher["kind"])
    unknown = sorted(set(teacher["options"]) - set(valid))
    if unknown:
        raise ConfigError(f"config {source}: unknown key(s) teacher.options.{', '.join(unknown)} "
                          f"for kind {teacher['kind']!r}; valid: {', '.join(valid)}")  # fmt: skip


def teacher_options(kind: str) -> list[str]:
    """The options of a teacher kind: its constructor's parameters with defaults (the others
    come from the dataset)."""
    params = inspect.signature(_teachers()[kind].__init__).parameters.values()
    return [p.name for p in params if p.default is not inspect.Parameter.empty]


def to_toml(config: dict) -> str:
    """`config` as TOML, each key's description as a comment (`snnsoc pipeline --print-config`)."""
    lines = []
    for section, keys in config.items():
        lines.append(f"[{section}]")
        for name, value in keys.items():
            doc = SCHEMA.get(section, {}).get(name)
            comment = f"  # {doc.doc}" if doc else ""
            lines.append(f"{name} = {_toml_value(value)}{comment}")
        lines.append("")
    return "\n".join(lines)


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + "}"
    if value is None:
        raise ConfigError("TOML has no null; leave the key out to use its default")
    raise ConfigError(f"cannot write {type(value).__name__} as TOML")
