"""The training stages: the debiased ANN teacher, the deployed spiking student, the C1/C2 baselines.

Where it sits: first in the pipeline, ahead of the quantiser. Models are trained and scored by the
experiment runner's `UnitRun` (snn.experiments.runner), the code the study's sweeps use, so a
pipeline model is the sweep's model for the same setting and seed: the default config reproduces
the `paper` preset's seed-0 PoE teacher and its convert+augment student. Each stage's UnitRun
writes into the stage's folder (`<stage>/runs/<dataset>/rho<rho>/seed<seed>/<model>.pt|.json`);
models of earlier stages are handed to it already loaded.

teacher    f_T: the teacher with the debiasing method (and the ERM teacher conf-reg needs)
student    g_T->S: distilled with the KD variant and the remedy; the student the SoC runs
baselines  f_S (the student trained alone with the method) and g_T->S with plain KD: the study's
           C1 (teacher vs distilled) and C2 (alone vs distilled) comparisons for this run
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from riscv_soc.energy import module_macs
from riscv_soc.nir import student_to_graph, write_graph
from riscv_soc.pipeline.scoring import scores
from riscv_soc.runfolder.config import PipelineConfig
from riscv_soc.runfolder.context import EVAL_SPLIT, Context
from riscv_soc.runfolder.metrics import (
    ACCURACY_KEYS,
    BaselineModel,
    BaselinesMetrics,
    Scores,
    StudentMetrics,
    TeacherMetrics,
)
from snn.determinism import TRAIN_THREADS
from snn.experiments.grid import NEEDS_ERM, ModelSpec, Setup, Unit
from snn.experiments.runner import UnitRun, read_result, unit_dir
from snn.models.checkpoint import load_teacher, save_student
from snn.models.infer import student_outputs, teacher_outputs


def _unit(config: PipelineConfig, specs: list):
    data, teacher, student, train = config.data, config.teacher, config.student, config.train
    teacher_model = (teacher.kind, dict(teacher.options))
    setup = Setup(
        student=dict(student.arch),
        teacher_epochs=teacher.epochs,
        student_epochs=student.epochs,
        batch_size=train.batch_size,
        lr=train.lr,
        image_teacher=teacher_model,
        nli_teacher=teacher_model,
        dataset_options={data.dataset: dict(data.options)},
        remedy_options={"augment_fraction": student.augment_fraction},
        bias_model=train.bias_model,
    )
    return Unit(data.dataset, data.rho, data.seed, tuple(specs), setup)


def _specs(config: PipelineConfig) -> dict:
    """The ModelSpecs of the run by role: teacher, deployed, alone, plain, and ERM helpers."""
    method, student = config.teacher.method, config.student
    erm = method in NEEDS_ERM
    return {
        "teacher": ModelSpec("teacher", method),
        "deployed": ModelSpec("distilled", method, student.kd, student.remedy),
        "alone": ModelSpec("student", method),
        "plain": ModelSpec("distilled", method, student.kd, "none"),
        "erm_teachers": [ModelSpec("teacher", "erm")] if erm else [],
        "erm_students": [ModelSpec("student", "erm")] if erm else [],
    }


def _unit_run(ctx: Context, folder: Path, specs: list, with_teachers: bool = True):
    """A UnitRun writing into `folder`, holding the teacher stage's models already."""
    import torch

    torch.set_num_threads(TRAIN_THREADS)  # as the sweep workers: the study's models, bit for bit
    unit = _unit(ctx.config, specs)
    run = UnitRun(unit, folder)
    if with_teachers:
        roles = _specs(ctx.config)
        for spec in [*roles["erm_teachers"], roles["teacher"]]:
            path = unit_dir(ctx.path("teacher"), unit) / f"{spec.key}.pt"
            run.models[spec.key] = load_teacher(path)
    return run


def _row(run, spec) -> dict:
    """The model's result row on the test split, as the runner scored it."""
    rows = read_result(run.path(spec, ".json"))["rows"]
    return next(r for r in rows if r["split"] == EVAL_SPLIT)


def _checked(predictions: np.ndarray, run, spec) -> Scores:
    """Scores of `predictions`, which must be the ones the runner scored (same spikes, same
    model): a difference means the pipeline's encoding has drifted from the runner's."""
    ours, row = scores(predictions, run.evals[EVAL_SPLIT]), _row(run, spec)
    theirs = {k: np.nan if row[k] is None else row[k] for k in ACCURACY_KEYS}  # JSON null: NaN
    if any(not np.isclose(getattr(ours, k), theirs[k], equal_nan=True) for k in ACCURACY_KEYS):
        raise RuntimeError(f"{spec.key}: predictions scored {ours}, the runner scored {row}")
    return ours


def teacher(ctx: Context, folder: Path) -> TeacherMetrics:
    """Train f_T; save its test predictions and count its MACs per inference."""
    roles = _specs(ctx.config)
    spec = roles["teacher"]
    run = _unit_run(ctx, folder, [*roles["erm_teachers"], spec], with_teachers=False)
    for each in [*roles["erm_teachers"], spec]:
        run.run_model(each)
    model, test = run.model(spec), run.evals[EVAL_SPLIT]
    predictions = teacher_outputs(model, test).logits.argmax(1)
    np.save(folder / "predictions.npy", predictions)
    return TeacherMetrics(
        model=spec.key,
        scores=_checked(predictions, run, spec),
        macs=int(module_macs(model, model.inputs(test)[:1])),
    )


def student(ctx: Context, folder: Path) -> StudentMetrics:
    """Distil g_T->S; save its checkpoint under a fixed name, its NIR graph and predictions."""
    roles = _specs(ctx.config)
    spec = roles["deployed"]
    run = _unit_run(ctx, folder, [*roles["erm_students"], spec])
    for each in [*roles["erm_students"], spec]:
        run.run_model(each)
    model = run.model(spec)
    save_student(model, folder / "student.pt", meta={"pipeline_model": spec.key})
    write_graph(student_to_graph(model), folder / "student.nir")
    out = student_outputs(model, run.evals[EVAL_SPLIT], seed=ctx.eval_seed)
    predictions = out.logits.argmax(1)
    np.save(folder / "predictions.npy", predictions)
    row = _row(run, spec)
    return StudentMetrics(
        model=spec.key,
        scores=_checked(predictions, run, spec),
        spikes_per_sample=row["spikes_per_sample"],
        synops_per_sample=row["synops_per_sample"],
    )


def baselines(ctx: Context, folder: Path) -> BaselinesMetrics:
    """f_S and g_T->S with plain KD (when the remedy is not already none), scored on test."""
    roles = _specs(ctx.config)
    wanted = {"alone": roles["alone"]}
    if ctx.config.student.remedy != "none":
        wanted["plain"] = roles["plain"]
    run = _unit_run(ctx, folder, [*roles["erm_students"], *wanted.values()])
    for each in [*roles["erm_students"], *wanted.values()]:
        run.run_model(each)
    models = {}
    for name, spec in wanted.items():
        row = _row(run, spec)
        row_scores = Scores(**{k: row[k] for k in ACCURACY_KEYS})
        models[name] = BaselineModel(spec.key, row_scores, row["spikes_per_sample"])
    return BaselinesMetrics(models)
