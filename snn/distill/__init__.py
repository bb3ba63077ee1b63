"""Distillation of (debiased) ANN teachers into spiking students, and the remedies.

teacher = snn.distill.train_teacher(train, "poe")
student = snn.distill.distill(train, teacher, {"inputs": 192, "outputs": 10}, "poe",
                              kd="rate", remedy="convert")
"""

from snn.distill.kd import KD_LOSSES, KD_VARIANTS, PLACEMENTS, KDConfig, kd_term, kd_variant
from snn.distill.recipes import (
    REMEDIES,
    REMEDY_DEFAULTS,
    distill,
    parse_remedy,
    train_student,
    train_teacher,
)
from snn.distill.train import SpikeSource, TrainConfig, fit

__all__ = [
    "KD_LOSSES",
    "KD_VARIANTS",
    "PLACEMENTS",
    "REMEDIES",
    "REMEDY_DEFAULTS",
    "KDConfig",
    "SpikeSource",
    "TrainConfig",
    "distill",
    "fit",
    "kd_term",
    "kd_variant",
    "parse_remedy",
    "train_student",
    "train_teacher",
]
