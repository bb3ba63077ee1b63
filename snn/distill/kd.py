"""Knowledge-distillation terms for spiking students, optionally debiased.

Sits inside `snn.distill.train.fit` when a teacher is given. The student's readout membrane
V [T, B, C] is compared with the teacher's logits z [B, C]:

    rate:      tau_s tau_t KL(softmax(z / tau_t) || softmax(mean_t V / tau_s))   (rate-coded logits)
    step:      the same KL at every step t, averaged over t                       (per-timestep KD)
    membrane:  mean_{t, c} (V[t] - z)^2                                           (membrane readout)

tau_s = tau_t = tau unless `tau_student` is set (heterogeneous temperatures, Lee et al. 2021).
The training loss is (1 - alpha) * own + alpha * KD + spike_reg * (mean hidden spike rate), where
`own` is plain CE, or the method's loss when `debias` is "own" or "both". With `debias` "target"
or "both" the method also acts inside the KD term: its example weights weight the KD term, its
`scale_target` reshapes the teacher's distribution (conf-reg: s ∝ t^(1 - b_y)) and its `log_probs`
combine the student's distribution with the bias expert at the student's temperature
(softmax(z / tau_s + log b / tau_s): PoE on the KD term). The membrane loss has no
distributions, so only the weights apply there.
"""

from __future__ import annotations

import dataclasses
from typing import cast

import torch
import torch.nn.functional as F

from snn.debias.methods import Batch, Method, weighted_mean
from snn.errors import ConfigError, check_choice

KD_LOSSES = ("rate", "step", "membrane")
PLACEMENTS = ("none", "own", "target", "both")


@dataclasses.dataclass(frozen=True)
class KDConfig:
    loss: str = "rate"
    tau: float = 4.0
    tau_student: float | None = None
    alpha: float = 0.7
    debias: str = "none"
    spike_reg: float = 0.0

    def __post_init__(self) -> None:
        check_choice("kd.loss", self.loss, KD_LOSSES)
        check_choice("kd.debias", self.debias, PLACEMENTS)
        for name in ("tau", "tau_student"):
            value = getattr(self, name)
            if value is not None and not value > 0:
                raise ConfigError(f"kd.{name}={value} must be > 0")
        if not 0.0 <= self.alpha <= 1.0:
            raise ConfigError(f"kd.alpha={self.alpha} must lie in [0, 1]")
        if self.spike_reg < 0:
            raise ConfigError(f"kd.spike_reg={self.spike_reg} must be >= 0")

    @property
    def debias_own(self) -> bool:
        return self.debias in ("own", "both")

    @property
    def debias_target(self) -> bool:
        return self.debias in ("target", "both")


KD_VARIANTS: dict[str, KDConfig] = {
    "rate": KDConfig(),
    "step": KDConfig(loss="step"),
    "membrane": KDConfig(loss="membrane", alpha=0.5),
    "hetero": KDConfig(tau=4.0, tau_student=2.0),
    "sparse": KDConfig(spike_reg=0.5),
    "own": KDConfig(debias="own"),
    "target": KDConfig(debias="target"),
    "both": KDConfig(debias="both"),
}


def kd_variant(name: str, **overrides) -> KDConfig:
    """A named KD variant (see KD_VARIANTS), fields overridden by `overrides`."""
    check_choice("kd", name, KD_VARIANTS)
    try:
        return dataclasses.replace(KD_VARIANTS[name], **overrides)
    except TypeError as err:
        raise ConfigError(f"kd {name!r}: {err}") from None


def _tempered(bias_probs: torch.Tensor, tau: float) -> torch.Tensor:
    """The bias expert at temperature tau: softmax(log b / tau), so a product with the student's
    softmax(z / tau) is the product of the two experts at that temperature."""
    return F.softmax(torch.log(bias_probs + 1e-12) / tau, -1)


def _kl(target_probs, student_logp, scale):
    return scale * (target_probs * (torch.log(target_probs + 1e-12) - student_logp)).sum(-1)


def kd_term(
    cfg: KDConfig,
    readout: torch.Tensor,
    teacher_logits: torch.Tensor,
    *,
    method: Method,
    batch: Batch,
    features: torch.Tensor,
    weights: torch.Tensor | None,
) -> torch.Tensor:
    """The KD loss of one batch (module docstring). `readout` is [T, B, C]; ANN students pass
    their logits as a single step. `method`/`weights` are used only when cfg.debias_target."""
    if not cfg.debias_target:
        weights = None
    if cfg.loss == "membrane":
        squared = ((readout - teacher_logits[None]) ** 2).mean(dim=(0, 2))
        return weighted_mean(squared, weights)
    tau_t = cfg.tau
    tau_s = cfg.tau_student or cfg.tau
    target = F.softmax(teacher_logits / tau_t, -1)
    if cfg.debias_target:
        target = method.scale_target(target, batch)
        tempered = dataclasses.replace(batch, bias_probs=_tempered(batch.bias_probs, tau_s))
    steps = [readout.mean(0)] if cfg.loss == "rate" else list(readout)
    per_example: torch.Tensor | float = 0.0
    for logits in steps:
        if cfg.debias_target:
            logp = method.log_probs(logits / tau_s, tempered, features)
        else:
            logp = F.log_softmax(logits / tau_s, -1)
        per_example = per_example + _kl(target, logp, tau_s * tau_t)
    # steps is never empty: per_example is a tensor by now
    return weighted_mean(cast(torch.Tensor, per_example) / len(steps), weights)
