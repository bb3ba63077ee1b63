"""ANN teachers: an MLP and a small CNN for images, a small transformer for the synthetic NLI set.

Sits between `snn.data` and `snn.distill`: `snn.debias` trains a teacher with a debiasing loss,
then its logits are distilled into a spiking student. Every teacher is rebuilt from `(kind,
config)`, reads its input from a `Dataset` with `inputs(ds)`, and returns a `TeacherOutput` whose
per-layer features feed the learned-mixin gate and the teacher-student CKA.

The MLP's hidden activation is ReLU or QCFS (quantisation-clip-floor-shift, Bu et al. ICLR 2023):
    h = lambda * clamp(floor(a * L / lambda + 1/2) / L, 0, 1),   lambda learned per layer,
floor with a straight-through gradient. A QCFS MLP whose hidden sizes match a student's converts
into that student (`snn.models.convert`).
"""

from __future__ import annotations

from typing import NamedTuple, cast

import torch
import torch.nn.functional as F
from torch import nn

from snn.data.dataset import Dataset
from snn.errors import ConfigError, DataError, check_choice

ACTIVATIONS = ("relu", "qcfs")


class TeacherOutput(NamedTuple):
    """logits [B, classes]; features: one [B, width] activation per hidden layer, input first."""

    logits: torch.Tensor
    features: list[torch.Tensor]


class QCFS(nn.Module):
    """The QCFS activation with L levels and a learned clip `lam` (see the module docstring)."""

    def __init__(self, levels: int, lam: float = 2.0) -> None:
        super().__init__()
        self.levels = levels
        self.lam = nn.Parameter(torch.tensor(float(lam)))

    def forward(self, a: torch.Tensor) -> torch.Tensor:
        scaled = a * self.levels / self.lam + 0.5
        floored = scaled + (torch.floor(scaled) - scaled).detach()
        return self.lam * torch.clamp(floored / self.levels, 0.0, 1.0)


class MLPTeacher(nn.Module):
    kind = "mlp"
    history: list[dict]  # fit's per-epoch log, attached once trained

    def __init__(
        self,
        inputs: int,
        outputs: int,
        hidden=(256, 256),
        activation: str = "relu",
        levels: int = 16,
    ) -> None:
        super().__init__()
        check_choice("teacher.activation", activation, ACTIVATIONS)
        self.config = {
            "inputs": inputs,
            "outputs": outputs,
            "hidden": list(hidden),
            "activation": activation,
            "levels": levels,
        }
        sizes = [inputs, *hidden]
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(sizes, sizes[1:], strict=False))
        self.acts = nn.ModuleList(
            QCFS(levels) if activation == "qcfs" else nn.ReLU() for _ in hidden
        )
        self.head = nn.Linear(sizes[-1], outputs)

    @property
    def linear_layers(self) -> list[nn.Linear]:
        """`layers`, typed: a ModuleList yields plain Modules to a type checker."""
        return [cast(nn.Linear, layer) for layer in self.layers]

    @staticmethod
    def inputs(ds: Dataset) -> torch.Tensor:
        return torch.from_numpy(ds.x)

    def forward(self, x: torch.Tensor) -> TeacherOutput:
        features = []
        for layer, act in zip(self.layers, self.acts, strict=True):
            x = act(layer(x))
            features.append(x)
        return TeacherOutput(self.head(x), features)


class CNNTeacher(nn.Module):
    kind = "cnn"
    history: list[dict]  # fit's per-epoch log, attached once trained

    def __init__(self, image_shape, outputs: int, channels=(16, 32), hidden: int = 64) -> None:
        super().__init__()
        self.config = {
            "image_shape": list(image_shape),
            "outputs": outputs,
            "channels": list(channels),
            "hidden": hidden,
        }
        c, h, w = image_shape
        self.conv1 = nn.Conv2d(c, channels[0], 3, padding=1)
        self.conv2 = nn.Conv2d(channels[0], channels[1], 3, padding=1)
        self.fc = nn.Linear(channels[1] * (h // 2) * (w // 2), hidden)
        self.head = nn.Linear(hidden, outputs)

    def inputs(self, ds: Dataset) -> torch.Tensor:
        if ds.image_shape is None or list(ds.image_shape) != self.config["image_shape"]:
            raise DataError(
                f"cnn teacher needs images {self.config['image_shape']}, "
                f"dataset {ds.name!r} has {ds.image_shape}"
            )
        return torch.from_numpy(ds.x).reshape(len(ds), *ds.image_shape)

    def forward(self, x: torch.Tensor) -> TeacherOutput:
        a1 = F.relu(self.conv1(x))
        a2 = F.max_pool2d(F.relu(self.conv2(a1)), 2)
        a3 = F.relu(self.fc(a2.flatten(1)))
        return TeacherOutput(self.head(a3), [a1.flatten(1), a2.flatten(1), a3])


class _Block(nn.Module):
    """Pre-norm transformer block that keeps its last attention map (for the mechanistic plots)."""

    def __init__(self, dim: int, heads: int) -> None:
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.attn = nn.MultiheadAttention(dim, heads, batch_first=True)
        self.mlp = nn.Sequential(nn.Linear(dim, 2 * dim), nn.GELU(), nn.Linear(2 * dim, dim))
        self.last_attention: torch.Tensor | None = None

    def forward(self, h: torch.Tensor, pad: torch.Tensor) -> torch.Tensor:
        q = self.norm1(h)
        a, weights = self.attn(
            q, q, q, key_padding_mask=pad, need_weights=True, average_attn_weights=False
        )
        self.last_attention = weights.detach()  # [B, heads, L, L]
        h = h + a
        return h + self.mlp(self.norm2(h))


class TransformerTeacher(nn.Module):
    """Token + position embeddings, pre-norm blocks, masked mean pooling, linear head."""

    kind = "transformer"
    history: list[dict]  # fit's per-epoch log, attached once trained

    def __init__(
        self,
        vocab_size: int,
        seq_len: int,
        outputs: int,
        dim: int = 32,
        heads: int = 2,
        layers: int = 2,
    ) -> None:
        super().__init__()
        self.config = {
            "vocab_size": vocab_size,
            "seq_len": seq_len,
            "outputs": outputs,
            "dim": dim,
            "heads": heads,
            "layers": layers,
        }
        self.embed = nn.Embedding(vocab_size, dim, padding_idx=0)
        self.position = nn.Parameter(torch.randn(seq_len, dim) * 0.02)
        self.blocks = nn.ModuleList(_Block(dim, heads) for _ in range(layers))
        self.norm = nn.LayerNorm(dim)
        self.head = nn.Linear(dim, outputs)

    @staticmethod
    def inputs(ds: Dataset) -> torch.Tensor:
        if ds.tokens is None:
            raise DataError(f"transformer teacher needs tokens; dataset {ds.name!r} has none")
        return torch.from_numpy(ds.tokens)

    def forward(self, tokens: torch.Tensor) -> TeacherOutput:
        pad = tokens == 0
        keep = (~pad).unsqueeze(-1).float()
        h = self.embed(tokens) + self.position
        features = []
        for block in self.blocks:
            h = block(h, pad)
            features.append((h * keep).sum(1) / keep.sum(1))
        pooled = (self.norm(h) * keep).sum(1) / keep.sum(1)
        return TeacherOutput(self.head(pooled), features)

    def attention_maps(self) -> list[torch.Tensor | None]:
        """The last forward's attention weights per block: [B, heads, L, L] each (None before the
        first forward)."""
        return [cast(_Block, b).last_attention for b in self.blocks]


TEACHERS = {cls.kind: cls for cls in (MLPTeacher, CNNTeacher, TransformerTeacher)}
# Any teacher: each reads its input with `inputs(ds)` and returns a TeacherOutput.
Teacher = MLPTeacher | CNNTeacher | TransformerTeacher


def build_teacher(kind: str, ds: Dataset, **config) -> Teacher:
    """A fresh teacher of `kind` shaped for dataset `ds` (inputs, classes, image or vocabulary)."""
    check_choice("teacher", kind, TEACHERS)
    try:
        if kind == "mlp":
            return MLPTeacher(ds.num_features, ds.num_classes, **config)
        if kind == "cnn":
            if ds.image_shape is None:
                raise ConfigError(f"teacher 'cnn' needs an image dataset; {ds.name!r} is not one")
            return CNNTeacher(ds.image_shape, ds.num_classes, **config)
        if ds.tokens is None:
            raise ConfigError(f"teacher 'transformer' needs a token dataset; {ds.name!r} has none")
        return TransformerTeacher(ds.vocab_size, ds.tokens.shape[1], ds.num_classes, **config)
    except TypeError as err:  # unknown config key
        raise ConfigError(f"teacher {kind!r}: {err}") from None


def rebuild_teacher(kind: str, config: dict) -> Teacher:
    """A fresh teacher from a saved `(kind, config)`."""
    check_choice("teacher", kind, TEACHERS)
    return TEACHERS[kind](**config)
