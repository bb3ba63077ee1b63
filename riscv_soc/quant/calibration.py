"""What a float run saw of each population's state, and the fixed-point format it calls for.

The float simulator (riscv_soc.floatsim) fills a `Calibration` from calibration spike trains; the
quantiser (riscv_soc.quant.quantise) asks `frac_bits_for` which format keeps saturation rare.
Ranges are kept as counts of |x| per power of two, so the saturating fraction of every candidate
format is known exactly at power-of-two boundaries (docs/semantics.md section 5).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

# Exponent bins: |x| in [2**(e-1), 2**e) counts in bin e - EXP_LO; zero and tinier values in bin 0.
EXP_LO, EXP_HI = -40, 40
SATURATION_TOLERANCE = 1e-4  # largest tolerated fraction of saturating values per variable


@dataclass(frozen=True)
class VariableRange:
    """|x| of one state variable over every sample, step and neuron of the calibration run."""

    max_abs: float
    counts: tuple[int, ...]  # per exponent bin, EXP_LO .. EXP_HI

    @property
    def total(self) -> int:
        return sum(self.counts)

    def saturating_fraction(self, frac_bits: int) -> float:
        """Fraction of values with |x| >= 2**(15 - frac_bits): they leave int16 in sI_F."""
        first = 16 - frac_bits - EXP_LO  # bin of |x| in [2**(15-F), 2**(16-F))
        counts = np.asarray(self.counts)
        return float(counts[max(first, 0) :].sum() / max(self.total, 1))

    @staticmethod
    def of(values: np.ndarray) -> VariableRange:
        mags = np.abs(np.asarray(values, np.float64)).ravel()
        _, exp = np.frexp(mags)
        bins = np.where(mags > 0, np.clip(exp, EXP_LO + 1, EXP_HI) - EXP_LO, 0)
        counts = np.bincount(bins, minlength=EXP_HI - EXP_LO + 1)
        return VariableRange(float(mags.max(initial=0.0)), tuple(int(c) for c in counts))

    def merge(self, other: VariableRange) -> VariableRange:
        counts = tuple(a + b for a, b in zip(self.counts, other.counts, strict=True))
        return VariableRange(max(self.max_abs, other.max_abs), counts)


@dataclass(frozen=True)
class Calibration:
    """Per population name, per variable (V, I, A, isyn: the summed input of a step) its range;
    `formats`: an F chosen per population by a search (riscv_soc.floatsim.calibrate), with
    `scores`: the disagreement with the float run of each F it tried."""

    populations: dict[str, dict[str, VariableRange]]
    samples: int
    formats: dict[str, int] = field(default_factory=dict)
    scores: dict[str, dict[int, float]] = field(default_factory=dict)

    def frac_bits_for(self, population: str) -> int:
        """The searched F, else `safe_frac_bits`."""
        return self.formats.get(population, self.safe_frac_bits(population))

    def safe_frac_bits(self, population: str, tolerance: float = SATURATION_TOLERANCE) -> int:
        """Largest F in [0, 15] at which no variable saturates on more than `tolerance` of its
        values; 15 for a population the run never saw."""
        ranges = self.populations.get(population, {})
        for frac_bits in range(15, -1, -1):
            if all(r.saturating_fraction(frac_bits) <= tolerance for r in ranges.values()):
                return frac_bits
        return 0

    def summary(self, population: str, frac_bits: int) -> dict:
        """Per variable the largest |x| seen and the fraction that saturates in sI_`frac_bits`;
        the disagreement of each F the search tried."""
        ranges = {
            var: {"max_abs": r.max_abs, "saturating": r.saturating_fraction(frac_bits)}
            for var, r in self.populations.get(population, {}).items()
        }
        return {"ranges": ranges, "disagreement": self.scores.get(population, {})}
