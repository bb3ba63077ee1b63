"""Frozen dataclasses to and from JSON, in one place: the typed records that travel between the
layers (stage metrics, the pipeline config, the student architecture) are written and read here.

A record's JSON is its fields by name. Two field options (dataclasses.field metadata) keep JSON
formats written before the records existed: FLATTEN merges a nested record's keys into its
parent's (a stage's scores sit beside its other metrics), and OPTIONAL leaves a None field out (a
key older files do not have reads back as None). Non-finite floats are written as null. A value of
the wrong shape raises RecordError naming the field path.

    data = to_json(scores)                 # {"samples": 100, "acc": 0.9, ...}
    scores = from_json(Scores, data, "stage.json")
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from typing import Any, TypeVar

import numpy as np

FLATTEN = {"flatten": True}
OPTIONAL = {"optional": True}
T = TypeVar("T")


class RecordError(ValueError):
    """JSON that does not fit a record: the message names the field path and the value."""


def to_json(value: Any) -> Any:
    """JSON-able data: records by field (FLATTEN, OPTIONAL honoured), NumPy to Python, non-finite
    floats to None."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(value):
            item = getattr(value, f.name)
            if f.metadata.get("optional") and item is None:
                continue
            if f.metadata.get("flatten"):
                out.update(to_json(item))
            else:
                out[f.name] = to_json(item)
        return out
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    if isinstance(value, np.ndarray):
        return to_json(value.tolist())
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def from_json(cls: type[T], data: Any, where: str = "record") -> T:
    """The record `cls` from its JSON `data` (`where` names the source in errors)."""
    return _read(cls, data, where)


def _read(kind: Any, data: Any, where: str) -> Any:
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if kind is Any or kind is object:
        return data
    if origin in (typing.Union, types.UnionType):
        if data is None and type(None) in args:
            return None
        options = [a for a in args if a is not type(None)]
        return _read(options[0] if len(options) == 1 else Any, data, where)
    if dataclasses.is_dataclass(kind):
        return _read_record(kind, data, where)
    if origin is dict or kind is dict:
        _expect(isinstance(data, dict), where, data, "a table")
        value = args[1] if args else Any
        return {k: _read(value, v, f"{where}.{k}") for k, v in data.items()}
    if origin in (list, tuple) or kind in (list, tuple):
        _expect(isinstance(data, list), where, data, "a list")
        item = args[0] if args else Any
        items = [_read(item, v, f"{where}[{i}]") for i, v in enumerate(data)]
        return tuple(items) if origin is tuple or kind is tuple else items
    if kind is float:
        _expect(
            isinstance(data, (int, float)) and not isinstance(data, bool), where, data, "a number"
        )
        return float(data)
    if kind in (int, str, bool):
        exact = isinstance(data, kind) and (kind is bool or not isinstance(data, bool))
        _expect(exact, where, data, kind.__name__)
        return data
    raise RecordError(f"{where}: no JSON reading for {kind!r}")


def _read_record(cls: Any, data: Any, where: str) -> Any:
    _expect(isinstance(data, dict), where, data, "a table")
    hints = typing.get_type_hints(cls)
    fields = dataclasses.fields(cls)
    known = set()
    values = {}
    for f in fields:
        if f.metadata.get("flatten"):
            nested = {g.name for g in dataclasses.fields(hints[f.name])}
            known |= nested
            values[f.name] = _read(
                hints[f.name], {k: v for k, v in data.items() if k in nested}, where
            )
            continue
        known.add(f.name)
        if f.name in data:
            values[f.name] = _read(hints[f.name], data[f.name], f"{where}.{f.name}")
        elif f.metadata.get("optional"):
            values[f.name] = None
    unknown = sorted(set(data) - known)
    if unknown:
        raise RecordError(f"{where}: unknown key(s) {', '.join(unknown)} for {cls.__name__}")
    missing = [f.name for f in fields if f.name not in values and _required(f)]
    if missing:
        raise RecordError(f"{where}: missing key(s) {', '.join(missing)} for {cls.__name__}")
    return cls(**values)


def _required(f: dataclasses.Field) -> bool:
    no_default = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    return no_default


def _expect(ok: bool, where: str, data: Any, what: str) -> None:
    if not ok:
        raise RecordError(f"{where}: {data!r} is not {what}")
