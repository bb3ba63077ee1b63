"""A tiny preset for sweep tests: real training, one epoch, eight spiking neurons."""

import pytest

from snn.experiments import Block, Preset, Setup


@pytest.fixture
def tiny_preset():
    setup = Setup(
        student={"hidden": [8], "num_steps": 2},
        teacher_epochs=1,
        student_epochs=1,
        batch_size=256,
        image_teacher=("mlp", {"hidden": [8]}),
    )
    return Preset("tiny", "test", setup, (Block(("colour_digits",), (0.95,), ("erm", "poe")),))
