"""Student and teacher checkpoints: the artefacts between training and the SoC side.

A checkpoint is `torch.save` of a plain dict, written atomically (snnsoc_common.artefacts):
    student: {"format": "snnsoc-student", "version": 1, "arch", "state_dict", "meta"}
    teacher: {"format": "snnsoc-teacher", "version": 1, "kind", "config", "state_dict", "meta"}
Loaders read with `weights_only=True` (no code runs from the file) and raise CheckpointError naming
the file and what is wrong: unreadable, corrupt, another format, another version, a bad arch or
tensors that do not fit it.
"""

from __future__ import annotations

import os
from pathlib import Path

import torch
from torch import nn

from snn.errors import CheckpointError, SnnError
from snn.models.student import SpikingStudent
from snn.models.teachers import Teacher, rebuild_teacher
from snnsoc_common.artefacts import atomic_path

STUDENT_FORMAT, TEACHER_FORMAT, VERSION = "snnsoc-student", "snnsoc-teacher", 1


def _save(payload: dict, path: str | os.PathLike) -> None:
    with atomic_path(path) as tmp, tmp.open("wb") as f:
        torch.save(payload, f)


def _read(path: str | os.PathLike, expected_format: str, keys: tuple[str, ...]) -> dict:
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: no such checkpoint file")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # torch raises many types for a damaged file
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise CheckpointError(f"{path}: not a readable checkpoint ({reason[:120]})") from None
    if not isinstance(payload, dict):
        raise CheckpointError(f"{path}: expected a dict, found {type(payload).__name__}")
    if payload.get("format") != expected_format:
        raise CheckpointError(
            f"{path}: format {payload.get('format')!r}; expected {expected_format!r}"
        )
    if payload.get("version") != VERSION:
        raise CheckpointError(
            f"{path}: {expected_format} version {payload.get('version')!r}; "
            f"this snnsoc reads version {VERSION}"
        )
    missing = [k for k in keys if k not in payload]
    if missing:
        raise CheckpointError(f"{path}: missing field(s) {', '.join(missing)}")
    return payload


def _load_state(model: nn.Module, state: object, path: Path) -> None:
    if not isinstance(state, dict):
        raise CheckpointError(f"{path}: state_dict is {type(state).__name__}, not a dict")
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as err:
        first = str(err).splitlines()[0]
        raise CheckpointError(
            f"{path}: state_dict does not fit the model ({first[:160]})"
        ) from None


def save_student(
    student: SpikingStudent, path: str | os.PathLike, meta: dict | None = None
) -> None:
    """Write `student` to `path` atomically (see the module docstring for the layout)."""
    _save(
        {
            "format": STUDENT_FORMAT,
            "version": VERSION,
            "arch": student.arch,
            "state_dict": student.state_dict(),
            "meta": dict(meta or {}),
        },
        path,
    )


def load_student(path: str | os.PathLike) -> SpikingStudent:
    """Rebuild the student saved at `path`; its `meta` dict is attached as `.meta`."""
    payload = _read(path, STUDENT_FORMAT, ("arch", "state_dict"))
    try:
        student = SpikingStudent(payload["arch"])
    except SnnError as err:
        raise CheckpointError(f"{path}: {err}") from None
    _load_state(student, payload["state_dict"], Path(path))
    student.meta = payload.get("meta", {})
    return student


def save_teacher(teacher: Teacher, path: str | os.PathLike, meta: dict | None = None) -> None:
    """Write an ANN teacher to `path` atomically."""
    _save(
        {
            "format": TEACHER_FORMAT,
            "version": VERSION,
            "kind": teacher.kind,
            "config": teacher.config,
            "state_dict": teacher.state_dict(),
            "meta": dict(meta or {}),
        },
        path,
    )


def load_teacher(path: str | os.PathLike) -> Teacher:
    """Rebuild the teacher saved at `path`; its `meta` dict is attached as `.meta`."""
    payload = _read(path, TEACHER_FORMAT, ("kind", "config", "state_dict"))
    try:
        teacher = rebuild_teacher(payload["kind"], payload["config"])
    except (SnnError, TypeError) as err:
        raise CheckpointError(f"{path}: {err}") from None
    _load_state(teacher, payload["state_dict"], Path(path))
    teacher.meta = payload.get("meta", {})
    return teacher
