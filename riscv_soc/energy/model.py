"""The per-event energy model: a run's activity counters in, joules and seconds out.

Where it sits: the ISS and the RTL count cycles, retired instructions and six activity events
(docs/isa.md, "CSRs"); a run hands them over as `riscv_soc.machine.MachineState` (one program) or
as `RunResult.activity` (per sample, from riscv_soc.runtime). `energy` multiplies each count by the
`EnergyModel`'s energy per event and adds static power over the run time; calibrations.py holds the
two documented models and docs/energy.md explains them.

    E = P_static * cycles / f + sum over events k of e_k * count_k
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from riscv_soc.errors import ConfigError, DataError
from riscv_soc.machine import MachineState

# Energy-per-event fields of EnergyModel -> the activity counter each one multiplies.
EVENTS: dict[str, str] = {
    "cycle_j": "cycles",
    "instr_j": "instret",
    "vec_alu_op_j": "vec_alu_ops",
    "vec_mem_op_j": "vec_mem_ops",
    "lane_local_op_j": "lane_local_ops",
    "scalar_mem_op_j": "scalar_mem_ops",
    "dma_byte_j": "dma_bytes",
}
STATIC = "static"  # the report's component for static power over the run time
# stall_cycles is not an event of its own: it is cycles - instret, both already in the model.


@dataclass(frozen=True)
class Constant:
    """A number with its provenance. `value` in SI units (J per event, W, Hz)."""

    value: float
    source: str
    estimated: bool = False  # True where no source gives the number and we had to derive or guess


@dataclass(frozen=True)
class EnergyModel:
    """Energy per counted event plus static power; `clock_hz` turns cycles into seconds."""

    name: str
    description: str
    clock_hz: Constant
    static_w: Constant
    cycle_j: Constant
    instr_j: Constant
    vec_alu_op_j: Constant
    vec_mem_op_j: Constant
    lane_local_op_j: Constant
    scalar_mem_op_j: Constant
    dma_byte_j: Constant

    def constants(self) -> dict[str, Constant]:
        """Field name -> Constant, in declaration order."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return {name: v for name, v in values.items() if isinstance(v, Constant)}

    def check(self) -> None:
        for name, const in self.constants().items():
            if not (math.isfinite(const.value) and const.value >= 0):
                raise ConfigError(f"energy model {self.name!r}: {name}={const.value}; must be >= 0")
            if not const.source.strip():
                raise ConfigError(f"energy model {self.name!r}: {name} has no source")
        if self.clock_hz.value <= 0:
            raise ConfigError(f"energy model {self.name!r}: clock_hz={self.clock_hz.value} <= 0")


@dataclass(frozen=True)
class EnergyReport:
    """Energy and time of one run or of each sample (arrays shaped like the counters)."""

    model: str
    clock_hz: float
    time_s: np.ndarray
    components_j: dict[str, np.ndarray]  # "static", then one entry per counter in EVENTS

    @property
    def static_j(self) -> np.ndarray:
        return self.components_j[STATIC]

    @property
    def dynamic_j(self) -> np.ndarray:
        return sum(
            (v for k, v in self.components_j.items() if k != STATIC), np.zeros_like(self.time_s)
        )

    @property
    def total_j(self) -> np.ndarray:
        return self.dynamic_j + self.static_j

    def mean(self) -> dict:
        """Per-inference means as plain floats (JSON-able)."""
        return {
            "model": self.model,
            "clock_hz": self.clock_hz,
            "samples": int(self.time_s.size),
            "time_s": float(np.mean(self.time_s)),
            "total_j": float(np.mean(self.total_j)),
            "dynamic_j": float(np.mean(self.dynamic_j)),
            "static_j": float(np.mean(self.static_j)),
            "components_j": {k: float(np.mean(v)) for k, v in self.components_j.items()},
        }

    def format(self) -> str:
        """A table of the mean energy per inference by component, with shares of the total."""
        m = self.mean()
        total = m["total_j"]
        lines = [
            f"{self.model}: {m['samples']} inference(s) at {self.clock_hz / 1e6:g} MHz, "
            f"{format_seconds(m['time_s'])} each",
            f"  {'component':<16}{'energy':>12}{'share':>8}",
        ]
        for name, joules in m["components_j"].items():
            share = joules / total if total > 0 else 0.0
            lines.append(f"  {name:<16}{format_joules(joules):>12}{share:>8.1%}")
        lines.append(f"  {'dynamic':<16}{format_joules(m['dynamic_j']):>12}")
        lines.append(f"  {'total':<16}{format_joules(total):>12}")
        return "\n".join(lines)


def activity_of(state: MachineState) -> dict[str, int]:
    """The counters of a MachineState under the names of a run's activity."""
    return {"cycles": int(state.cycles), "instret": int(state.instret), **state.counters}


def energy(
    activity: Mapping[str, object] | MachineState,
    model: EnergyModel,
    clock_hz: float | None = None,
) -> EnergyReport:
    """Energy of a run from its counters: a MachineState, or a mapping (e.g. RunResult.activity)
    holding `cycles`, `instret` and the activity counters as ints or int arrays [samples].

    `clock_hz` overrides the model's clock (time, and hence static energy, scale with it).
    Raises DataError for missing, negative or misshapen counters, ConfigError for a bad clock.
    """
    model.check()
    if isinstance(activity, MachineState):
        activity = activity_of(activity)
    counts = _counters(activity)
    clock = _clock(model.clock_hz.value if clock_hz is None else clock_hz)
    time_s = counts["cycles"] / clock
    components = {STATIC: model.static_w.value * time_s}
    for field_name, counter in EVENTS.items():
        components[counter] = getattr(model, field_name).value * counts[counter]
    return EnergyReport(model.name, clock, time_s, components)


def _clock(clock_hz: Any) -> float:  # Any: whatever the caller or the config file gave
    try:
        clock = float(clock_hz)
    except (TypeError, ValueError):
        clock = math.nan
    if not (math.isfinite(clock) and clock > 0):
        raise ConfigError(f"clock_hz={clock_hz!r}; must be a positive number of hertz")
    return clock


def _counters(activity: Mapping[str, object]) -> dict[str, np.ndarray]:
    missing = [c for c in EVENTS.values() if c not in activity]
    if missing:
        raise DataError(
            f"activity: no {', '.join(repr(c) for c in missing)} counter; the energy model needs "
            f"the ISS or RTL counters {list(EVENTS.values())} (have {sorted(activity)})"
        )
    counts, shape = {}, None
    for counter in EVENTS.values():
        values = np.asarray(activity[counter])
        if values.dtype.kind not in "iu":
            raise DataError(
                f"activity: counter {counter!r} has dtype {values.dtype}; want integers"
            )
        if shape is not None and values.shape != shape:
            raise DataError(
                f"activity: counter {counter!r} has shape {values.shape}; the others {shape}"
            )
        if values.size and values.min() < 0:
            raise DataError(f"activity: counter {counter!r} has a negative count {values.min()}")
        shape = values.shape
        counts[counter] = values.astype(np.float64)
    return counts


def format_joules(joules: float) -> str:
    for unit, scale in (("J", 1.0), ("mJ", 1e-3), ("uJ", 1e-6), ("nJ", 1e-9)):
        if abs(joules) >= scale:
            return f"{joules / scale:.3g} {unit}"
    return f"{joules / 1e-12:.3g} pJ"


def format_seconds(seconds: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if abs(seconds) >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"
