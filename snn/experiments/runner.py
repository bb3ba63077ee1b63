"""Runs one unit of a sweep (a dataset, a rho, a seed): trains and scores every model it lists.

Sits under `snn.experiments.sweep`, which hands units to worker processes or Ray tasks. Every
finished model leaves two files in `DIR/runs/<dataset>/rho<rho>/seed<seed>/`, both written
atomically: `<model key>.pt` (the checkpoint, reloaded when a later model needs it) and
`<model key>.json` (its result rows, history and CKA). A model whose JSON exists is never trained
again, so a unit interrupted at any point resumes where it stopped.
"""

from __future__ import annotations

import dataclasses
import json
import time
from pathlib import Path
from typing import Any, cast

import numpy as np
import torch

import snn.data
from snn.determinism import training_threads
from snn.distill.recipes import distill, train_student, train_teacher
from snn.distill.train import TrainConfig
from snn.errors import CheckpointError
from snn.experiments.grid import ModelSpec, Unit
from snn.metrics import evaluate, layer_cka, spikes_per_sample, synops_per_sample
from snn.models.checkpoint import load_student, load_teacher, save_student, save_teacher
from snn.models.infer import student_outputs, teacher_outputs
from snn.models.student import SpikingStudent
from snn.models.teachers import Teacher
from snn.seeding import torch_seed
from snnsoc_common.artefacts import write_json

# val picks the best method and remedy in the report; test and test_biased report them
EVAL_SPLITS = ("val", "test", "test_biased")
RESULT_FORMAT, RESULT_VERSION = "snnsoc-result", 1


def unit_dir(out: Path, unit: Unit) -> Path:
    return Path(out) / "runs" / unit.key


def read_result(path: Path) -> dict:
    """A model's result JSON; CheckpointError names the file when it is corrupt."""
    try:
        record = json.loads(Path(path).read_text())
    except (OSError, ValueError) as err:
        raise CheckpointError(
            f"{path}: corrupt result file ({str(err)[:80]}); delete it to retrain that model"
        ) from None
    if not isinstance(record, dict) or record.get("format") != RESULT_FORMAT:
        raise CheckpointError(f"{path}: not an {RESULT_FORMAT} file; delete it to retrain")
    if record.get("version") != RESULT_VERSION:
        raise CheckpointError(
            f"{path}: {RESULT_FORMAT} version {record.get('version')!r}; "
            f"this snnsoc reads version {RESULT_VERSION}"
        )
    return record


class UnitRun:
    """The data, configs and already-trained models of one unit."""

    def __init__(self, unit: Unit, out: Path) -> None:
        self.unit, self.dir = unit, unit_dir(out, unit)
        setup = unit.setup
        options = {**setup.dataset_options.get(unit.dataset, {}), "rho": unit.rho}
        self.train = snn.data.load(unit.dataset, "train", seed=unit.seed, **options)
        self.evals = {
            s: snn.data.load(unit.dataset, s, seed=unit.seed, **options) for s in EVAL_SPLITS
        }
        self.arch = {
            **setup.student,
            "inputs": self.train.num_features,
            "outputs": self.train.num_classes,
        }
        kind, config = setup.nli_teacher if self.train.tokens is not None else setup.image_teacher
        self.teacher_kind, self.teacher_config = kind, dict(config)
        if kind == "mlp" and config.get("activation") == "qcfs":
            self.teacher_config.setdefault("levels", self.arch.get("num_steps", 16))
        self.models: dict[str, torch.nn.Module] = {}

    def config(self, spec: ModelSpec) -> TrainConfig:
        setup = self.unit.setup
        epochs = setup.teacher_epochs if spec.role == "teacher" else setup.student_epochs
        return TrainConfig(
            epochs=epochs,
            batch_size=setup.batch_size,
            lr=setup.lr,
            seed=torch_seed(self.unit.seed, spec.key) % 2**31,
        )

    def path(self, spec: ModelSpec, suffix: str) -> Path:
        return self.dir / f"{spec.key}{suffix}"

    def model(self, spec: ModelSpec) -> torch.nn.Module:
        """A finished model: trained in this process, or reloaded from its checkpoint."""
        if spec.key not in self.models:
            path = self.path(spec, ".pt")
            self.models[spec.key] = (load_teacher if spec.role == "teacher" else load_student)(path)
        return self.models[spec.key]

    def teacher(self, spec: ModelSpec) -> Teacher:
        """`model` of a teacher spec, typed."""
        return cast(Teacher, self.model(spec))

    def student(self, spec: ModelSpec) -> SpikingStudent:
        """`model` of a student spec, typed."""
        return cast(SpikingStudent, self.model(spec))

    def train_model(self, spec: ModelSpec) -> torch.nn.Module:
        setup, config = self.unit.setup, self.config(spec)
        common: dict[str, Any] = {"config": config, "bias_model": setup.bias_model}
        if spec.role == "teacher":
            erm = self.model(ModelSpec("teacher", "erm")) if spec.method == "conf_reg" else None
            return train_teacher(
                self.train,
                spec.method,
                kind=self.teacher_kind,
                teacher_config=self.teacher_config,
                erm_model=erm,
                **common,
            )
        erm_student = (
            self.student(ModelSpec("student", "erm")) if spec.method == "conf_reg" else None
        )
        if spec.role == "student":
            return train_student(
                self.train, self.arch, spec.method, erm_student=erm_student, **common
            )
        return distill(
            self.train,
            self.teacher(ModelSpec("teacher", spec.method)),
            self.arch,
            spec.method,
            kd=spec.kd,
            remedy=spec.remedy,
            remedy_options=setup.remedy_options,
            erm_student=erm_student,
            **common,
        )

    def score(self, spec: ModelSpec, model: torch.nn.Module) -> dict:
        """Result rows (one per eval split) and CKA against the method's teacher."""
        rows, cka = [], {}
        for split, ds in self.evals.items():
            base = {
                "dataset": self.unit.dataset,
                "rho": self.unit.rho,
                "seed": self.unit.seed,
                "method": spec.method,
                "kd": spec.kd,
                "remedy": spec.remedy,
                "role": spec.role,
                "split": split,
            }
            if spec.role == "teacher":
                teacher_out = teacher_outputs(cast(Teacher, model), ds)
                metrics = evaluate(teacher_out.logits.argmax(1), ds)
                activity = {"spikes_per_sample": float("nan"), "synops_per_sample": float("nan")}
            else:
                student = cast(SpikingStudent, model)
                out = student_outputs(student, ds, seed=torch_seed(self.unit.seed, "eval", split))
                metrics = evaluate(out.logits.argmax(1), ds)
                activity = {
                    "spikes_per_sample": spikes_per_sample(out.hidden_spikes),
                    "synops_per_sample": synops_per_sample(
                        student.arch, out.input_spikes, out.hidden_spikes
                    ),
                }
                if split == "test":
                    cka = self._cka(spec, ds, out.rates)
            rows.append(
                {
                    **base,
                    **{k: v for k, v in metrics.items() if k != "breakdown"},
                    **activity,
                    "breakdown": metrics["breakdown"],
                }
            )
        for row in rows:  # CKA is measured on the unbiased test split only
            test = row["split"] == "test"
            row["cka_aligned"] = cka.get("aligned_last") if test else None
            row["cka_conflicting"] = cka.get("conflicting_last") if test else None
        return {"rows": rows, "cka": {k: v for k, v in cka.items() if not k.endswith("_last")}}

    def _cka(self, spec: ModelSpec, ds, rates) -> dict:
        features = teacher_outputs(self.teacher(ModelSpec("teacher", spec.method)), ds).features
        result = {}
        for name, mask in (("aligned", ds.aligned), ("conflicting", ~ds.aligned)):
            matrix = layer_cka(features, rates, mask)
            result[name] = matrix.tolist()
            result[f"{name}_last"] = float(matrix[-1, -1])
        return result

    def run_model(self, spec: ModelSpec) -> bool:
        """Train, save and score `spec` unless its result exists; True when it was trained."""
        result = self.path(spec, ".json")
        if result.exists():
            read_result(result)  # a corrupt record is an error, not a silent retrain
            return False
        start = time.perf_counter()
        model = self.train_model(spec)
        seconds = time.perf_counter() - start
        path, meta = self.path(spec, ".pt"), {"unit": self.unit.key, **dataclasses.asdict(spec)}
        if spec.role == "teacher":
            save_teacher(cast(Teacher, model), path, meta=meta)
        else:
            save_student(cast(SpikingStudent, model), path, meta=meta)
        self.models[spec.key] = model
        record = {
            "format": RESULT_FORMAT,
            "version": RESULT_VERSION,
            "unit": self.unit.key,
            "model": dataclasses.asdict(spec),
            "train_seconds": seconds,
            "history": getattr(model, "history", []),
            **self.score(spec, model),
        }
        for row in record["rows"]:
            row["train_seconds"] = seconds
        write_json(result, _finite(record))
        return True


def _finite(value):
    """JSON has no NaN: floats that are not finite become null."""
    if isinstance(value, float):
        return value if np.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def run_unit(unit: Unit, out: str | Path, on_model=None) -> dict:
    """Run every model of `unit` not finished yet; returns counts of trained and skipped.
    `on_model()` is called after each model (progress display in the serial sweep)."""
    run = UnitRun(unit, Path(out))
    trained = 0
    with training_threads():  # workers run side by side; bit-exact models need a fixed count
        for spec in unit.models:
            trained += run.run_model(spec)
            if on_model is not None:
                on_model()
    return {"unit": unit.key, "trained": trained, "skipped": len(unit.models) - trained}
