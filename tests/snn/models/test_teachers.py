"""Teachers: shapes per dataset, QCFS activation, attention maps, bad configs."""

import pytest
import torch

from snn.data import load
from snn.errors import ConfigError
from snn.models import build_teacher
from snn.models.teachers import QCFS


@pytest.mark.parametrize(
    ("dataset", "kind", "layers"),
    [
        ("colour_digits", "mlp", 2),
        ("colour_digits", "cnn", 3),
        ("patch_digits", "cnn", 3),
        ("synthetic_nli", "transformer", 2),
        ("synthetic_nli", "mlp", 2),
    ],
)
def test_teacher_shapes(dataset, kind, layers):
    ds = load(dataset, "val", seed=0)
    teacher = build_teacher(kind, ds)
    out = teacher(teacher.inputs(ds)[:6])
    assert out.logits.shape == (6, ds.num_classes)
    assert len(out.features) == layers and all(f.shape[0] == 6 for f in out.features)


def test_qcfs_levels_clip_and_straight_through():
    act = QCFS(levels=4, lam=2.0)
    a = torch.tensor([-1.0, 0.2, 0.26, 0.9, 5.0], requires_grad=True)
    h = act(a)
    # h = lam * clamp(floor(a * L / lam + 1/2) / L, 0, 1): steps of lam / L = 0.5
    assert h.tolist() == [0.0, 0.0, 0.5, 1.0, 2.0]
    h.sum().backward()
    assert a.grad.tolist() == [0.0, 1.0, 1.0, 1.0, 0.0]  # STE inside the clip, 0 outside


def test_transformer_keeps_attention_maps():
    ds = load("synthetic_nli", "val", seed=0)
    teacher = build_teacher("transformer", ds, layers=1, heads=2)
    tokens = teacher.inputs(ds)[:3]
    teacher(tokens)
    (maps,) = teacher.attention_maps()
    assert maps.shape == (3, 2, tokens.shape[1], tokens.shape[1])
    torch.testing.assert_close(maps.sum(-1), torch.ones(3, 2, tokens.shape[1]))


def test_bad_teacher_requests():
    images, text = load("colour_digits", "val", seed=0), load("synthetic_nli", "val", seed=0)
    with pytest.raises(ConfigError, match="valid: cnn, mlp, transformer"):
        build_teacher("resnet", images)
    with pytest.raises(ConfigError, match="needs an image dataset"):
        build_teacher("cnn", text)
    with pytest.raises(ConfigError, match="needs a token dataset"):
        build_teacher("transformer", images)
    with pytest.raises(ConfigError, match="teacher 'mlp'"):
        build_teacher("mlp", images, width=3)
