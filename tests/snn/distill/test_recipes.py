"""Recipes: every method trains a teacher and a student; every remedy distills."""

import copy

import numpy as np
import pytest
import torch

from snn.data import load
from snn.debias import METHODS
from snn.distill import TrainConfig, distill, parse_remedy, train_student, train_teacher
from snn.errors import ConfigError
from snn.models import MLPTeacher, SpikingStudent, student_from_teacher

ARCH = {"inputs": 192, "hidden": [16], "outputs": 10, "num_steps": 4}
FAST = TrainConfig(epochs=2, batch_size=128)


@pytest.fixture(scope="module")
def train():
    return load("colour_digits", "train", seed=0).take(np.arange(256))


@pytest.fixture(scope="module")
def teacher(train):
    return train_teacher(
        train,
        "poe",
        teacher_config={"hidden": [16], "activation": "qcfs", "levels": 4},
        config=FAST,
    )


@pytest.mark.parametrize("method", sorted(METHODS))
def test_every_method_trains_a_teacher(train, method):
    model = train_teacher(train, method, teacher_config={"hidden": [8]}, config=FAST)
    assert len(model.history) == 2 and np.isfinite(model.history[-1]["loss"])


@pytest.mark.parametrize("method", ["conf_reg", "jtt", "lff", "learned_mixin", "group_dro"])
def test_stateful_methods_train_a_student_alone(train, method):
    student = train_student(
        train,
        ARCH,
        method,
        config=FAST,
        method_options={"id_epochs": 1} if method == "jtt" else None,
    )
    assert isinstance(student, SpikingStudent) and np.isfinite(student.history[-1]["loss"])


@pytest.mark.parametrize("method", sorted(METHODS))
def test_every_teacher_method_distills_with_plain_kd(train, method):
    # with kd "rate" the method shaped the teacher only: the student must not need it set up
    teacher = MLPTeacher(192, 10, hidden=[8])
    student = distill(train, teacher, ARCH, method, kd="rate", config=FAST)
    assert np.isfinite(student.history[-1]["loss"])


@pytest.mark.parametrize(
    "remedy", ["none", "augment", "chain", "born_again", "convert", "convert+augment"]
)
def test_every_remedy_distills(train, teacher, remedy):
    student = distill(
        train,
        teacher,
        ARCH,
        "poe",
        kd="rate",
        remedy=remedy,
        config=FAST,
        remedy_options={"augment_fraction": 0.25},
    )
    assert student.arch["hidden"] == [16]
    assert all(np.isfinite(h["kd"]) for h in student.history)
    if "augment" in remedy:
        assert len(student.history) == 2  # trained on the transfer set (train + counterfactuals)


def test_convert_starts_from_the_teachers_weights(train, teacher, monkeypatch):
    from snn.distill import recipes

    seen = {}
    original = recipes.train_student

    def spy(*args, **kwargs):
        seen["init"] = copy.deepcopy(kwargs["init"].state_dict())  # before fine-tuning
        return original(*args, **kwargs)

    monkeypatch.setattr(recipes, "train_student", spy)
    distill(train, teacher, ARCH, "poe", remedy="convert", config=FAST)
    expected = student_from_teacher(teacher, ARCH).state_dict()
    for key, value in expected.items():
        torch.testing.assert_close(seen["init"][key], value)


def test_convert_through_a_qcfs_twin_for_other_teachers(train):
    cnn = train_teacher(train, "erm", kind="cnn", config=FAST)
    student = distill(train, cnn, ARCH, "erm", remedy="convert", config=FAST)
    assert isinstance(student, SpikingStudent)
    wide = MLPTeacher(192, 10, hidden=[32])  # not the student's shape: also through a twin
    distill(train, wide, ARCH, "erm", remedy="convert", config=FAST)


def test_debias_placements_run(train, teacher):
    for kd in ("own", "target", "both", "step", "membrane", "hetero", "sparse"):
        distill(train, teacher, ARCH, "poe", kd=kd, config=FAST)


def test_bad_remedies():
    assert parse_remedy("augment+convert") == {"augment", "convert"}
    assert parse_remedy("none") == frozenset()
    for bad in ("mixup", "none+augment", ""):
        with pytest.raises(ConfigError, match="valid: none, augment"):
            parse_remedy(bad)
