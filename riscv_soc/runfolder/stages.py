"""The pipeline's stages by name, in run order, and the words the progress line, the summary table
and the report use for them: written once, here.

Where it sits: in the run folder layer, so that the pipeline (riscv_soc.pipeline.stages: what each
stage reads and the function that runs it) and the report share the names without importing each
other.
"""

from __future__ import annotations

TITLES = {  # stage -> what it makes (the progress line)
    "teacher": "debiased ANN teacher",
    "student": "distilled spiking student",
    "baselines": "C1/C2 baselines",
    "quantise": "quantised bundle",
    "core": "core run, test set",
    "firmware": "firmware",
    "iss": "ISS run, test set",
    "rtl": "RTL run, test set",
    "energy": "energy",
    "calibration": "SHD-shape calibration",
}
STAGE_NAMES = tuple(TITLES)
LABELS = {  # the stages with predictions -> their row in the summary table and the report
    "teacher": "teacher (ANN)",
    "student": "student (float)",
    "core": "core (fixed point)",
    "iss": "ISS (firmware)",
    "rtl": "RTL (firmware)",
}
