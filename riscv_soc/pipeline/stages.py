"""The pipeline's stages in order: what each one reads (config sections, upstream stages) and the
function that runs it. The runner (runner.py) keys each stage on exactly these inputs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from riscv_soc.pipeline import hardware, training
from riscv_soc.pipeline.calibration import calibration
from riscv_soc.pipeline.context import Context
from riscv_soc.pipeline.energy import energy

TRAINING_SECTIONS = ("data", "teacher", "student", "train")


@dataclass(frozen=True)
class Stage:
    name: str
    title: str
    # config it reads: sections, or dotted keys ("student.arch": an MLP teacher's QCFS levels
    # default to the student's steps, as in the study)
    sections: tuple[str, ...]
    upstream: tuple[str, ...]  # stages whose artefacts it reads
    run: Callable[[Context, Path], dict]  # writes into its folder, returns its metrics


STAGES: tuple[Stage, ...] = (
    Stage("teacher", "debiased ANN teacher", ("data", "teacher", "train", "student.arch"), (),
          training.teacher),
    Stage("student", "distilled spiking student", TRAINING_SECTIONS, ("teacher",),
          training.student),
    Stage("baselines", "C1/C2 baselines", TRAINING_SECTIONS, ("teacher",), training.baselines),
    Stage("quantise", "quantised bundle", ("quant", "data"), ("student",), hardware.quantise),
    Stage("core", "core run, test set", ("data", "run"), ("quantise", "student"), hardware.core),
    Stage("firmware", "firmware", ("firmware",), ("quantise",), hardware.firmware),
    Stage("iss", "ISS run, test set", ("data", "run", "iss"), ("firmware", "core"),
          hardware.iss),
    Stage("rtl", "RTL run, test set", ("data", "run", "rtl"),
          ("firmware", "core", "iss", "teacher", "student"), hardware.rtl),
    Stage("energy", "energy", ("energy",), ("teacher", "student", "quantise", "core", "iss",
                                            "rtl"), energy),
    Stage("calibration", "SHD-shape calibration", ("calibration",), (), calibration),
)  # fmt: skip
STAGE_NAMES = tuple(s.name for s in STAGES)
