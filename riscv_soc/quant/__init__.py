"""Quantised networks: float network -> FeNN fixed-point bundle (formats, packing, file).

Entry points: `quantise(net, config) -> Bundle`, `save_bundle`, `load_bundle`.
"""

from riscv_soc.quant.bundle import Bundle, Population, Projection, load_bundle, save_bundle
from riscv_soc.quant.network import FloatNetwork, FloatPopulation, FloatProjection
from riscv_soc.quant.quantise import QuantConfig, quantise

__all__ = [
    "Bundle",
    "FloatNetwork",
    "FloatPopulation",
    "FloatProjection",
    "Population",
    "Projection",
    "QuantConfig",
    "load_bundle",
    "quantise",
    "save_bundle",
]
