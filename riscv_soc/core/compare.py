"""Two runs of one network on the same spikes, compared per population: how far they agree.

Unlike `diff_results` (bit-exact or not), this measures a float reference against the fixed-point
core, or any two results: per population the spike agreement, the first step at which any spike
differs, the error of the final state in real units, and the saturations; per run the class
agreement. Used by `snnsoc compare` and the pipeline report.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from riscv_soc.core.result import RunResult
from riscv_soc.errors import DataError


@dataclass(frozen=True)
class PopulationComparison:
    name: str
    spike_agreement: float  # fraction of (sample, step, neuron) spike bits that are equal
    spikes: tuple[int, int]  # total spikes of run A and run B
    first_divergent_step: int | None  # earliest step with a differing spike, over all samples
    samples_diverged: float  # fraction of samples with any differing spike
    state_error: dict[str, tuple[float, float]]  # variable -> (mean, max) |A - B|, real units
    agreement_per_step: tuple[float, ...]  # spike agreement at each step


@dataclass(frozen=True)
class Comparison:
    samples: int
    class_agreement: float
    readout_error: tuple[float, float]  # (mean, max) |A - B| of the readout, real units
    saturations: tuple[int | None, int | None]  # per run; None when the run does not count them
    populations: tuple[PopulationComparison, ...]

    def to_json(self) -> dict:
        return asdict(self)

    def lines(self) -> list[str]:
        sat = ", ".join("-" if s is None else str(s) for s in self.saturations)
        out = [
            f"{self.samples} samples: class agreement {100 * self.class_agreement:.2f} %, "
            f"readout error mean {self.readout_error[0]:.4g} max {self.readout_error[1]:.4g}, "
            f"saturations (A, B) {sat}"
        ]
        for p in self.populations:
            state = ", ".join(f"{k} {m:.3g}/{x:.3g}" for k, (m, x) in p.state_error.items())
            spikes = "no spikes"
            if p.agreement_per_step:
                step = "none" if p.first_divergent_step is None else str(p.first_divergent_step)
                spikes = (
                    f"spikes agree {100 * p.spike_agreement:.3f} % (A {p.spikes[0]}, "
                    f"B {p.spikes[1]}), first divergent step {step}, "
                    f"{100 * p.samples_diverged:.1f} % of samples diverge"
                )
            out.append(f"  {p.name}: {spikes}; state error mean/max {state or '-'}")
        return out


def compare(
    a: RunResult,
    b: RunResult,
    scale_a: dict[str, float] | None = None,
    scale_b: dict[str, float] | None = None,
) -> Comparison:
    """Compare run `a` with run `b`. `scale_*` maps a population name to the real value of one
    raw unit (2**-F for a fixed-point run; missing names count 1, as for a float run); the readout
    uses the output population's scale, under the key "readout"."""
    scale_a, scale_b = scale_a or {}, scale_b or {}
    if a.readout.shape != b.readout.shape:
        raise DataError(f"readout shapes differ: {a.readout.shape} and {b.readout.shape}")
    pops = tuple(
        _population(name, a, b, scale_a.get(name, 1.0), scale_b.get(name, 1.0))
        for name in a.spikes | {k.rsplit("_", 1)[0]: None for k in a.state}
        if name in b.spikes or any(k.startswith(f"{name}_") for k in b.state)
    )
    err = np.abs(
        _real(a.readout, scale_a.get("readout", 1.0))
        - _real(b.readout, scale_b.get("readout", 1.0))
    )
    return Comparison(
        samples=int(a.readout.shape[0]),
        class_agreement=float(np.mean(a.predictions == b.predictions)) if err.size else 1.0,
        readout_error=(
            float(err.mean()) if err.size else 0.0,
            float(err.max(initial=0.0)),
        ),
        saturations=(_saturations(a), _saturations(b)),
        populations=pops,
    )


def _real(x: np.ndarray, scale: float) -> np.ndarray:
    return np.asarray(x, np.float64) * scale


def _saturations(r: RunResult) -> int | None:
    sat = r.activity.get("saturations")
    return None if sat is None else int(np.sum(sat))


def _population(name: str, a: RunResult, b: RunResult, sa: float, sb: float):
    sp_a, sp_b = a.spikes.get(name), b.spikes.get(name)
    agree, totals, first, diverged = 1.0, (0, 0), None, 0.0
    per_t: tuple[float, ...] = ()
    if sp_a is not None and sp_b is not None:
        if sp_a.shape != sp_b.shape:
            raise DataError(f"population {name!r}: spike shapes {sp_a.shape} and {sp_b.shape}")
        differ = sp_a != sp_b
        agree = float(1.0 - differ.mean()) if differ.size else 1.0
        totals = (int(sp_a.sum()), int(sp_b.sum()))
        per_step = differ.any(axis=2)  # [samples, steps]
        steps = np.flatnonzero(per_step.any(axis=0))
        first = int(steps[0]) if steps.size else None
        diverged = float(per_step.any(axis=1).mean()) if per_step.size else 0.0
        per_t = tuple(float(x) for x in 1.0 - differ.mean(axis=(0, 2)))
    state = {}
    for key in sorted(k for k in a.state if k.startswith(f"{name}_") and k in b.state):
        e = np.abs(_real(a.state[key], sa) - _real(b.state[key], sb))
        state[key[len(name) + 1 :]] = (
            float(e.mean()) if e.size else 0.0,
            float(e.max(initial=0.0)),
        )
    return PopulationComparison(name, agree, totals, first, diverged, state, per_t)


def scales_of(bundle) -> dict[str, float]:
    """Real value of one raw unit per population of a bundle, and of its readout."""
    out = {p.name: 2.0**-p.frac_bits for p in bundle.populations}
    out["readout"] = 1.0 if bundle.readout == "count" else out[bundle.output]
    return out
