"""User-facing errors of the training API. The `snnsoc` CLI prints each on one line, exit 2.

Raised where input enters (dataset names and options, arch dicts, checkpoints, presets), never deep
inside a training loop. Each message names the argument or file, the field, the limit and the value.
"""

from __future__ import annotations

from collections.abc import Iterable


class SnnError(Exception):
    """Base of every training-API error caused by user input rather than by a bug."""


class ConfigError(SnnError):
    """A bad argument, option, method, preset or architecture value."""


class DataError(SnnError):
    """Data of the wrong shape, type or range (features, labels, groups, spikes)."""


class CheckpointError(SnnError):
    """A checkpoint file that is unreadable, corrupt, of another format or of another version."""


def check_choice(arg: str, value: object, choices: Iterable[str]) -> None:
    """Raise ConfigError unless `value` is one of `choices`; the message lists them."""
    valid = sorted(choices)
    if value not in valid:
        raise ConfigError(f"{arg}={value!r} is not known; valid: {', '.join(valid)}")


def check_open_unit(arg: str, value: float) -> float:
    """Raise ConfigError unless 0 < value < 1; return it as a float."""
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise ConfigError(f"{arg}={value!r} is not a number; expected 0 < {arg} < 1") from None
    if not 0.0 < value < 1.0:
        raise ConfigError(f"{arg}={value} is outside the open interval (0, 1)")
    return value
