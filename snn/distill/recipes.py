"""The three model roles of the study and the remedies, as functions over `snn.distill.train.fit`.

    teacher = train_teacher(train, "poe")                               # f_T: ANN + debiasing
    alone   = train_student(train, arch, "poe")                         # f_S: the student alone
    student = distill(train, teacher, arch, "poe", kd="rate")           # g_{T->S}
    better  = distill(train, teacher, arch, "poe", remedy="convert+augment")

Sits between the data/models/debias packages and the experiment runner. A recipe fits the bias-only
model, sets the method up (training the helper models it needs: an ERM model of the same role for
conf-reg, a short ERM run for JTT's error set, an ANN biased model for LfF) and calls `fit`.

Remedies (the paper's three, for spiking students; combine with "+", e.g. "convert+augment"):
    augment     transfer set = training set + `augment_fraction` x N bias-conflicting
                counterfactuals (snn.data.counterfactuals), labelled by the teacher (KD) and by
                their true class (own loss)
    chain       iterative KD through a teacher assistant: teacher -> a spiking student `ta_scale`
                times wider -> the student
    born_again  iterative KD in `rounds` born-again generations: each round's student teaches a
                fresh student of the same arch
    convert     initialise from the teacher's weights: ANN-to-SNN conversion of a QCFS MLP with
                the student's shape (the teacher itself when it is one, else a QCFS twin distilled
                from the teacher), then KD fine-tuning
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import torch
from torch import nn

from snn.data import counterfactuals
from snn.data.dataset import Dataset
from snn.debias.bias_models import fit_bias_model
from snn.debias.methods import Method, SetupContext, make_method
from snn.distill.kd import KDConfig, kd_variant
from snn.distill.train import TrainConfig, fit
from snn.errors import ConfigError
from snn.models.convert import student_from_teacher
from snn.models.infer import student_outputs, teacher_outputs
from snn.models.student import SpikingStudent
from snn.models.teachers import MLPTeacher, build_teacher
from snn.seeding import torch_seed

REMEDIES = ("none", "augment", "chain", "born_again", "convert")
REMEDY_DEFAULTS = {"augment_fraction": 0.5, "ta_scale": 2, "rounds": 1}


def parse_remedy(remedy: str) -> frozenset[str]:
    """The set of remedy parts in "a+b" (order free); "none" is the empty set."""
    parts = frozenset(p for p in remedy.split("+") if p)
    unknown = parts - set(REMEDIES)
    if not parts or unknown or ("none" in parts and len(parts) > 1):
        raise ConfigError(
            f"remedy={remedy!r} is not known; valid: {', '.join(REMEDIES)} "
            f"or parts joined by '+' (e.g. convert+augment)"
        )
    return parts - {"none"}


def _derived(config: TrainConfig, *names: object, **changes) -> TrainConfig:
    return dataclasses.replace(config, seed=torch_seed(config.seed, *names) % 2**31, **changes)


def _as_kd(kd: str | KDConfig) -> KDConfig:
    return kd if isinstance(kd, KDConfig) else kd_variant(kd)


def _setup(
    method: Method,
    train: Dataset,
    feature_width: int,
    config: TrainConfig,
    *,
    erm_probs,
    identify,
    make_aux,
) -> None:
    method.setup(
        SetupContext(
            num_examples=len(train),
            num_classes=train.num_classes,
            num_groups=train.num_groups,
            labels=train.y,
            feature_width=feature_width,
            erm_probs=erm_probs,
            identify=identify,
            make_aux_model=make_aux,
            seed=config.seed,
        )
    )


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = logits - logits.max(1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(1, keepdims=True)


# -- teachers -----------------------------------------------------------------------------------


def train_teacher(
    train: Dataset,
    method: str = "erm",
    *,
    kind: str = "mlp",
    teacher_config: dict | None = None,
    config: TrainConfig | None = None,
    bias_model: str = "known",
    method_options: dict | None = None,
    erm_model: nn.Module | None = None,
) -> nn.Module:
    """f_T: a fresh ANN teacher of `kind` trained on `train` with the debiasing `method`.
    `erm_model` (an ERM teacher of the same kind) is reused by conf-reg instead of training one."""
    config = config or TrainConfig()
    teacher_config = dict(teacher_config or {})
    torch.manual_seed(torch_seed(config.seed, "teacher-init"))
    teacher = build_teacher(kind, train, **teacher_config)
    algorithm = make_method(method, **(method_options or {}))
    bias_probs = fit_bias_model(bias_model, train, config.seed).predict(train)

    def erm_probs():
        model = erm_model or train_teacher(
            train,
            "erm",
            kind=kind,
            teacher_config=teacher_config,
            config=_derived(config, "erm"),
            bias_model=bias_model,
        )
        return _softmax(teacher_outputs(model, train).logits)

    def identify(epochs):
        model = train_teacher(
            train,
            "erm",
            kind=kind,
            teacher_config=teacher_config,
            config=_derived(config, "jtt-id", epochs=epochs),
        )
        return teacher_outputs(model, train).logits.argmax(1)

    def make_aux():
        return build_teacher(kind, train, **teacher_config)

    width = teacher(teacher.inputs(train)[:2]).features[-1].shape[-1]
    _setup(
        algorithm, train, width, config, erm_probs=erm_probs, identify=identify, make_aux=make_aux
    )
    teacher.history = fit(
        teacher, train, algorithm, config, bias_probs=bias_probs, aux_inputs=teacher.inputs(train)
    )
    return teacher


# -- students -----------------------------------------------------------------------------------


def train_student(
    train: Dataset,
    arch: dict,
    method: str = "erm",
    *,
    teacher: nn.Module | None = None,
    kd: str | KDConfig = "rate",
    init: SpikingStudent | None = None,
    config: TrainConfig | None = None,
    bias_model: str = "known",
    method_options: dict | None = None,
    erm_student: SpikingStudent | None = None,
    bias_fit: Dataset | None = None,
) -> SpikingStudent:
    """A spiking student trained on `train`: alone with `method` (f_S) when `teacher` is None,
    else distilled from `teacher` (an ANN or a spiking student) with `kd`, where `method` acts
    as the KD variant's `debias` placement says. `init` is a student to start from (else fresh);
    `erm_student` is reused by conf-reg; `bias_fit` is the set the bias-only model is fitted on
    (default `train`; the remedies pass the original training set)."""
    config = config or TrainConfig()
    kd_cfg = _as_kd(kd) if teacher is not None else None
    torch.manual_seed(torch_seed(config.seed, "student-init"))
    student = SpikingStudent(arch) if init is None else init
    algorithm = make_method(method, **(method_options or {}))
    bias_probs = fit_bias_model(bias_model, bias_fit or train, config.seed).predict(train)
    if kd_cfg is None or kd_cfg.debias != "none":

        def erm_probs():
            model = erm_student or train_student(
                train, student.arch, "erm", config=_derived(config, "erm")
            )
            return _softmax(student_outputs(model, train, seed=config.seed).logits)

        def identify(epochs):
            model = train_student(
                train, student.arch, "erm", config=_derived(config, "jtt-id", epochs=epochs)
            )
            return student_outputs(model, train, seed=config.seed).logits.argmax(1)

        def make_aux():
            return build_teacher("mlp", train)

        _setup(
            algorithm,
            train,
            student.arch["hidden"][-1],
            config,
            erm_probs=erm_probs,
            identify=identify,
            make_aux=make_aux,
        )
    student.history = fit(
        student,
        train,
        algorithm,
        config,
        bias_probs=bias_probs,
        kd=kd_cfg,
        kd_teacher=teacher,
        aux_inputs=torch.from_numpy(train.x),
    )
    return student


def _converted_init(
    train: Dataset,
    teacher: nn.Module,
    arch: dict,
    method: str,
    kd: KDConfig,
    config: TrainConfig,
    common: dict,
) -> SpikingStudent:
    """A student initialised from `teacher`'s weights (directly, or through a QCFS twin)."""
    shape = SpikingStudent(arch).arch
    direct = isinstance(teacher, MLPTeacher) and (
        teacher.config["inputs"],
        teacher.config["hidden"],
        teacher.config["outputs"],
    ) == (shape["inputs"], shape["hidden"], shape["outputs"])
    source = teacher
    if not direct:
        torch.manual_seed(torch_seed(config.seed, "twin-init"))
        source = MLPTeacher(
            shape["inputs"], shape["outputs"], shape["hidden"], "qcfs", shape["num_steps"]
        )
        algorithm = make_method(method, **(common.get("method_options") or {}))
        bias_probs = fit_bias_model(common.get("bias_model", "known"), train, config.seed).predict(
            train
        )
        if kd.debias != "none":
            raise ConfigError(
                "convert through a QCFS twin supports kd variants with debias "
                "'none' only; use an MLP teacher shaped like the student"
            )
        fit(
            source,
            train,
            algorithm,
            _derived(config, "twin"),
            bias_probs=bias_probs,
            kd=kd,
            kd_teacher=teacher,
        )
    return student_from_teacher(source, arch, calibration=torch.from_numpy(train.x))


def distill(
    train: Dataset,
    teacher: nn.Module,
    arch: dict,
    method: str = "erm",
    *,
    kd: str | KDConfig = "rate",
    remedy: str = "none",
    remedy_options: dict | None = None,
    config: TrainConfig | None = None,
    bias_model: str = "known",
    method_options: dict | None = None,
    erm_student: SpikingStudent | None = None,
) -> SpikingStudent:
    """g_{T->S}: `teacher` distilled into a spiking student of `arch`, with the remedies in
    `remedy` (module docstring). `method` is the teacher's debiasing method; it acts on the
    student only where the KD variant's `debias` placement says."""
    config = config or TrainConfig()
    parts = parse_remedy(remedy)
    unknown = set(remedy_options or {}) - set(REMEDY_DEFAULTS)
    if unknown:
        raise ConfigError(
            f"remedy option(s) {', '.join(sorted(unknown))} not known; "
            f"valid: {', '.join(sorted(REMEDY_DEFAULTS))}"
        )
    options = {**REMEDY_DEFAULTS, **(remedy_options or {})}
    kd_cfg = _as_kd(kd)
    common: dict[str, Any] = {"bias_model": bias_model, "method_options": method_options}
    transfer = train
    if "augment" in parts:
        count = round(options["augment_fraction"] * len(train))
        extra = counterfactuals(train.name, train.seed, count, **train.options)
        transfer = train.concat(extra, split="transfer")
    init = None
    if "convert" in parts:
        init = _converted_init(transfer, teacher, arch, method, kd_cfg, config, common)
    source = teacher
    if "chain" in parts:
        ta_arch = {
            **arch,
            "hidden": [h * int(options["ta_scale"]) for h in SpikingStudent(arch).arch["hidden"]],
        }
        source = train_student(
            transfer,
            ta_arch,
            method,
            teacher=teacher,
            kd=kd_cfg,
            config=_derived(config, "ta"),
            bias_fit=train,
            **common,
        )
    student = train_student(
        transfer,
        arch,
        method,
        teacher=source,
        kd=kd_cfg,
        init=init,
        config=config,
        erm_student=erm_student,
        bias_fit=train,
        **common,
    )
    if "born_again" in parts:
        for generation in range(int(options["rounds"])):
            student = train_student(
                transfer,
                arch,
                method,
                teacher=student,
                kd=kd_cfg,
                config=_derived(config, "born-again", generation),
                bias_fit=train,
                **common,
            )
    return student
