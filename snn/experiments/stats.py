"""Statistics over seeds for the study's tables: mean ± std and paired differences with intervals.

Used by report.md (snn.experiments.report) and by the test that checks docs/findings.md against its
CSV, so both print a number the same way. A paired difference b - a is taken per seed (only seeds
present in both), and its interval is the two-sided Student t-interval of the mean of those
per-seed differences: mean ± t_{n-1} * std / sqrt(n).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np
from scipy import stats as scipy_stats

CONFIDENCE = 0.95


def finite(values: Iterable[float | None], scale: float = 100.0) -> list[float]:
    """`values` times `scale`, without missing or non-finite ones."""
    return [v * scale for v in values if v is not None and math.isfinite(v)]


def sample_std(values: list[float]) -> float:
    """Standard deviation with Bessel's correction; 0 for a single value."""
    return float(np.std(values, ddof=1)) if len(values) > 1 else 0.0


def mean_std(values: Iterable[float | None], scale: float = 100.0, digits: int = 1) -> str:
    """'mean ± std' of `values` times `scale`; '–' when there are none."""
    values = finite(values, scale)
    if not values:
        return "–"
    return f"{np.mean(values):.{digits}f} ± {sample_std(values):.{digits}f}"


def paired_differences(
    a: Mapping[int, float], b: Mapping[int, float], scale: float = 100.0
) -> list[float]:
    """(b - a) * scale per seed, for the seeds both hold, in seed order."""
    return [(b[s] - a[s]) * scale for s in sorted(set(a) & set(b))]


def t_interval(diffs: list[float], confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Two-sided t-interval of the mean of `diffs`; needs at least two values."""
    if len(diffs) < 2:
        raise ValueError(f"a t-interval needs at least 2 paired seeds, got {len(diffs)}")
    half = scipy_stats.t.ppf(0.5 + confidence / 2, len(diffs) - 1) * sample_std(diffs)
    half /= math.sqrt(len(diffs))
    mean = float(np.mean(diffs))
    return mean - half, mean + half


def delta(
    a: Mapping[int, float],
    b: Mapping[int, float],
    scale: float = 100.0,
    interval: bool = True,
) -> str:
    """'mean ± std [low, high]' of b - a paired by seed ('–' without common seeds); the 95 %
    t-interval is left out for a single seed or when `interval` is False."""
    diffs = paired_differences(a, b, scale)
    if not diffs:
        return "–"
    text = f"{np.mean(diffs):+.1f} ± {sample_std(diffs):.1f}"
    if interval and len(diffs) > 1:
        low, high = t_interval(diffs)
        text += f" [{low:+.1f}, {high:+.1f}]"
    return text


def crosses_zero(diffs: list[float]) -> bool:
    """Whether the t-interval of the paired differences holds zero (the sign is not settled)."""
    low, high = t_interval(diffs)
    return low <= 0.0 <= high
