"""Student and teacher checkpoints: round trips and one clear error per kind of bad file."""

import pickle

import pytest
import torch

from snn.data import load
from snn.errors import CheckpointError
from snn.models import (
    SpikingStudent,
    build_teacher,
    load_student,
    load_teacher,
    save_student,
    save_teacher,
)
from snn.models.checkpoint import STUDENT_FORMAT, VERSION


def _student():
    torch.manual_seed(0)
    return SpikingStudent(
        {
            "inputs": 6,
            "hidden": [5, 4],
            "outputs": 3,
            "neuron": "cubalif",
            "recurrent": True,
            "reset": "zero",
            "weight_bits": 16,
        }
    )


def test_student_round_trip_reproduces_the_forward_pass(tmp_path):
    student = _student()
    path = tmp_path / "s.pt"
    save_student(student, path, meta={"note": "x"})
    loaded = load_student(path)
    assert loaded.arch == student.arch
    assert loaded.meta == {"note": "x"}
    spikes = (torch.rand(7, 2, 6) < 0.5).float()
    assert torch.equal(student(spikes).readout, loaded(spikes).readout)
    payload = torch.load(path, weights_only=True)
    assert set(payload) == {"format", "version", "arch", "state_dict", "meta"}
    assert (payload["format"], payload["version"]) == (STUDENT_FORMAT, VERSION)


@pytest.mark.parametrize("kind", ["mlp", "cnn"])
def test_teacher_round_trip(tmp_path, kind):
    ds = load("colour_digits", "val", seed=0)
    teacher = build_teacher(kind, ds)
    save_teacher(teacher, tmp_path / "t.pt")
    loaded = load_teacher(tmp_path / "t.pt")
    x = teacher.inputs(ds)[:5]
    assert torch.equal(teacher(x).logits, loaded(x).logits)


def _save_payload(path, payload):
    with path.open("wb") as f:
        torch.save(payload, f)


def test_bad_student_files_raise_checkpoint_errors(tmp_path):
    good = tmp_path / "good.pt"
    save_student(_student(), good)
    payload = torch.load(good, weights_only=True)
    cases = {}
    cases["missing.pt"] = ("no such checkpoint", None)
    (tmp_path / "garbage.pt").write_bytes(b"\x00\x01 not a checkpoint")
    cases["garbage.pt"] = ("not a readable checkpoint", None)
    truncated = good.read_bytes()[:200]
    (tmp_path / "truncated.pt").write_bytes(truncated)
    cases["truncated.pt"] = ("not a readable checkpoint", None)
    cases["format.pt"] = ("format 'snnsoc-teacher'", {**payload, "format": "snnsoc-teacher"})
    cases["version.pt"] = ("version 7", {**payload, "version": 7})
    cases["arch.pt"] = ("arch.neuron", {**payload, "arch": {**payload["arch"], "neuron": "x"}})
    state = dict(payload["state_dict"])
    state.pop("readout.fc.weight")
    cases["state.pt"] = ("does not fit", {**payload, "state_dict": state})
    cases["list.pt"] = ("expected a dict", [1, 2])
    for name, (fragment, content) in cases.items():
        path = tmp_path / name
        if content is not None:
            _save_payload(path, content)
        with pytest.raises(CheckpointError, match=fragment) as info:
            load_student(path)
        assert str(path) in str(info.value)
        assert "\n" not in str(info.value)


def test_pickled_code_is_not_executed(tmp_path):
    class Evil:
        def __reduce__(self):
            return (print, ("ran",))

    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps({"format": Evil()}))
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        load_student(path)
