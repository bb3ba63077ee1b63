"""What the stages of one pipeline run share: the config, the run folder, the finished stages'
records, and the loaders of their artefacts (each read once per process).

Where it sits: the runner (runner.py) makes one Context per run and hands it to every stage
function (training.py, hardware.py, energy.py, calibration.py), which reads upstream artefacts
through it and writes its own into its folder.

The test split's input spikes are drawn with the seed the training API scores a student with
(`snn.experiments.runner`: torch_seed(seed, "eval", "test")), so the float student, the core,
the ISS and the RTL all see the same spike trains and their predictions compare sample by sample.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

import snn.data
from riscv_soc.core import load_result
from riscv_soc.firmware.export import load_firmware
from riscv_soc.quant import load_bundle
from riscv_soc.runfolder.config import PipelineConfig
from riscv_soc.runfolder.records import StageRecord
from snn.seeding import torch_seed

EVAL_SPLIT = "test"  # the unbiased split: every (class, attribute) cell is populated
FIRMWARE_DIR = "fw"


class Context:
    def __init__(self, out: Path, config: PipelineConfig, records: dict[str, StageRecord]) -> None:
        self.out, self.config, self.records = Path(out), config, records

    def path(self, stage: str, *parts: str) -> Path:
        return self.out.joinpath(stage, *parts)

    def metrics(self, stage: str) -> Any:
        """The stage's record of metrics (metrics.METRICS)."""
        return self.records[stage].metrics

    @cached_property
    def test(self):
        """The unbiased test split (snn.data.Dataset)."""
        data = self.config.data
        return snn.data.load(
            data.dataset, EVAL_SPLIT, seed=data.seed, **{**data.options, "rho": data.rho}
        )

    @cached_property
    def eval_seed(self) -> int:
        return torch_seed(self.config.data.seed, "eval", EVAL_SPLIT)

    @cached_property
    def bundle(self):
        return load_bundle(self.path("quantise", "bundle.npz"))

    @cached_property
    def spikes(self) -> np.ndarray:
        """uint8 [samples, steps, inputs]: the test split encoded as the bundle reads it."""
        bundle = self.bundle
        return snn.data.encode(self.test.x, bundle.encoding, bundle.num_steps, self.eval_seed)

    @cached_property
    def firmware(self):
        return load_firmware(self.path("firmware", FIRMWARE_DIR))

    def result(self, stage: str):
        """The RunResult a run stage (core, iss, rtl) saved."""
        return load_result(self.path(stage, "results.npz"))

    def predictions(self, stage: str) -> np.ndarray:
        """Per-sample class predictions on the test split of a training stage."""
        return np.load(self.path(stage, "predictions.npy"))
