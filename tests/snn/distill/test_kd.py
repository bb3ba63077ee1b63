"""KD terms: rate, per-step and membrane losses, temperatures, and debiasing inside the KD term."""

import pytest
import torch
import torch.nn.functional as F

from snn.debias import Batch, make_method
from snn.distill import KD_VARIANTS, KDConfig, kd_term, kd_variant
from snn.errors import ConfigError

torch.manual_seed(0)
READOUT = torch.randn(5, 4, 3)  # [T, B, C]
TEACHER = torch.randn(4, 3)
BATCH = Batch(
    torch.arange(4),
    torch.tensor([0, 1, 2, 0]),
    torch.tensor([0, 4, 8, 1]),
    torch.tensor([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6], [0.3, 0.4, 0.3]]),
)


def _kl(p, logq):
    return (p * (torch.log(p) - logq)).sum(-1)


def _term(cfg, method="erm", weights=None):
    return kd_term(
        cfg,
        READOUT,
        TEACHER,
        method=make_method(method),
        batch=BATCH,
        features=torch.zeros(4, 2),
        weights=weights,
    )


def test_rate_kd_is_tau_squared_kl_on_time_averaged_logits():
    tau = 3.0
    expected = (
        tau**2 * _kl(F.softmax(TEACHER / tau, -1), F.log_softmax(READOUT.mean(0) / tau, -1)).mean()
    )
    torch.testing.assert_close(_term(KDConfig(tau=tau)), expected)


def test_step_kd_averages_the_kl_of_every_step():
    tau = 2.0
    target = F.softmax(TEACHER / tau, -1)
    expected = torch.stack([_kl(target, F.log_softmax(v / tau, -1)) for v in READOUT]).mean(0)
    torch.testing.assert_close(_term(KDConfig(loss="step", tau=tau)), tau**2 * expected.mean())


def test_membrane_kd_is_mse_to_the_logits():
    expected = ((READOUT - TEACHER[None]) ** 2).mean()
    torch.testing.assert_close(_term(KDConfig(loss="membrane")), expected)


def test_heterogeneous_temperatures():
    cfg = KDConfig(tau=4.0, tau_student=2.0)
    expected = 8.0 * _kl(F.softmax(TEACHER / 4, -1), F.log_softmax(READOUT.mean(0) / 2, -1))
    torch.testing.assert_close(_term(cfg), expected.mean())


def test_debias_target_uses_method_weights_and_distributions():
    weights = torch.tensor([1.0, 0.0, 0.0, 0.0])
    plain = _term(KDConfig(), weights=weights)
    weighted = _term(KDConfig(debias="target"), weights=weights)
    single = 16 * _kl(F.softmax(TEACHER / 4, -1), F.log_softmax(READOUT.mean(0) / 4, -1))
    torch.testing.assert_close(weighted, single[0])
    assert not torch.isclose(plain, weighted)  # "none" ignores the weights
    # PoE on the KD term: the student's distribution times the bias expert, both at tau = 4
    poe = _term(KDConfig(debias="target"), method="poe")
    combined = F.log_softmax(READOUT.mean(0) / 4 + torch.log(BATCH.bias_probs) / 4, -1)
    expected = 16 * _kl(F.softmax(TEACHER / 4, -1), combined).mean()
    torch.testing.assert_close(poe, expected)


def test_variants_and_validation():
    assert set(KD_VARIANTS) >= {
        "rate",
        "step",
        "membrane",
        "hetero",
        "sparse",
        "own",
        "target",
        "both",
    }
    assert kd_variant("rate", alpha=0.2).alpha == 0.2
    for bad in (
        {"loss": "logit"},
        {"tau": 0.0},
        {"alpha": 1.5},
        {"debias": "teacher"},
        {"spike_reg": -1.0},
    ):
        with pytest.raises(ConfigError):
            KDConfig(**bad)
    with pytest.raises(ConfigError, match="valid: both, hetero"):
        kd_variant("fitnet")
