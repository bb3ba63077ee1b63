"""Debiasing: bias-only models and debiasing methods (losses for teachers, students and KD terms).

model = snn.debias.fit_bias_model("known", train)       # p(y | bias attribute)
method = snn.debias.make_method("poe")                   # see METHODS for the names
"""

from snn.debias.bias_models import BIAS_MODELS, KnownBias, ShallowBias, fit_bias_model
from snn.debias.methods import (
    METHODS,
    Batch,
    Method,
    SetupContext,
    gce_loss,
    make_method,
    own_loss,
    weighted_mean,
)

__all__ = [
    "BIAS_MODELS",
    "METHODS",
    "Batch",
    "KnownBias",
    "Method",
    "SetupContext",
    "ShallowBias",
    "fit_bias_model",
    "gce_loss",
    "make_method",
    "own_loss",
    "weighted_mean",
]
