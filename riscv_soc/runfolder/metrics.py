"""What each pipeline stage measured: one frozen record per stage, checked when it is made.

Where it sits: a stage function (riscv_soc.pipeline) returns its record; the stage record
(records.py) stores it as the `metrics` of DIR/<stage>/stage.json through snnsoc_common.records,
which keeps the JSON of run folders written before these types existed; the summary and the report
read attributes. METRICS names the record of every stage.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any

from riscv_soc.core.compare import Comparison
from snnsoc_common.records import FLATTEN, OPTIONAL


def _check(ok: bool, record: object, name: str, value: object, limit: str) -> None:
    if not ok:
        raise ValueError(f"{type(record).__name__}.{name}={value!r}: must be {limit}")


def _fraction(record: object, name: str, low: float = 0.0) -> None:
    """A fraction in [low, 1]; None or NaN where it has no samples."""
    value = getattr(record, name)
    ok = value is None or math.isnan(value) or low <= value <= 1
    _check(ok, record, name, value, f"in [{low:g}, 1] or null")


def _at_least_zero(record: object, *names: str) -> None:
    for name in names:
        value = getattr(record, name)
        _check(value is None or value >= 0, record, name, value, ">= 0")


@dataclass(frozen=True)
class Scores:
    """Accuracy metrics of one set of predictions (snn.metrics.evaluate): accuracy, unbiased
    accuracy (mean over populated (class, attribute) cells), aligned and conflicting accuracy,
    worst-group accuracy and the spurious gap (aligned - conflicting). None: no such samples."""

    acc: float | None
    unbiased_acc: float | None
    aligned_acc: float | None
    conflicting_acc: float | None
    wga: float | None
    spurious_gap: float | None
    samples: int | None = field(default=None, metadata=OPTIONAL)  # None: the runner's row

    def __post_init__(self) -> None:
        for name in ("acc", "unbiased_acc", "aligned_acc", "conflicting_acc", "wga"):
            _fraction(self, name)
        _fraction(self, "spurious_gap", low=-1.0)
        _at_least_zero(self, "samples")


ACCURACY_KEYS = tuple(f.name for f in fields(Scores) if f.name != "samples")


@dataclass(frozen=True)
class TeacherMetrics:
    model: str  # the training API's model key
    scores: Scores = field(metadata=FLATTEN)
    macs: int  # multiply-accumulates per inference

    def __post_init__(self) -> None:
        _at_least_zero(self, "macs")


@dataclass(frozen=True)
class StudentMetrics:
    model: str
    scores: Scores = field(metadata=FLATTEN)
    spikes_per_sample: float  # hidden spikes
    synops_per_sample: float

    def __post_init__(self) -> None:
        _at_least_zero(self, "spikes_per_sample", "synops_per_sample")


@dataclass(frozen=True)
class BaselineModel:
    model: str
    scores: Scores = field(metadata=FLATTEN)
    spikes_per_sample: float


@dataclass(frozen=True)
class BaselinesMetrics:
    models: dict[
        str, BaselineModel
    ]  # "alone" (f_S), and "plain" (plain KD) unless the remedy is none

    def __post_init__(self) -> None:
        _check("alone" in self.models, self, "models", sorted(self.models), 'to hold "alone"')


@dataclass(frozen=True)
class QuantiseMetrics:
    config: dict[str, Any]  # the quantiser's settings (riscv_soc.quant.QuantConfig)
    populations: dict[str, dict[str, Any]]  # the bundle's report per population
    num_steps: int
    encoding: str


@dataclass(frozen=True)
class FloatReference:
    """The core against the float reference of the student on the same spikes."""

    comparison: Comparison = field(metadata=FLATTEN)  # per population (riscv_soc.core.compare)
    agreement_with_float_student: float  # the float reference's classes against snntorch's

    def __post_init__(self) -> None:
        _fraction(self, "agreement_with_float_student")


@dataclass(frozen=True)
class CoreMetrics:
    scores: Scores = field(metadata=FLATTEN)
    spikes_per_sample: float
    activity: dict[str, float]  # mean per sample of every activity count
    agreement_with_float_student: float
    float_reference: FloatReference | None = field(default=None, metadata=OPTIONAL)  # None: older

    def __post_init__(self) -> None:
        _fraction(self, "agreement_with_float_student")


@dataclass(frozen=True)
class MemoryUse:
    used: int
    bytes: int

    def __post_init__(self) -> None:
        _check(0 <= self.used <= self.bytes, self, "used", self.used, f"in [0, {self.bytes}]")


@dataclass(frozen=True)
class FirmwareMetrics:
    code_bytes: int
    memories: dict[str, MemoryUse]
    soc: dict[str, int]  # the SocConfig compiled for


@dataclass(frozen=True)
class IssMetrics:
    scores: Scores = field(metadata=FLATTEN)
    spikes_per_sample: float
    cycles: float  # per sample
    activity: dict[str, float]
    bit_exact_core: bool
    diffs_core: list[str]  # the first differences from the core run


@dataclass(frozen=True)
class RtlMetrics:
    scores: Scores = field(metadata=FLATTEN)
    spikes_per_sample: float
    cycles: float
    activity: dict[str, float]
    groups: int  # (class, attribute) groups among the RTL's samples
    groups_in_test: int
    subset_scores: dict[str, Scores]  # teacher, student, core, iss, rtl on the RTL's samples
    core_full_run_agreement: float
    bit_exact_core: bool
    bit_exact_iss: bool
    scores_equal_core: bool
    diffs_core: list[str]
    diffs_iss: list[str]
    # True: the whole test split; None (records written before it existed) or False: a subset
    whole_split: bool | None = field(default=None, metadata=OPTIONAL)

    def __post_init__(self) -> None:
        _check(
            0 <= self.groups <= self.groups_in_test,
            self,
            "groups",
            self.groups,
            f"in [0, groups_in_test={self.groups_in_test}]",
        )
        _fraction(self, "core_full_run_agreement")


@dataclass(frozen=True)
class StageEnergy:
    """Dynamic energy per inference of one stage: the op-count estimate, and the board and core
    counter models with the board model's time where the stage has hardware counters."""

    op_count_j: float
    board_j: float | None = field(default=None, metadata=OPTIONAL)
    core_j: float | None = field(default=None, metadata=OPTIONAL)
    time_s: float | None = field(default=None, metadata=OPTIONAL)

    def __post_init__(self) -> None:
        _at_least_zero(self, "op_count_j", "board_j", "core_j", "time_s")


@dataclass(frozen=True)
class Estimate:
    """One row of riscv_soc.energy.compare: an estimate and what it assumes."""

    estimate: str
    energy_j: float
    static_j: float
    time_s: float | None
    basis: str
    ann_macs: int | None = field(default=None, metadata=OPTIONAL)


@dataclass(frozen=True)
class EnergyMetrics:
    clock_hz: float
    per_stage: dict[str, StageEnergy]
    breakdown: dict[str, dict[str, dict[str, Any]]]  # stage -> model -> EnergyReport.mean()
    comparison: list[Estimate]

    def __post_init__(self) -> None:
        _check(self.clock_hz > 0, self, "clock_hz", self.clock_hz, "> 0")


@dataclass(frozen=True)
class ModelEnergy:
    time_s: float
    energy_j: float
    time_ratio: float  # against FeNN's measurement
    energy_ratio: float


@dataclass(frozen=True)
class CalibrationVariant:
    what: str
    instructions: float  # per inference
    cycles: float
    instruction_ratio: float
    bit_exact_core: bool
    diffs_core: list[str]
    models: dict[str, ModelEnergy]  # board, core


@dataclass(frozen=True)
class FennMeasurement:
    """FeNN's SHD measurement (riscv_soc.energy.FENN_SHD) as the run compared against it."""

    clock_hz: float
    time_s: float
    net_energy_j: float
    input_spikes: float
    hidden_spikes: float
    instructions: float
    ise_time_s: float


@dataclass(frozen=True)
class CalibrationMetrics:
    skipped: bool  # calibration.samples = 0: nothing else is set
    samples: int | None = field(default=None, metadata=OPTIONAL)
    gain: float | None = field(default=None, metadata=OPTIONAL)
    input_spikes: float | None = field(default=None, metadata=OPTIONAL)
    hidden_spikes: float | None = field(default=None, metadata=OPTIONAL)
    fenn: FennMeasurement | None = field(default=None, metadata=OPTIONAL)
    variants: dict[str, CalibrationVariant] = field(default_factory=dict, metadata=OPTIONAL)

    def __post_init__(self) -> None:
        ran = self.fenn is not None and self.samples is not None and self.samples > 0
        _check(self.skipped != ran, self, "skipped", self.skipped, "true exactly when no run")


METRICS: dict[str, type] = {
    "teacher": TeacherMetrics,
    "student": StudentMetrics,
    "baselines": BaselinesMetrics,
    "quantise": QuantiseMetrics,
    "core": CoreMetrics,
    "firmware": FirmwareMetrics,
    "iss": IssMetrics,
    "rtl": RtlMetrics,
    "energy": EnergyMetrics,
    "calibration": CalibrationMetrics,
}


@dataclass(frozen=True)
class RunMetrics:
    """Every stage's metrics of one finished run, by stage."""

    teacher: TeacherMetrics
    student: StudentMetrics
    baselines: BaselinesMetrics
    quantise: QuantiseMetrics
    core: CoreMetrics
    firmware: FirmwareMetrics
    iss: IssMetrics
    rtl: RtlMetrics
    energy: EnergyMetrics
    calibration: CalibrationMetrics

    @classmethod
    def of(cls, records: dict) -> RunMetrics:
        """From the stage records (riscv_soc.runfolder.records.StageRecord) of every stage."""
        return cls(**{name: records[name].metrics for name in METRICS})
