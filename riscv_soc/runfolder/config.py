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
import sys
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from riscv_soc.compiler.placement import ACCUMULATORS, WEIGHTS
from riscv_soc.errors import ConfigError
from riscv_soc.quant.bundle import ROUNDINGS
from snn.data import DATASETS, resolve_options
from snn.debias.bias_models import BIAS_MODELS
from snn.debias.methods import METHODS
from snn.distill.kd import KD_VARIANTS
from snn.distill.recipes import parse_remedy
from snn.errors import SnnError
from snn.experiments.grid import Setup
from snn.experiments.presets import PAPER
from snn.experiments.presets import QUICK as QUICK_PRESET
from snn.models.student import validate_arch
from snn.models.teachers import TEACHERS

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


def _choice(choices: Iterable[str]) -> Callable:
    """One of `choices`, the names of the module that owns them."""

    def check(value):
        valid = sorted(choices)
        if value not in valid:
            raise _Bad(f"is not known; valid: {', '.join(map(str, valid))}")
        return value

    return check


def _text(value):
    if not isinstance(value, str):
        raise _Bad("must be a string")
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
    if not isinstance(value, str):
        raise _Bad('must be a string such as "convert+augment" or "none"')
    try:
        parse_remedy(value)
    except SnnError as err:  # its message: "remedy=... is not known; valid: ..."
        raise _Bad("is not known; " + str(err).split("; ", 1)[-1]) from None
    return value


# -- the schema and its defaults: the study's presets (snn.experiments.presets) --------------------


def _teacher_options(setup: Setup) -> dict:
    """The preset's image teacher, its QCFS levels the student's steps as in the study."""
    return {**setup.image_teacher[1], "levels": setup.student["num_steps"]}


def _student_arch(setup: Setup) -> dict:
    arch = setup.student
    return {
        "hidden": arch["hidden"],
        "num_steps": arch["num_steps"],
        "neuron": "lif",
        "weight_bits": arch["weight_bits"],
    }


PAPER_SETUP, QUICK_SETUP = PAPER.setup, QUICK_PRESET.setup


def _key(default: Any, check: Callable[[Any], Any], doc: str) -> Any:
    """A config key: a dataclass field with its default, its check (the normalised value, or
    _Bad stating the limit) and what it means."""
    meta = {"check": check, "doc": doc}
    if isinstance(default, (dict, list)):
        return field(default_factory=lambda: copy.deepcopy(default), metadata=meta)
    return field(default=default, metadata=meta)


class _Section:
    """A config section: a frozen record whose keys check (and normalise) themselves."""

    def __post_init__(self) -> None:
        for f in fields(self):  # type: ignore[arg-type]  # every subclass is a dataclass
            value = getattr(self, f.name)
            try:
                object.__setattr__(self, f.name, f.metadata["check"](value))
            except _Bad as err:
                raise ConfigError(f"{_NAMES[type(self)]}.{f.name}={value!r} {err}") from None


@dataclass(frozen=True)
class DataConfig(_Section):
    dataset: str = _key("colour_digits", _choice(DATASETS), "biased dataset (snn.data)")
    rho: float = _key(0.95, _open_unit, "bias-aligned fraction of the training set")
    seed: int = _key(0, _integer(0), "data split, training and input-spike seed")
    options: dict = _key({}, _table, "dataset options (docs/training.md), rho excepted")


@dataclass(frozen=True)
class TeacherConfig(_Section):
    method: str = _key("poe", _choice(METHODS), "debiasing method of the ANN teacher")
    kind: str = _key(PAPER_SETUP.image_teacher[0], _choice(TEACHERS), "teacher architecture")
    options: dict = _key(
        _teacher_options(PAPER_SETUP), _table, "architecture options of the teacher kind"
    )
    epochs: int = _key(PAPER_SETUP.teacher_epochs, _integer(1), "training epochs")


@dataclass(frozen=True)
class StudentConfig(_Section):
    arch: dict = _key(
        _student_arch(PAPER_SETUP),
        _table,
        "student arch (docs/architecture.md); inputs and outputs come from the data",
    )
    kd: str = _key("rate", _choice(KD_VARIANTS), "KD variant")
    remedy: str = _key("convert+augment", _remedy, "remedy, parts joined by '+', or none")
    augment_fraction: float = _key(
        PAPER_SETUP.remedy_options["augment_fraction"],
        _number(0.0),
        "counterfactuals per training example",
    )
    epochs: int = _key(
        PAPER_SETUP.student_epochs, _integer(1), "training epochs (also of the C1/C2 baselines)"
    )


@dataclass(frozen=True)
class TrainConfig(_Section):
    batch_size: int = _key(PAPER_SETUP.batch_size, _integer(1), "minibatch size of every model")
    lr: float = _key(
        PAPER_SETUP.lr, _number(0.0, open_low=True), "Adam learning rate of every model"
    )
    bias_model: str = _key("known", _choice(BIAS_MODELS), "bias-only model of the method")


@dataclass(frozen=True)
class QuantSettings(_Section):
    weight_bits: int | str = _key(
        "auto", _auto_or(_integer(2, 16)), "auto: the student's fake-quant"
    )
    percentile: float | str = _key(
        "auto",
        _auto_or(_number(0.0, open_low=True, high=100.0)),
        "|w| percentile of the scale; auto: the student's",
    )
    rounding: str = _key("rn", _choice(ROUNDINGS), "decay rounding: floor, rn or sr")
    layout: str = _key("auto", _choice(("auto", "dense", "sparse")), "synapse layout")
    calibrate: int = _key(
        0,
        _integer(0),
        "training samples whose float run chooses the formats (docs/semantics.md 11); 0: off",
    )


@dataclass(frozen=True)
class RunConfig(_Section):
    seed: int = _key(0, _integer(0), "run seed of the core, ISS and RTL (RNG seeds per sample)")


@dataclass(frozen=True)
class FirmwareConfig(_Section):
    # 1 MiB: the configuration the RTL tests build (riscv_soc.difftest.CONFIG), so the pipeline
    # shares their cached Verilator build and batches many samples per simulator.
    ddr_mib: int = _key(1, _power_of_two, "DDR size of the SoC in MiB (other memories: default)")
    weights: str = _key("auto", _choice(WEIGHTS), "weight rows in vmem, ddr or auto")
    accumulators: str = _key("auto", _choice(ACCUMULATORS), "synaptic accumulators")


@dataclass(frozen=True)
class IssConfig(_Section):
    workers: int = _key(2, _integer(1, 256), "processes for the ISS run of the test set")
    # one per run: batches save the ISS nothing (benchmarks/runtime_throughput.py)
    batch: int = _key(1, _integer(0), _BATCH)
    address: str = _key("", _text, _ADDRESS)


@dataclass(frozen=True)
class RtlConfig(_Section):
    per_group: int = _key(
        0, _integer(0), "RTL samples per (class, attribute) group; 0: the whole test split"
    )
    batch: int = _key(0, _integer(0), _BATCH)
    workers: int = _key(2, _integer(1, 256), "simulator processes (or Ray tasks) of the RTL run")
    address: str = _key("", _text, _ADDRESS)


@dataclass(frozen=True)
class EnergyConfig(_Section):
    clock_mhz: float = _key(175.0, _number(0.0, open_low=True), "SoC clock (FeNN-DMA: 175 MHz)")


@dataclass(frozen=True)
class CalibrationConfig(_Section):
    samples: int = _key(8, _integer(0), "SHD-shape samples on the ISS (0: skip the check)")
    seed: int = _key(0, _integer(0), "seed of the synthetic spike trains")


@dataclass(frozen=True)
class PipelineConfig:
    """A checked pipeline config, one record per section; `of` makes it from the JSON form
    (load_config's dict, DIR/config.json), snnsoc_common.records.to_json writes that form."""

    data: DataConfig
    teacher: TeacherConfig
    student: StudentConfig
    train: TrainConfig
    quant: QuantSettings
    run: RunConfig
    firmware: FirmwareConfig
    iss: IssConfig
    rtl: RtlConfig
    energy: EnergyConfig
    calibration: CalibrationConfig

    @classmethod
    def of(cls, config: dict) -> PipelineConfig:
        return cls(**{name: SECTIONS[name](**config[name]) for name in SECTIONS})


SECTIONS: dict[str, type] = typing.get_type_hints(PipelineConfig)
_NAMES = {section: name for name, section in SECTIONS.items()}
SCHEMA: dict[str, dict[str, Key]] = {
    name: {
        f.name: Key(getattr(defaults, f.name), f.metadata["check"], f.metadata["doc"])
        for f in fields(defaults)
    }
    for name, defaults in ((name, section()) for name, section in SECTIONS.items())
}

# --quick: the `quick` preset's smaller teacher and student, one RTL sample per group, one
# calibration sample.
QUICK: dict[str, dict] = {
    "teacher": {
        "options": _teacher_options(QUICK_SETUP),
        "epochs": QUICK_SETUP.teacher_epochs,
    },
    "student": {"arch": _student_arch(QUICK_SETUP), "epochs": QUICK_SETUP.student_epochs},
    "rtl": {"per_group": 1},
    "calibration": {"samples": 1},
}


def default_config() -> dict:
    return {
        s: {k: copy.deepcopy(key.default) for k, key in keys.items()} for s, keys in SCHEMA.items()
    }


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
            if sys.version_info < (3, 11):
                raise ConfigError(f"config {path}: TOML needs Python >= 3.11; use .json")
            data = _read_toml(text)
        else:
            raise ConfigError(
                f"config {path}: unknown file type {path.suffix!r}; use .toml or .json"
            )
    except (ValueError, UnicodeDecodeError) as err:  # JSONDecodeError, TOMLDecodeError
        raise ConfigError(f"config {path}: not valid {path.suffix[1:]}: {err}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"config {path}: expected a table of sections, got {type(data).__name__}")
    return data


def _read_toml(text: str) -> dict:
    if sys.version_info >= (3, 11):  # the standard library reads TOML from Python 3.11
        import tomllib

        return tomllib.loads(text)
    raise AssertionError("read_file checks the version")


def check_config(config: dict, source: str = EMBEDDED) -> dict:
    """A checked copy of `config`; ConfigError names `source`, the key and the limit."""
    out: dict[str, dict] = {}
    for section, keys in config.items():
        if section not in SCHEMA:
            raise ConfigError(
                f"config {source}: unknown section [{section}]; valid sections: {', '.join(SCHEMA)}"
            )
        if not isinstance(keys, dict):
            raise ConfigError(f"config {source}: [{section}] must be a table of keys")
        out[section] = {}
        for name, value in keys.items():
            if name not in SCHEMA[section]:
                raise ConfigError(
                    f"config {source}: unknown key '{section}.{name}'; valid keys "
                    f"of [{section}]: {', '.join(SCHEMA[section])}"
                )
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
        raise ConfigError(
            f"config {source}: unknown key(s) teacher.options.{', '.join(unknown)} "
            f"for kind {teacher['kind']!r}; valid: {', '.join(valid)}"
        )


def teacher_options(kind: str) -> list[str]:
    """The options of a teacher kind: its constructor's parameters with defaults (the others
    come from the dataset)."""
    params = inspect.signature(TEACHERS[kind].__init__).parameters.values()
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
