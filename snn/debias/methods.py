"""Debiasing methods as pluggable loss pieces, usable on a teacher, a student or the KD term.

Sits inside every training step of `snn.distill.train`. A method changes the loss in at most
four places, and the same pieces debias the KD term (`snn.distill.kd`):

    weights(logits, batch)      per-example weights w_i (reweight, focal, JTT, Group DRO, LfF)
    log_probs(logits, ...)      the model's log-probabilities, e.g. combined with the bias expert
                                (PoE: log p + log b; learned-mixin: log p + g(x) log b)
    targets(batch)              the own loss's target (one-hot y; conf-reg: the scaled teacher)
    scale_target(probs, batch)  conf-reg's scaling s_j ∝ t_j^(1 - b_y), also for KD targets

Own loss: L = sum_i w_i CE(targets_i, log_probs_i) / sum_i w_i (+ the mixin entropy term). Losses
follow UKPLab/emnlp2020-debiasing-unknown (research/kd_debias.md 1.7); b are bias-only model
probabilities (`snn.debias.bias_models`). Method state (JTT's error set, LfF's loss averages,
Group DRO's group weights) is indexed by the example's position in the training set.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from snn.errors import ConfigError, check_choice

EPS = 1e-12


@dataclasses.dataclass
class Batch:
    """One minibatch as the methods see it (tensors indexed like the model's logits)."""

    index: torch.Tensor  # positions in the training set
    y: torch.Tensor
    group: torch.Tensor
    bias_probs: torch.Tensor  # [B, classes] from the bias-only model
    aux_inputs: torch.Tensor | None = None  # ANN inputs, for LfF's co-trained biased model


@dataclasses.dataclass
class SetupContext:
    """What a method may need before training starts (see each method's `setup`)."""

    num_examples: int
    num_classes: int
    num_groups: int
    labels: np.ndarray
    feature_width: int  # width of the model's last hidden representation (learned-mixin gate)
    # probabilities of an ERM-trained model of the same role on the training set (conf-reg)
    erm_probs: Callable[[], np.ndarray]
    # training-set predictions of an ERM model of the same role trained for n epochs (JTT)
    identify: Callable[[int], np.ndarray]
    # a fresh ANN of the teacher family on this data (LfF's biased model)
    make_aux_model: Callable[[], nn.Module]
    seed: int = 0


class Method:
    """ERM: every hook is the identity; subclasses override what they change."""

    name = "erm"
    defaults: dict = {}

    def __init__(self, **options) -> None:
        unknown = set(options) - set(self.defaults)
        if unknown:
            valid = ", ".join(sorted(self.defaults)) or "none"
            raise ConfigError(
                f"method {self.name!r}: unknown option(s) "
                f"{', '.join(sorted(unknown))}; valid: {valid}"
            )
        self.options = {**self.defaults, **options}

    def setup(self, ctx: SetupContext) -> None:
        self.num_classes = ctx.num_classes

    def parameters(self) -> list[nn.Parameter]:
        return []

    def weights(self, logits: torch.Tensor, batch: Batch) -> torch.Tensor | None:
        return None

    def log_probs(self, logits: torch.Tensor, batch: Batch, features: torch.Tensor):
        return F.log_softmax(logits, dim=-1)

    def targets(self, batch: Batch) -> torch.Tensor:
        return F.one_hot(batch.y, batch.bias_probs.shape[-1]).float()

    def scale_target(self, probs: torch.Tensor, batch: Batch) -> torch.Tensor:
        return probs

    def extra_loss(self, batch: Batch, features: torch.Tensor) -> torch.Tensor | float:
        return 0.0

    def end_epoch(self, epoch: int) -> None:
        pass


def weighted_mean(per_example: torch.Tensor, weights: torch.Tensor | None) -> torch.Tensor:
    """mean(per_example), or sum(w * per_example) / sum(w) with weights."""
    if weights is None:
        return per_example.mean()
    return (weights * per_example).sum() / weights.sum().clamp_min(EPS)


def own_loss(method: Method, logits, features, batch: Batch, weights) -> torch.Tensor:
    """The method's loss on the model's own prediction (see the module docstring)."""
    logp = method.log_probs(logits, batch, features)
    per_example = -(method.targets(batch) * logp).sum(-1)
    return weighted_mean(per_example, weights) + method.extra_loss(batch, features)


class ProductOfExperts(Method):
    """CE(log_softmax(log p + log b), y); only the main model is used at test time."""

    name = "poe"

    def log_probs(self, logits, batch, features):
        return F.log_softmax(F.log_softmax(logits, -1) + torch.log(batch.bias_probs + EPS), -1)


class LearnedMixin(Method):
    """CE(log_softmax(log p + g(x) log b), y) + w H(softmax(g(x) log b)), g = softplus(linear(h)).

    h is the model's last hidden representation (teacher activations, student spike rates).
    """

    name = "learned_mixin"
    defaults = {"entropy_weight": 0.1}

    def setup(self, ctx):
        super().setup(ctx)
        self.gate = nn.Linear(ctx.feature_width, 1)

    def parameters(self):
        return list(self.gate.parameters())

    def _scaled_bias(self, batch, features):
        return F.softplus(self.gate(features)) * torch.log(batch.bias_probs + EPS)

    def log_probs(self, logits, batch, features):
        return F.log_softmax(F.log_softmax(logits, -1) + self._scaled_bias(batch, features), -1)

    def extra_loss(self, batch, features):
        probs = F.softmax(self._scaled_bias(batch, features), -1)
        entropy = -(probs * torch.log(probs + EPS)).sum(-1).mean()
        return self.options["entropy_weight"] * entropy


class Reweight(Method):
    """w_i = 1 - b_{y_i}: examples the bias model gets right count less."""

    name = "reweight"

    def weights(self, logits, batch):
        return 1.0 - batch.bias_probs.gather(1, batch.y[:, None]).squeeze(1)


class ConfidenceRegularisation(Method):
    """Self-distillation from an ERM model t of the same role, scaled s_j ∝ t_j^(1 - b_y)."""

    name = "conf_reg"

    def setup(self, ctx):
        super().setup(ctx)
        self.teacher_probs = torch.from_numpy(np.asarray(ctx.erm_probs(), np.float32))

    def scale_target(self, probs, batch):
        exponent = 1.0 - batch.bias_probs.gather(1, batch.y[:, None])
        scaled = (probs + EPS) ** exponent
        return scaled / scaled.sum(-1, keepdim=True)

    def targets(self, batch):
        return self.scale_target(self.teacher_probs[batch.index], batch)


class Focal(Method):
    """w_i = (1 - p_{y_i})^gamma with the model's own (detached) probabilities."""

    name = "focal"
    defaults = {"gamma": 2.0}

    def weights(self, logits, batch):
        p_y = F.softmax(logits.detach(), -1).gather(1, batch.y[:, None]).squeeze(1)
        return (1.0 - p_y) ** self.options["gamma"] + EPS


class JustTrainTwice(Method):
    """JTT: an ERM model trained `id_epochs` epochs marks its training errors; they get weight
    `upweight` (loss weighting stands in for upsampling the error set)."""

    name = "jtt"
    defaults = {"id_epochs": 5, "upweight": 10.0}

    def setup(self, ctx):
        super().setup(ctx)
        predictions = ctx.identify(int(self.options["id_epochs"]))
        errors = predictions != ctx.labels
        self.example_weights = torch.from_numpy(
            np.where(errors, self.options["upweight"], 1.0).astype(np.float32)
        )
        self.error_fraction = float(errors.mean())

    def weights(self, logits, batch):
        return self.example_weights[batch.index]


class GroupDRO(Method):
    """Online Group DRO: q_g <- q_g exp(eta L_g) for the groups in the batch, then normalised;
    the loss is sum_g q_g L_g, i.e. w_i = q_{g_i} / n_{g_i} (batch counts)."""

    name = "group_dro"
    defaults = {"step_size": 0.1}

    def setup(self, ctx):
        super().setup(ctx)
        self.q = torch.full((ctx.num_groups,), 1.0 / ctx.num_groups)

    def weights(self, logits, batch):
        per_example = F.cross_entropy(logits.detach(), batch.y, reduction="none")
        counts = torch.bincount(batch.group, minlength=len(self.q)).float()
        group_loss = torch.zeros_like(self.q).index_add_(0, batch.group, per_example)
        present = counts > 0
        group_loss[present] /= counts[present]
        self.q[present] *= torch.exp(self.options["step_size"] * group_loss[present])
        self.q /= self.q.sum()
        return self.q[batch.group] / counts[batch.group]


def gce_loss(logits: torch.Tensor, y: torch.Tensor, q: float = 0.7) -> torch.Tensor:
    """Generalised CE per example (LfF's biased-model loss): CE * q * p_y^q, p_y detached.
    Up-weights examples the model already finds easy, so the model locks onto the bias."""
    p_y = F.softmax(logits, -1).gather(1, y[:, None]).squeeze(1).detach()
    return F.cross_entropy(logits, y, reduction="none") * q * p_y**q


class LearningFromFailure(Method):
    """LfF: a biased ANN co-trained with GCE; the main model's examples are weighted by the
    relative difficulty W = L_B / (L_B + L_D) of per-example loss averages (EMA, normalised by
    the class-wise maximum, as in alinlab/LfF)."""

    name = "lff"
    defaults = {"q": 0.7, "ema": 0.7, "lr": 1e-3}

    def setup(self, ctx):
        super().setup(ctx)
        self.biased = ctx.make_aux_model()
        self.optimiser = torch.optim.Adam(self.biased.parameters(), lr=self.options["lr"])
        self.ema_b = torch.zeros(ctx.num_examples)
        self.ema_d = torch.zeros(ctx.num_examples)
        self.labels = torch.from_numpy(ctx.labels)

    def _update(self, ema: torch.Tensor, index, loss) -> torch.Tensor:
        a = self.options["ema"]
        ema[index] = a * ema[index] + (1 - a) * loss.detach()
        class_max = torch.zeros(self.num_classes).scatter_reduce(
            0, self.labels, ema, "amax", include_self=False
        )
        return ema[index] / class_max[self.labels[index]].clamp_min(EPS)

    def weights(self, logits, batch):
        if batch.aux_inputs is None:
            raise ConfigError("method 'lff' needs ANN inputs for its biased model")
        biased_logits = self.biased(batch.aux_inputs).logits
        loss_b = gce_loss(biased_logits, batch.y, self.options["q"])
        self.optimiser.zero_grad()
        loss_b.mean().backward()
        self.optimiser.step()
        ce_b = F.cross_entropy(biased_logits.detach(), batch.y, reduction="none")
        ce_d = F.cross_entropy(logits.detach(), batch.y, reduction="none")
        norm_b = self._update(self.ema_b, batch.index, ce_b)
        norm_d = self._update(self.ema_d, batch.index, ce_d)
        return norm_b / (norm_b + norm_d + 1e-8) + EPS


_CLASSES = (
    Method,
    ProductOfExperts,
    LearnedMixin,
    Reweight,
    ConfidenceRegularisation,
    Focal,
    JustTrainTwice,
    GroupDRO,
    LearningFromFailure,
)
METHODS: dict[str, type[Method]] = {cls.name: cls for cls in _CLASSES}


def make_method(name: str, **options) -> Method:
    """A fresh method object by lower-case name (see METHODS); options override its defaults."""
    check_choice("method", name, METHODS)
    return METHODS[name](**options)
