"""Experiment grids: presets, their blocks, and the expansion into runnable units and models.

Sits at the top of the training API: `snnsoc experiment` picks a preset here, `sweep` runs its
units. A preset is a list of blocks; a block is a cartesian grid (datasets x rho x methods x KD
variants x remedies x seeds). Every (dataset, rho, seed) becomes one *unit* that trains, per
method, the teacher f_T, the student alone f_S and the distilled students g_{T->S} (one per KD
variant with remedy "none", one per remedy with the block's first KD variant).
"""

from __future__ import annotations

import dataclasses
import itertools

from snn.data import DATASETS, resolve_options
from snn.debias.methods import METHODS
from snn.distill.kd import KD_VARIANTS
from snn.distill.recipes import parse_remedy
from snn.errors import ConfigError, check_choice, check_open_unit

ROLES = ("teacher", "student", "distilled")
# Which methods need which helper model of the same role (trained first in the unit).
NEEDS_ERM = frozenset({"conf_reg"})


@dataclasses.dataclass(frozen=True)
class Block:
    datasets: tuple[str, ...]
    rhos: tuple[float, ...]
    methods: tuple[str, ...]
    kds: tuple[str, ...] = ("rate",)
    remedies: tuple[str, ...] = ("none",)
    seeds: tuple[int, ...] = (0,)

    def validate(self) -> None:
        for d in self.datasets:
            check_choice("dataset", d, DATASETS)
        for rho in self.rhos:
            check_open_unit("rho", rho)
        for m in self.methods:
            check_choice("method", m, METHODS)
        for k in self.kds:
            check_choice("kd", k, KD_VARIANTS)
        for remedy in self.remedies:
            parse_remedy(remedy)
        if not all((self.datasets, self.rhos, self.methods, self.kds, self.remedies, self.seeds)):
            raise ConfigError(f"every axis of a block needs at least one value: {self}")
        for s in self.seeds:
            if not isinstance(s, int) or s < 0:
                raise ConfigError(f"seed={s!r} must be an integer >= 0")


@dataclasses.dataclass(frozen=True)
class Setup:
    """Everything but the grid: model shapes, training lengths, dataset options."""

    student: dict  # student arch without inputs/outputs
    teacher_epochs: int = 30
    student_epochs: int = 30
    batch_size: int = 64
    lr: float = 2e-3
    image_teacher: tuple[str, dict] = ("mlp", {})
    nli_teacher: tuple[str, dict] = ("transformer", {})
    dataset_options: dict = dataclasses.field(default_factory=dict)  # per dataset name
    remedy_options: dict = dataclasses.field(default_factory=dict)
    bias_model: str = "known"


@dataclasses.dataclass(frozen=True)
class Preset:
    name: str
    description: str
    setup: Setup
    blocks: tuple[Block, ...]


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    role: str
    method: str
    kd: str = "none"
    remedy: str = "none"

    @property
    def key(self) -> str:
        """File-name-safe identifier, unique within a unit."""
        return f"{self.role}__{self.method}__{self.kd}__{self.remedy.replace('+', '-')}"


@dataclasses.dataclass(frozen=True)
class Unit:
    dataset: str
    rho: float
    seed: int
    models: tuple[ModelSpec, ...]
    setup: Setup

    @property
    def key(self) -> str:
        return f"{self.dataset}/rho{self.rho:g}/seed{self.seed}"


def _unit_models(blocks: list[Block]) -> list[ModelSpec]:
    specs: dict[str, ModelSpec] = {}

    def add(spec: ModelSpec) -> None:
        specs.setdefault(spec.key, spec)

    for block in blocks:
        for method in block.methods:
            if method in NEEDS_ERM:
                add(ModelSpec("teacher", "erm"))
                add(ModelSpec("student", "erm"))
            add(ModelSpec("teacher", method))
            add(ModelSpec("student", method))
            for kd in block.kds:
                add(ModelSpec("distilled", method, kd, "none"))
            for remedy in block.remedies:
                if remedy != "none":
                    add(ModelSpec("distilled", method, block.kds[0], remedy))
    order = {role: i for i, role in enumerate(ROLES)}
    # Teachers, then students, then distilled; ERM first inside each role (others reuse it).
    return sorted(specs.values(), key=lambda s: (order[s.role], s.method != "erm", s.key))


def expand(preset: Preset) -> list[Unit]:
    """The units of `preset`, one per (dataset, rho, seed), each with its sorted model list."""
    per_unit: dict[tuple, list[Block]] = {}
    first_block: dict[tuple, int] = {}
    for index, block in enumerate(preset.blocks):
        block.validate()
        for dataset, rho, seed in itertools.product(block.datasets, block.rhos, block.seeds):
            resolve_options(dataset, {**preset.setup.dataset_options.get(dataset, {}), "rho": rho})
            key = (dataset, float(rho), seed)
            per_unit.setdefault(key, []).append(block)
            first_block.setdefault(key, index)
    # Units run in the order of the first block that needs them, seeds ascending within it: a
    # sweep stopped early holds the first blocks for whole seeds.
    ordered = sorted(
        per_unit.items(),
        key=lambda item: (first_block[item[0]], item[0][2], item[0][0], item[0][1]),
    )
    return [
        Unit(d, r, s, tuple(_unit_models(blocks)), preset.setup) for (d, r, s), blocks in ordered
    ]


def override(
    preset: Preset, *, datasets=None, rhos=None, methods=None, seeds=None, kds=None, remedies=None
) -> Preset:
    """`preset` with the given axes replaced in every block (None keeps the preset's)."""
    changes = {
        name: tuple(value)
        for name, value in (
            ("datasets", datasets),
            ("rhos", rhos),
            ("methods", methods),
            ("seeds", seeds),
            ("kds", kds),
            ("remedies", remedies),
        )
        if value
    }
    if "rhos" in changes:
        changes["rhos"] = tuple(check_open_unit("rho", r) for r in changes["rhos"])
    blocks = tuple(dataclasses.replace(b, **changes) for b in preset.blocks)
    return dataclasses.replace(preset, blocks=blocks)
