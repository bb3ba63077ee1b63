"""The float network: a discrete-time description of a spiking network before quantisation.

The NIR importer (riscv_soc.nir) produces it from a graph or a snntorch student; the quantiser
(riscv_soc.quant.quantise) turns it into a fixed-point bundle. Everything is already discretised
with the bundle's dt (decays, not time constants), so its equations are docs/semantics.md section 5
with real numbers in place of raw integers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse

from riscv_soc.errors import ConfigError

NEURON_KINDS = ("lif", "cubalif", "alif", "li", "cubali", "cubalif2")
SPIKING_KINDS = ("lif", "cubalif", "alif", "cubalif2")
SYNAPTIC_KINDS = ("cubalif", "cubali")  # have a synaptic current state I besides V
ADAPTIVE_KINDS = ("alif",)  # have an adaptive threshold increment A besides V
# Two synaptic currents (ports 0 and 1, e.g. excitatory and inhibitory) with their own decays and
# membrane scales, a refractory counter and a constant input current (docs/semantics.md 8.1)
DUAL_KINDS = ("cubalif2",)
DUAL_RESETS = ("value", "subtract")
PORTS = (0, 1)
RESETS = ("subtract", "value", "value_after", "none")
READOUTS = ("mean", "max", "last", "count")
ENCODINGS = ("rate", "latency")
INPUT = "input"  # source name of the network's input spikes


@dataclass
class FloatPopulation:
    """One population: its neuron kind, size and (homogeneous) parameters.

    `reset`: "subtract" (snntorch's default), "value" (V = v_reset before the decay of the step
    after a spike: NIR's v_reset, snntorch Leaky's "zero"), "value_after" (V = v_reset after the
    update: snntorch Synaptic's "zero"), "none" (leaky integrators). `bias`: float[n] added to the
    input current every step, or None. ALIF (`alif`): the threshold is `threshold + A`, where A
    decays by `adapt_decay` every step and rises by `adapt_jump` (in V's units) after each spike;
    LSNN's b0 + beta * a with a += (1 - rho) z is adapt_decay = rho, adapt_jump = beta * (1 - rho).

    `cubalif2` (FeNN's VA-benchmark neuron): currents I (port 0) and I2 (port 1) take their
    inputs, then decay by `alpha` and `alpha2`; while the refractory counter is positive V is held,
    else V = beta V + syn_scale I + syn_scale2 I2 + i_offset (the currents before their decay);
    V > threshold fires, V = v_reset (reset "value") or V -= threshold ("subtract") and the
    counter is set to `refractory`. With `refractory_hold` False, V keeps integrating while the
    counter runs and the neuron cannot fire (FeNN's N-MNIST neuron); `threshold_inclusive`: it
    fires on V >= threshold (FeNN's rule) instead of V > threshold. Its currents and incoming
    weights have their own format (`syn_frac_bits`, None: chosen from the weights).
    `v_init`: float[n] initial V (any kind). `leak`: float[n] added to V's input after the
    synaptic current (cubalif/cubali only: NIR CubaLIF's (dt/tau_mem) v_leak; for the other kinds
    the bias is already V's input), or None.
    """

    name: str
    kind: str
    n: int
    beta: float
    threshold: float = 1.0
    reset: str = "subtract"
    v_reset: float = 0.0
    alpha: float = 0.0
    bias: np.ndarray | None = None
    adapt_decay: float = 0.0
    adapt_jump: float = 0.0
    alpha2: float = 0.0
    syn_scale: float = 1.0
    syn_scale2: float = 1.0
    refractory: int = 0
    refractory_hold: bool = True
    threshold_inclusive: bool = False
    i_offset: float = 0.0
    syn_frac_bits: int | None = None
    v_init: np.ndarray | None = None
    leak: np.ndarray | None = None

    @property
    def spiking(self) -> bool:
        return self.kind in SPIKING_KINDS

    @property
    def synaptic(self) -> bool:
        return self.kind in SYNAPTIC_KINDS

    @property
    def adaptive(self) -> bool:
        return self.kind in ADAPTIVE_KINDS

    @property
    def dual(self) -> bool:
        return self.kind in DUAL_KINDS


@dataclass
class FloatProjection:
    """Weights from `source` (a population or "input") to `target`, shaped [pre, post].

    `weight` is a dense float array or a scipy.sparse matrix (absent entries are no synapse);
    `delay` is None or an int array of extra steps per synapse, shaped like `weight` (dense).
    """

    name: str
    source: str
    target: str
    weight: np.ndarray | scipy.sparse.sparray
    delay: np.ndarray | None = None
    port: int = 0

    @property
    def shape(self) -> tuple[int, int]:
        return tuple(self.weight.shape)


@dataclass
class FloatNetwork:
    """Populations in update order, projections in accumulation order, and run settings."""

    n_inputs: int
    populations: list[FloatPopulation]
    projections: list[FloatProjection]
    output: str
    dt: float = 1e-4
    num_steps: int = 25
    encoding: str = "rate"
    readout: str = "mean"
    meta: dict = field(default_factory=dict)

    @property
    def readout_shift(self) -> int:
        """Right shift of each step's V summed by the "mean" readout: ceil(log2 T), at most 15."""
        return min(math.ceil(math.log2(self.num_steps)), 15) if self.readout == "mean" else 0

    def population(self, name: str) -> FloatPopulation:
        for pop in self.populations:
            if pop.name == name:
                return pop
        raise ConfigError(f"network: no population named {name!r}")

    def size_of(self, name: str) -> int:
        return self.n_inputs if name == INPUT else self.population(name).n

    def check(self) -> None:
        """Raise ConfigError naming the population or projection that is inconsistent."""
        names = [p.name for p in self.populations]
        if len(set(names)) != len(names) or INPUT in names:
            raise ConfigError(f"network: population names must be unique and not 'input': {names}")
        for pop in self.populations:
            _check_population(pop)
        for proj in self.projections:
            self._check_projection(proj)
        out = self.population(self.output)
        if self.readout not in READOUTS:
            raise ConfigError(f"network: readout {self.readout!r}; expected one of {READOUTS}")
        if (self.readout == "count") != out.spiking:
            raise ConfigError(
                f"network: readout {self.readout!r} does not suit output population "
                f"{out.name!r} ({out.kind}); spiking outputs use 'count', integrators "
                "'mean', 'max' or 'last'"
            )
        if self.encoding not in ENCODINGS:
            raise ConfigError(f"network: encoding {self.encoding!r}; expected one of {ENCODINGS}")
        if not (self.dt > 0 and self.num_steps >= 1):
            raise ConfigError(f"network: dt={self.dt} and num_steps={self.num_steps} must be > 0")

    def _check_projection(self, proj: FloatProjection) -> None:
        if proj.source != INPUT and proj.source not in [p.name for p in self.populations]:
            raise ConfigError(f"projection {proj.name!r}: unknown source {proj.source!r}")
        target = self.population(proj.target)
        if target.kind not in NEURON_KINDS:
            raise ConfigError(f"projection {proj.name!r}: bad target {proj.target!r}")
        source = self.population(proj.source) if proj.source != INPUT else None
        if source is not None and not source.spiking:
            raise ConfigError(
                f"projection {proj.name!r}: source {source.name!r} is a {source.kind} "
                "(no spikes to propagate)"
            )
        if proj.port not in PORTS or (proj.port and not target.dual):
            raise ConfigError(
                f"projection {proj.name!r}: port {proj.port} into a {target.kind} "
                f"(ports {PORTS} are for {DUAL_KINDS}, else 0)"
            )
        want = (self.size_of(proj.source), target.n)
        if proj.shape != want:
            raise ConfigError(f"projection {proj.name!r}: weight shape {proj.shape}, want {want}")
        if proj.delay is not None:
            if proj.delay.shape != want:
                raise ConfigError(
                    f"projection {proj.name!r}: delay shape {proj.delay.shape}, want {want}"
                )
            if proj.delay.size and proj.delay.min() < 0:
                raise ConfigError(f"projection {proj.name!r}: negative delay {proj.delay.min()}")


def _check_population(pop: FloatPopulation) -> None:
    where = f"population {pop.name!r}"
    if pop.kind not in NEURON_KINDS:
        raise ConfigError(f"{where}: kind {pop.kind!r}; expected one of {NEURON_KINDS}")
    if pop.reset not in RESETS:
        raise ConfigError(f"{where}: reset {pop.reset!r}; expected one of {RESETS}")
    if pop.spiking == (pop.reset == "none"):
        raise ConfigError(f"{where}: a {pop.kind} population cannot have reset {pop.reset!r}")
    if pop.n < 1:
        raise ConfigError(f"{where}: size {pop.n} must be >= 1")
    decays = (
        "beta",
        *(("alpha",) if pop.synaptic else ()),
        *(("adapt_decay",) if pop.adaptive else ()),
        *(("alpha", "alpha2") if pop.dual else ()),
    )
    for name in decays:
        value = getattr(pop, name)
        if not 0.0 <= value <= 1.0:
            raise ConfigError(f"{where}: {name}={value} outside [0, 1]")
    if pop.adaptive and not np.isfinite(pop.adapt_jump):
        raise ConfigError(f"{where}: adapt_jump={pop.adapt_jump} is not finite")
    if pop.bias is not None and np.shape(pop.bias) != (pop.n,):
        raise ConfigError(f"{where}: bias shape {np.shape(pop.bias)}, want ({pop.n},)")
    if pop.v_init is not None and np.shape(pop.v_init) != (pop.n,):
        raise ConfigError(f"{where}: v_init shape {np.shape(pop.v_init)}, want ({pop.n},)")
    if pop.leak is not None and not pop.synaptic:
        raise ConfigError(f"{where}: a {pop.kind} population has no leak (its bias is V's input)")
    if pop.leak is not None and np.shape(pop.leak) != (pop.n,):
        raise ConfigError(f"{where}: leak shape {np.shape(pop.leak)}, want ({pop.n},)")
    if pop.dual:
        _check_dual(pop, where)
    elif pop.threshold_inclusive:
        raise ConfigError(
            f"{where}: threshold_inclusive is for cubalif2 populations, not {pop.kind}"
        )


def _check_dual(pop: FloatPopulation, where: str) -> None:
    if pop.reset not in DUAL_RESETS:
        raise ConfigError(
            f"{where}: a cubalif2 population resets with one of {DUAL_RESETS}, not {pop.reset!r}"
        )
    if not 0 <= pop.refractory <= 32767:
        raise ConfigError(f"{where}: refractory={pop.refractory} outside [0, 32767] steps")
    if pop.syn_frac_bits is not None and not 0 <= pop.syn_frac_bits <= 15:
        raise ConfigError(f"{where}: syn_frac_bits={pop.syn_frac_bits} outside [0, 15]")
