"""The one training loop: a teacher or a student, a debiasing method, optionally a KD teacher.

Sits under the recipes (`snn.distill.recipes`): they pick the data, the method and the teacher;
`fit` runs minibatch Adam for a fixed number of epochs. Students see fresh rate-coded spikes every
epoch (seeded per epoch, so a rerun reproduces them) and train BPTT through the fused engine;
the student's logits are its readout membrane averaged over time.
"""

from __future__ import annotations

import dataclasses
from typing import NamedTuple, cast

import numpy as np
import torch
from torch import nn
from tqdm.auto import tqdm

from snn.data.dataset import Dataset
from snn.data.encode import encode
from snn.debias.methods import Batch, Method, make_method, own_loss
from snn.determinism import reproducible
from snn.distill.kd import KDConfig, kd_term
from snn.errors import ConfigError, check_choice
from snn.models.student import ENGINES, SpikingStudent
from snn.models.teachers import Teacher
from snn.seeding import rng, torch_seed


@dataclasses.dataclass(frozen=True)
class TrainConfig:
    epochs: int = 30
    batch_size: int = 64
    lr: float = 2e-3
    weight_decay: float = 0.0
    seed: int = 0
    engine: str = "fused"  # student forward engine (see SpikingStudent.forward)
    progress: bool = False

    def __post_init__(self) -> None:
        for name in ("epochs", "batch_size"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1:
                raise ConfigError(f"train.{name}={getattr(self, name)!r} must be an integer >= 1")
        if not self.lr > 0:
            raise ConfigError(f"train.lr={self.lr} must be > 0")
        check_choice("train.engine", self.engine, ENGINES)


_PLAIN = make_method("erm")  # the plain CE of KD's own term when the method acts elsewhere


class SpikeSource:
    """Spike trains of a dataset for training, [T, N, F] float, a fresh seeded draw per epoch.

    Rate coding draws Bernoulli(x) spikes with NumPy (the distribution `snn.data.encode` draws
    through snntorch.spikegen, at a fifth of the cost); latency coding is deterministic and
    encoded once.
    """

    def __init__(self, ds: Dataset, encoding: str, num_steps: int, seed: int) -> None:
        self.ds, self.encoding, self.num_steps, self.seed = ds, encoding, num_steps, seed
        self._cached: tuple[int, torch.Tensor] | None = None  # (epoch, its spikes)

    def epoch(self, epoch: int) -> torch.Tensor:
        if self.encoding == "latency":
            epoch = 0
        if self._cached is None or self._cached[0] != epoch:
            self._cached = (epoch, self._draw(epoch))
        return self._cached[1]

    def _draw(self, epoch: int) -> torch.Tensor:
        if self.encoding == "rate":
            draw = rng(self.seed, "train-spikes", epoch).random(
                (self.num_steps, *self.ds.x.shape), dtype=np.float32
            )
            return torch.from_numpy((draw < self.ds.x).astype(np.float32))
        spikes = encode(self.ds.x, self.encoding, self.num_steps, seed=self.seed)
        return torch.from_numpy(spikes).transpose(0, 1).float()


class Forward(NamedTuple):
    logits: torch.Tensor  # [B, C]
    features: torch.Tensor  # [B, width]: the last hidden representation
    readout: torch.Tensor  # [T, B, C]; ANNs: logits as one step
    spike_rate: torch.Tensor | float  # mean hidden spike probability (students), else 0


class Learner:
    """A model bound to the training set: `forward(index)` on the examples at `index`.
    Students read the shared `spikes` (so a spiking KD teacher sees the student's input)."""

    def __init__(
        self, model: nn.Module, ds: Dataset, spikes: SpikeSource | None, engine: str
    ) -> None:
        self.model, self.engine, self.spikes = model, engine, spikes
        self.is_student = isinstance(model, SpikingStudent)
        if not self.is_student:
            self.inputs = cast(Teacher, model).inputs(ds)
        self.current: torch.Tensor | None = None

    def start_epoch(self, epoch: int) -> None:
        if self.is_student:
            self.current = cast(SpikeSource, self.spikes).epoch(epoch)  # students have spikes

    def forward(self, index: torch.Tensor) -> Forward:
        if not self.is_student:
            out = self.model(self.inputs[index])
            return Forward(out.logits, out.features[-1], out.logits[None], 0.0)
        current = cast(torch.Tensor, self.current)  # set by start_epoch
        out = self.model(current[:, index], engine=self.engine)
        rate = torch.stack([s.mean() for s in out.hidden_spikes]).mean()
        return Forward(out.logits(), out.hidden_spikes[-1].mean(0), out.readout, rate)


def _spike_source(train: Dataset, models: list[nn.Module], seed: int) -> SpikeSource | None:
    archs = {
        (m.arch["encoding"], m.arch["num_steps"]) for m in models if isinstance(m, SpikingStudent)
    }
    if not archs:
        return None
    if len(archs) > 1:
        raise ConfigError(
            f"fit: student and spiking teacher need the same (encoding, "
            f"num_steps); got {sorted(archs)}"
        )
    encoding, steps = archs.pop()
    return SpikeSource(train, encoding, steps, torch_seed(seed, "fit-spikes") % 2**31)


class _Labels:
    """Per-example tensors of the training set, sliced into a `Batch` by index."""

    def __init__(self, train: Dataset, bias_probs: np.ndarray, aux_inputs) -> None:
        self.y = torch.from_numpy(train.y)
        self.group = torch.from_numpy(train.group)
        self.bias = torch.from_numpy(np.asarray(bias_probs, np.float32))
        self.aux = aux_inputs

    def batch(self, index: torch.Tensor) -> Batch:
        aux = None if self.aux is None else self.aux[index]
        return Batch(index, self.y[index], self.group[index], self.bias[index], aux)


def _batch_loss(
    learner: Learner, teacher: Learner | None, batch: Batch, method: Method, kd: KDConfig | None
) -> dict[str, torch.Tensor]:
    """The loss of one minibatch (see `fit`) and its parts."""
    out = learner.forward(batch.index)
    uses_method = kd is None or kd.debias != "none"
    weights = method.weights(out.logits, batch) if uses_method else None
    if kd is None or kd.debias_own:
        own = own_loss(method, out.logits, out.features, batch, weights)
    else:
        own = own_loss(_PLAIN, out.logits, out.features, batch, None)
    if teacher is None:
        return {"loss": own, "own": own}
    assert kd is not None  # a teacher comes with its KDConfig
    with torch.no_grad():
        teacher_logits = teacher.forward(batch.index).logits
    distil = kd_term(
        kd,
        out.readout,
        teacher_logits,
        method=method,
        batch=batch,
        features=out.features,
        weights=weights,
    )
    loss = (1 - kd.alpha) * own + kd.alpha * distil + kd.spike_reg * out.spike_rate
    return {"loss": loss, "own": own, "kd": distil}


@reproducible
def fit(
    model: nn.Module,
    train: Dataset,
    method: Method,
    config: TrainConfig,
    *,
    bias_probs: np.ndarray,
    kd: KDConfig | None = None,
    kd_teacher: nn.Module | None = None,
    aux_inputs: torch.Tensor | None = None,
) -> list[dict]:
    """Train `model` in place on `train`; returns one dict of mean losses per epoch.

    Without `kd`, the loss is the method's own loss. With `kd` and `kd_teacher` it is
    (1 - alpha) * own + alpha * KD + spike_reg * rate (snn.distill.kd). `method` must already
    be set up (`Method.setup`). `aux_inputs` are the ANN inputs LfF's biased model reads.
    """
    if (kd is None) != (kd_teacher is None):
        raise ConfigError("fit: pass both kd and kd_teacher, or neither")
    torch.manual_seed(torch_seed(config.seed, "fit-init"))
    spikes = _spike_source(train, [m for m in (model, kd_teacher) if m is not None], config.seed)
    learner = Learner(model, train, spikes, config.engine)
    teacher = None
    if kd_teacher is not None:
        kd_teacher.eval()
        teacher = Learner(kd_teacher, train, spikes, config.engine)
    method_used = kd is None or kd.debias != "none"  # else the method is not even set up
    params = list(model.parameters()) + (method.parameters() if method_used else [])
    optimiser = torch.optim.Adam(params, lr=config.lr, weight_decay=config.weight_decay)
    labels = _Labels(train, bias_probs, aux_inputs)
    order = torch.Generator().manual_seed(torch_seed(config.seed, "fit-order"))
    history = []
    epochs = tqdm(
        range(config.epochs), desc=type(model).__name__, disable=not config.progress, leave=False
    )
    for epoch in epochs:
        model.train()
        learner.start_epoch(epoch)
        if teacher is not None:
            teacher.start_epoch(epoch)
        totals = {"loss": 0.0, "own": 0.0, "kd": 0.0}
        batches = torch.randperm(len(train), generator=order).split(config.batch_size)
        for index in batches:
            losses = _batch_loss(learner, teacher, labels.batch(index), method, kd)
            optimiser.zero_grad()
            losses["loss"].backward()
            optimiser.step()
            for key, value in losses.items():
                totals[key] += float(value.detach())
        if method_used:
            method.end_epoch(epoch)
        history.append({k: v / len(batches) for k, v in totals.items()})
    model.eval()
    return history
