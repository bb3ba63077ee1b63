"""The pipeline's stages in order: what each one reads (config sections, upstream stages) and the
function that runs it. The runner (runner.py) keys each stage on exactly these inputs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from riscv_soc.pipeline import hardware, training
from riscv_soc.pipeline.calibration import calibration
from riscv_soc.pipeline.energy import energy
from riscv_soc.runfolder.context import Context
from riscv_soc.runfolder.stages import STAGE_NAMES, TITLES

TRAINING_SECTIONS = ("data", "teacher", "student", "train")


@dataclass(frozen=True)
class Stage:
    name: str
    # config it reads: sections, or dotted keys ("student.arch": an MLP teacher's QCFS levels
    # default to the student's steps, as in the study)
    sections: tuple[str, ...]
    upstream: tuple[str, ...]  # stages whose artefacts it reads
    run: Callable[[Context, Path], object]  # writes into its folder, returns its metrics record

    @property
    def title(self) -> str:
        return TITLES[self.name]


_INPUTS_AND_RUN = {  # stage -> (config sections, upstream stages, function)
    "teacher": (("data", "teacher", "train", "student.arch"), (), training.teacher),
    "student": (TRAINING_SECTIONS, ("teacher",), training.student),
    "baselines": (TRAINING_SECTIONS, ("teacher",), training.baselines),
    "quantise": (("quant", "data"), ("student",), hardware.quantise),
    "core": (("data", "run"), ("quantise", "student"), hardware.core),
    "firmware": (("firmware",), ("quantise",), hardware.firmware),
    "iss": (("data", "run", "iss"), ("firmware", "core"), hardware.iss),
    "rtl": (
        ("data", "run", "rtl"),
        ("firmware", "core", "iss", "teacher", "student"),
        hardware.rtl,
    ),
    "energy": (("energy",), ("teacher", "student", "quantise", "core", "iss", "rtl"), energy),
    "calibration": (("calibration",), (), calibration),
}
STAGES: tuple[Stage, ...] = tuple(Stage(name, *_INPUTS_AND_RUN[name]) for name in STAGE_NAMES)
