"""Debiasing methods: each loss against its formula on hand-made batches."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from snn.debias import Batch, SetupContext, fit_bias_model, make_method, own_loss
from snn.debias.methods import METHODS, gce_loss
from snn.errors import ConfigError
from snn.models import MLPTeacher


def _batch(b=None):
    y = torch.tensor([0, 1, 1, 2])
    b = (
        torch.tensor([[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.6, 0.2, 0.2], [0.3, 0.3, 0.4]])
        if b is None
        else b
    )
    return Batch(
        torch.arange(4),
        y,
        group=torch.tensor([0, 3, 4, 8]),
        bias_probs=b,
        aux_inputs=torch.rand(4, 5),
    )


LOGITS = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.3, 0.2], [1.0, 1.5, 0.0], [0.0, 0.0, 0.4]])


def _context(**overrides):
    ctx = {
        "num_examples": 4,
        "num_classes": 3,
        "num_groups": 9,
        "labels": np.array([0, 1, 1, 2]),
        "feature_width": 6,
        "erm_probs": lambda: np.full((4, 3), 1 / 3, np.float32),
        "identify": lambda epochs: np.array([0, 0, 1, 1]),
        "make_aux_model": lambda: MLPTeacher(5, 3, hidden=[4]),
    }
    return SetupContext(**{**ctx, **overrides})


def _loss(name, logits=LOGITS, features=None, batch=None, **options):
    method = make_method(name, **options)
    method.setup(_context())
    batch = batch or _batch()
    features = torch.zeros(4, 6) if features is None else features
    return own_loss(method, logits, features, batch, method.weights(logits, batch)), method


def test_erm_is_cross_entropy():
    loss, _ = _loss("erm")
    torch.testing.assert_close(loss, F.cross_entropy(LOGITS, _batch().y))


def test_poe_adds_the_bias_log_probabilities():
    batch = _batch()
    loss, _ = _loss("poe")
    combined = F.log_softmax(LOGITS, -1) + torch.log(batch.bias_probs)
    torch.testing.assert_close(loss, F.cross_entropy(combined, batch.y))


def test_reweight_downweights_what_the_bias_gets_right():
    batch = _batch()
    loss, _ = _loss("reweight")
    w = torch.tensor([0.2, 0.3, 0.8, 0.6])  # 1 - b_y
    ce = F.cross_entropy(LOGITS, batch.y, reduction="none")
    torch.testing.assert_close(loss, (w * ce).sum() / w.sum())


def test_focal_weights():
    batch = _batch()
    loss, _ = _loss("focal", gamma=2.0)
    p_y = F.softmax(LOGITS, -1).gather(1, batch.y[:, None]).squeeze(1)
    w = (1 - p_y) ** 2
    ce = F.cross_entropy(LOGITS, batch.y, reduction="none")
    torch.testing.assert_close(loss, (w * ce).sum() / w.sum(), rtol=1e-5, atol=1e-6)


def test_conf_reg_distills_the_scaled_erm_model():
    batch = _batch()
    teacher = np.array(
        [[0.7, 0.2, 0.1], [0.3, 0.6, 0.1], [0.2, 0.5, 0.3], [0.1, 0.1, 0.8]], np.float32
    )
    method = make_method("conf_reg")
    method.setup(_context(erm_probs=lambda: teacher))
    b_y = np.array([0.8, 0.7, 0.2, 0.4])
    scaled = teacher ** (1 - b_y)[:, None]
    scaled /= scaled.sum(1, keepdims=True)
    loss = own_loss(method, LOGITS, torch.zeros(4, 6), batch, None)
    expected = -(torch.from_numpy(scaled).float() * F.log_softmax(LOGITS, -1)).sum(1).mean()
    torch.testing.assert_close(loss, expected, rtol=1e-5, atol=1e-6)


def test_jtt_upweights_the_identification_errors():
    batch = _batch()
    method = make_method("jtt", upweight=5.0)
    method.setup(_context())  # identify -> [0, 0, 1, 1] vs labels [0, 1, 1, 2]
    assert method.weights(LOGITS, batch).tolist() == [1.0, 5.0, 1.0, 5.0]
    assert method.error_fraction == 0.5


def test_group_dro_moves_weight_to_the_worst_group():
    batch = Batch(
        torch.arange(4),
        torch.tensor([0, 0, 1, 1]),
        torch.tensor([0, 0, 1, 1]),
        torch.full((4, 2), 0.5),
    )
    method = make_method("group_dro", step_size=1.0)
    method.setup(_context(num_groups=2))
    logits = torch.tensor([[3.0, 0.0], [3.0, 0.0], [0.0, 0.5], [0.0, 0.2]])  # group 1 is worse
    for _ in range(3):
        w = method.weights(logits, batch)
    losses = F.cross_entropy(logits, batch.y, reduction="none")
    expected = torch.exp(3 * torch.stack([losses[:2].mean(), losses[2:].mean()]))
    torch.testing.assert_close(method.q, expected / expected.sum())
    assert method.q[1] > 0.8
    # w_i = q_g / n_g: each group's weights sum to q_g
    torch.testing.assert_close(w[:2].sum(), method.q[0])


def test_learned_mixin_has_a_gate_and_an_entropy_term():
    batch = _batch()
    features = torch.rand(4, 6)
    loss, method = _loss("learned_mixin", features=features, entropy_weight=0.0)
    gate = F.softplus(method.gate(features))
    combined = F.log_softmax(LOGITS, -1) + gate * torch.log(batch.bias_probs)
    torch.testing.assert_close(loss, F.cross_entropy(combined, batch.y))
    assert len(method.parameters()) == 2
    with_entropy, _ = _loss("learned_mixin", features=features, entropy_weight=1.0)
    assert with_entropy > loss


def test_lff_trains_its_biased_model_and_weights_by_relative_difficulty():
    batch = _batch()
    method = make_method("lff")
    method.setup(_context())
    before = [p.clone() for p in method.biased.parameters()]
    w = method.weights(LOGITS, batch)
    after = list(method.biased.parameters())
    assert any(not torch.equal(a, b) for a, b in zip(before, after, strict=True))
    assert torch.all((w > 0) & (w <= 1 + 1e-6))


def test_gce_emphasises_easy_examples():
    logits = torch.tensor([[4.0, 0.0], [0.0, 0.1]])
    y = torch.tensor([0, 0])
    ce = F.cross_entropy(logits, y, reduction="none")
    ratio = gce_loss(logits, y) / ce
    assert ratio[0] > ratio[1]


def test_known_bias_model_is_p_y_given_attribute():
    from snn.data import load

    train = load("colour_digits", "train", seed=0)
    probs = fit_bias_model("known", train).predict(train)
    first = train.bias == 3
    counts = np.bincount(train.y[first], minlength=10) + 1.0
    np.testing.assert_allclose(probs[first][0], counts / counts.sum(), rtol=1e-6)
    shallow = fit_bias_model("shallow", train, seed=0).predict(train)
    np.testing.assert_allclose(shallow.sum(1), 1.0, rtol=1e-5)


def test_unknown_methods_and_options():
    assert sorted(METHODS) == [
        "conf_reg",
        "erm",
        "focal",
        "group_dro",
        "jtt",
        "learned_mixin",
        "lff",
        "poe",
        "reweight",
    ]
    with pytest.raises(ConfigError, match="valid: conf_reg, erm"):
        make_method("dfr")
    with pytest.raises(ConfigError, match="unknown option.*valid: gamma"):
        make_method("focal", alpha=1)
    with pytest.raises(ConfigError, match="valid: known, shallow"):
        fit_bias_model("oracle", None)
