"""A model file -> float network: a `.nir` graph, or a student checkpoint through our exporter.

The one way `snnsoc quantise MODEL` reads its input. Checkpoints come from the training API
(`snn.models.load_student`, docs/architecture.md "Student checkpoint"); the student is exported
to NIR in memory and imported like any graph, so both paths share one set of semantics.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from riscv_soc.errors import ConfigError
from riscv_soc.nir.exporter import bundle_to_graph, student_to_graph
from riscv_soc.nir.importer import DEFAULT_DT, from_graph, read_nir
from riscv_soc.quant import load_bundle
from riscv_soc.quant.network import FloatNetwork
from riscv_soc.quant.quantise import QuantConfig


def read_model(path: str | os.PathLike, dt: float = DEFAULT_DT) -> FloatNetwork:
    """The float network of MODEL; `meta["quant_hints"]` carries a student's weight_bits and
    weight_percentile (its fake quantisation) so the quantiser can reproduce it."""
    path = Path(path)
    if path.suffix.lower() == ".nir":
        return read_nir(path, dt=dt)
    if not path.exists():
        raise ConfigError(f"{path}: no such model file")
    try:  # torch and snntorch only when a checkpoint is read, never for a .nir file
        from snn.models import load_student
    except ImportError as err:
        raise ConfigError(
            f"{path}: reading a student checkpoint needs snn.models ({err})"
        ) from None
    student = load_student(path)
    network = from_graph(student_to_graph(student, dt=dt), dt=dt, where=str(path))
    arch = student.arch
    hints = {"percentile": float(arch.get("weight_percentile", 99.0))}
    if arch.get("weight_bits"):
        hints["weight_bits"] = int(arch["weight_bits"])
    network.meta["quant_hints"] = hints
    return network


def quant_config(
    network: FloatNetwork,
    weight_bits: int | None = None,
    percentile: float | None = None,
    **settings,
) -> QuantConfig:
    """The quantiser settings for a network `read_model` returned: `weight_bits` and `percentile`
    as given, else the student's own fake quantisation (its `quant_hints`, taken out of the
    network's meta), else the quantiser's defaults; `settings` are the other QuantConfig fields."""
    hints: dict[str, Any] = {
        "weight_bits": QuantConfig.weight_bits,
        "percentile": QuantConfig.percentile,
    }
    hints |= network.meta.pop("quant_hints", {})
    return QuantConfig(
        weight_bits=hints["weight_bits"] if weight_bits is None else weight_bits,
        percentile=hints["percentile"] if percentile is None else percentile,
        **settings,
    )


def read_float_model(path: str | os.PathLike, dt: float = DEFAULT_DT) -> FloatNetwork:
    """The float network of a model (`read_model`) or of a bundle (.npz, its weights and
    parameters dequantised: the float side of a bundle, as `bundle_to_graph` exports it)."""
    path = Path(path)
    if path.suffix.lower() != ".npz":
        return read_model(path, dt=dt)

    return float_of_bundle(load_bundle(path), where=str(path))


def float_of_bundle(bundle, where: str = "bundle") -> FloatNetwork:
    """A bundle's dequantised float network (through `bundle_to_graph`, the NIR export)."""
    return from_graph(bundle_to_graph(bundle), dt=bundle.dt, where=where)
