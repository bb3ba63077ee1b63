"""Float network -> fixed-point bundle, FeNN's way, with a report of what quantisation costs.

Sits between the NIR importer (riscv_soc.nir, which yields a FloatNetwork) and the bundle file
(riscv_soc.quant.bundle). Per target population: one power-of-two scale for all incoming weights,
chosen at a percentile of |w| (research/fenn.md 3.2), shared by V, I, bias and threshold; decays in
s0_15 (s1_14 for exactly 1); each projection packed dense, sparse (ELL) or delayed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse

from riscv_soc.errors import ConfigError
from riscv_soc.isa.numerics import INT16_MAX, INT16_MIN
from riscv_soc.quant import formats, pack
from riscv_soc.quant.bundle import ROUNDED_OPS, ROUNDINGS, Bundle, Population, Projection
from riscv_soc.quant.calibration import Calibration
from riscv_soc.quant.network import FloatNetwork, FloatPopulation, FloatProjection
from riscv_soc.soc import LANES

# Ideal cycles per 32-synapse vector of FeNN's row kernels (research/fenn.md 4.5): layout choice.
DENSE_VECTOR_CYCLES, SPARSE_VECTOR_CYCLES = 4, 7


@dataclass(frozen=True)
class QuantConfig:
    """Knobs of the quantiser. `frac_bits` forces one format on every population, or, as a
    dict of population names, on those it names (FeNN's N-MNIST: s7_8 hidden, s6_9 readout).

    `state_headroom_bits`: the state shares its population's format with the incoming weights, so
    the scale never gives the percentile weight more than 16 - state_headroom_bits bits; V then
    holds at least 2**(state_headroom_bits + 1) times that weight before it saturates. 16-bit
    students lose 2 to 6 points of accuracy without it (docs/semantics.md section 5).
    """

    weight_bits: int = 16  # fewer where a sparse or delayed layout needs index or delay bits
    percentile: float = 99.0
    rounding: str = "rn"
    saturate: bool = True
    layout: str = "auto"  # "auto", "dense" or "sparse" for projections without delays
    frac_bits: int | dict[str, int] | None = None
    state_headroom_bits: int = 6

    def check(self) -> None:
        if not 2 <= self.weight_bits <= 16:
            raise ConfigError(f"weight_bits={self.weight_bits} outside [2, 16]")
        if not 0 < self.percentile <= 100:
            raise ConfigError(f"percentile={self.percentile} outside (0, 100]")
        if self.rounding not in ROUNDINGS:
            raise ConfigError(f"rounding={self.rounding!r}; expected one of {ROUNDINGS}")
        if self.layout not in ("auto", "dense", "sparse"):
            raise ConfigError(f"layout={self.layout!r}; expected auto, dense or sparse")
        forced = self.frac_bits if isinstance(self.frac_bits, dict) else {"": self.frac_bits}
        for name, bits in forced.items():
            if bits is not None and not 0 <= bits <= 15:
                where = f"frac_bits[{name!r}]" if name else "frac_bits"
                raise ConfigError(f"{where}={bits} outside [0, 15]")
        if not 0 <= self.state_headroom_bits <= 14:
            raise ConfigError(f"state_headroom_bits={self.state_headroom_bits} outside [0, 14]")

    def frac_bits_of(self, population: str) -> int | None:
        """The format forced on `population`, or None."""
        if isinstance(self.frac_bits, dict):
            return self.frac_bits.get(population)
        return self.frac_bits


def quantise(
    net: FloatNetwork, config: QuantConfig | None = None, calibration: Calibration | None = None
) -> Bundle:
    """The bundle of `net`; `bundle.report` says per population what quantisation cost.

    With a `calibration` (riscv_soc.floatsim.calibrate on spike trains), each population's format
    is the finest that keeps saturation of its recorded state rare, instead of the fixed
    `state_headroom_bits` above the weights."""
    config = config or QuantConfig()
    config.check()
    net.check()
    pops, projs, report = [], [], {"config": vars(config).copy(), "populations": {}}
    for fpop in net.populations:
        incoming = [p for p in net.projections if p.target == fpop.name]
        pop, pop_projs, pop_report = _quantise_population(fpop, incoming, config, calibration)
        pops.append(pop)
        projs += pop_projs
        if calibration is not None:
            pop_report["calibration"] = calibration.summary(fpop.name, pop.frac_bits)
        report["populations"][fpop.name] = pop_report
    order = {p.name: i for i, p in enumerate(net.projections)}
    projs.sort(key=lambda p: order[p.name])
    bundle = Bundle(
        n_inputs=net.n_inputs,
        populations=pops,
        projections=projs,
        output=net.output,
        readout=net.readout,
        readout_shift=net.readout_shift,
        dt=net.dt,
        num_steps=net.num_steps,
        encoding=net.encoding,
        report=report,
        meta=dict(net.meta),
    )
    bundle.check("quantised network")
    return bundle


def _synapses(proj: FloatProjection) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(pre, post, weight) of each synapse in (pre, post) order: nonzeros of a dense matrix,
    entries of a sparse one (repeated entries summed)."""
    if scipy.sparse.issparse(proj.weight):
        csr = scipy.sparse.csr_array(proj.weight)  # no copy when it is one already
        if not csr.has_canonical_format:  # scipy's meaning of repeated entries: their sum
            csr = csr.copy()
            csr.sum_duplicates()
        pre = np.repeat(np.arange(csr.shape[0]), np.diff(csr.indptr))
        return pre, csr.indices, np.asarray(csr.data, np.float64)
    pre, post = np.nonzero(proj.weight)
    return pre, post, np.asarray(proj.weight, np.float64)[pre, post]


def _layout(proj: FloatProjection, config: QuantConfig, pre: np.ndarray, post: np.ndarray) -> str:
    if proj.delay is not None:
        return "delayed"
    if config.layout != "auto":
        return config.layout
    if not scipy.sparse.issparse(proj.weight) and pre.size > 0.5 * proj.weight.size:
        return "dense"
    busiest = np.bincount(pre * LANES + post % LANES).max() if pre.size else 0
    dense_vectors = pack.padded(proj.shape[1]) // LANES
    return (
        "sparse"
        if SPARSE_VECTOR_CYCLES * busiest < DENSE_VECTOR_CYCLES * dense_vectors
        else "dense"
    )


def _quantise_population(
    fpop: FloatPopulation,
    incoming: list[FloatProjection],
    config: QuantConfig,
    calibration: Calibration | None,
) -> tuple[Population, list[Projection], dict]:
    # Two passes over the projections, each taking one projection's synapse lists at a time:
    # a 16k-neuron, 10 %-sparse network then quantises in a few hundred MB.
    layouts, magnitudes = {}, []
    for proj in incoming:
        pre, post, w = _synapses(proj)
        layouts[proj.name] = _layout(proj, config, pre, post)
        magnitudes.append(np.abs(w))
    max_delay = max(
        (int(p.delay.max()) for p in incoming if p.delay is not None and p.delay.size), default=-1
    )
    d = pack.delay_bits(max_delay) if max_delay >= 0 else 0
    packing_bits = [d] if d else []
    packing_bits += [pack.index_bits(fpop.n) for p in incoming if layouts[p.name] == "sparse"]
    bits = min([config.weight_bits, *(16 - b for b in packing_bits)])
    if bits < 2:
        raise ConfigError(
            f"population {fpop.name!r}: packing leaves {bits} weight bits (delay/index bits "
            f"{packing_bits}); use fewer delay steps or a dense layout"
        )
    pooled = np.concatenate(magnitudes or [np.zeros(0)])
    magnitude = float(np.percentile(pooled, config.percentile)) if pooled.size else 0.0
    del magnitudes, pooled
    frac_bits, limited_by = _frac_bits(fpop, magnitude, bits, config, calibration)
    weight_fb = frac_bits
    if fpop.dual:  # currents and weights have their own format; V's holds the fixed values
        weight_fb, frac_bits = _dual_frac_bits(fpop, magnitude, bits, config)

    w_lo, w_hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    projs, clipped, zeroed, total, err = [], 0, 0, 0, 0.0
    reach = np.zeros((2, fpop.n), np.int64)  # largest positive and negative input in one step
    for proj in incoming:
        pre, post, w = _synapses(proj)
        w_raw, n_clip = formats.to_raw(w, weight_fb, w_lo, w_hi)
        error = np.abs(w_raw * 2.0**-weight_fb - w)
        error[(w_raw == w_lo) | (w_raw == w_hi)] = 0.0  # clipped weights are reported apart
        err = max(err, float(error.max(initial=0.0)))
        del error
        clipped, total = clipped + n_clip, total + w.size
        zeroed += int(np.count_nonzero(w_raw == 0))
        reach[0] += np.bincount(post, np.clip(w_raw, 0, None), minlength=fpop.n).astype(np.int64)
        reach[1] += np.bincount(post, np.clip(w_raw, None, 0), minlength=fpop.n).astype(np.int64)
        projs.append(_pack(proj, layouts[proj.name], pre, post, w_raw, fpop.n, d))
    pop = _population(fpop, frac_bits, d, config)
    if fpop.dual:
        pop = _dual_fields(pop, fpop, weight_fb)
    report = {
        "frac_bits": frac_bits,
        "format": formats.format_name(frac_bits, config.saturate),
        "limited_by": limited_by,
        "weight_bits": bits,
        "percentile_magnitude": magnitude,
        "weights": total,
        "weights_clipped": clipped,
        "weights_clipped_fraction": clipped / total if total else 0.0,
        "weights_rounded_to_zero": zeroed,
        "max_weight_error": err,
        "layouts": layouts,
        "parameters": _parameter_report(fpop, pop),
        "saturating_neurons": _saturation_risk(pop, reach),
    }
    return pop, projs, report


def _frac_bits(fpop, magnitude: float, bits: int, config: QuantConfig, calibration):
    if config.frac_bits_of(fpop.name) is not None:
        return config.frac_bits_of(fpop.name), "override"
    by_weights = formats.weight_frac_bits(magnitude, bits)
    if calibration is not None:
        by_state = calibration.frac_bits_for(fpop.name)
    else:
        by_state = formats.weight_frac_bits(magnitude, 16 - config.state_headroom_bits)
    fixed = [abs(fpop.threshold), abs(fpop.v_reset)] if fpop.spiking else [0.0]
    if fpop.adaptive:
        fixed.append(abs(fpop.threshold) + _largest_adaptation(fpop))
    fixed += [float(np.abs(x).max()) for x in (fpop.bias, fpop.leak) if x is not None and x.size]
    by_headroom = formats.headroom_frac_bits(max(fixed))
    frac_bits = max(0, min(by_weights, by_state, by_headroom, 15))
    state = "calibration" if calibration is not None else "state"
    for limit, name in ((by_weights, "weights"), (by_state, state), (by_headroom, "headroom")):
        if frac_bits == limit:
            return frac_bits, name
    return frac_bits, "range"


def _dual_frac_bits(fpop: FloatPopulation, magnitude: float, bits: int, config: QuantConfig):
    """(F of the currents and weights, F of V) of a cubalif2 population: the currents' from the
    weights (or `syn_frac_bits`), V's from the values it must hold (threshold, reset, offset)."""
    syn = fpop.syn_frac_bits
    if syn is None:
        syn = max(0, min(formats.weight_frac_bits(magnitude, bits), 15))
    if config.frac_bits_of(fpop.name) is not None:
        return syn, config.frac_bits_of(fpop.name)
    fixed = [abs(fpop.threshold), abs(fpop.v_reset), abs(fpop.i_offset)]
    if fpop.v_init is not None and fpop.v_init.size:
        fixed.append(float(np.abs(fpop.v_init).max()))
    return syn, max(0, min(formats.headroom_frac_bits(max(fixed)), 15))


def _dual_fields(pop: Population, fpop: FloatPopulation, syn_fb: int) -> Population:
    def raw(x: float, fb: int) -> int:
        return int(formats.to_raw(x, fb)[0])

    alpha2_fb = formats.decay_format(fpop.alpha2)
    alpha_fb = formats.decay_format(fpop.alpha)
    # the scales' F: the most that keeps the vmul shift <= 15 and both scales in int16
    largest = max(abs(fpop.syn_scale), abs(fpop.syn_scale2), 2.0**-15)
    scale_fb = min(15 - syn_fb + pop.frac_bits, 15, math.floor(math.log2(INT16_MAX / largest)))
    if scale_fb < 0:
        raise ConfigError(
            f"population {fpop.name!r}: syn_frac_bits={syn_fb} leaves no fractional bits for "
            f"syn_scale={fpop.syn_scale:g}, syn_scale2={fpop.syn_scale2:g} (V has {pop.frac_bits})"
        )
    return replace(
        pop,
        alpha_raw=raw(fpop.alpha, alpha_fb),
        alpha_frac_bits=alpha_fb,
        alpha2_raw=raw(fpop.alpha2, alpha2_fb),
        alpha2_frac_bits=alpha2_fb,
        syn_frac_bits=syn_fb,
        syn_scale_raw=raw(fpop.syn_scale, scale_fb),
        syn_scale2_raw=raw(fpop.syn_scale2, scale_fb),
        syn_scale_frac_bits=scale_fb,
        refractory=int(fpop.refractory),
        refractory_hold=bool(fpop.refractory_hold),
        threshold_inclusive=bool(fpop.threshold_inclusive),
        i_offset_raw=raw(fpop.i_offset, pop.frac_bits),
    )


def _pack(proj, layout, pre, post, w_raw, n_post, d) -> Projection:
    keep = w_raw != 0
    if layout == "sparse":
        b = pack.index_bits(n_post)
        words = pack.pack_sparse(pre[keep], post[keep], w_raw[keep], proj.shape[0], b)
        return Projection(
            proj.name, proj.source, proj.target, layout, proj.shape[0], n_post, b, words, proj.port
        )
    dense = np.zeros(proj.shape, np.int64)
    dense[pre, post] = w_raw
    if layout == "delayed":
        words = pack.pack_delayed(dense, np.asarray(proj.delay, np.int64), d)
        return Projection(
            proj.name, proj.source, proj.target, layout, proj.shape[0], n_post, d, words
        )
    words = pack.pack_dense(dense)
    return Projection(
        proj.name, proj.source, proj.target, "dense", proj.shape[0], n_post, 0, words, proj.port
    )


def _population(fpop: FloatPopulation, frac_bits: int, d: int, config: QuantConfig) -> Population:
    def raw(x: float, fb: int) -> int:
        return int(formats.to_raw(x, fb)[0])

    beta_fb = formats.decay_format(fpop.beta)
    alpha_fb = formats.decay_format(fpop.alpha)
    rho_fb = formats.decay_format(fpop.adapt_decay)

    def per_neuron(x: np.ndarray | None, keep_zeros: bool = False) -> np.ndarray | None:
        if x is None or not (keep_zeros or np.any(x)):
            return None
        out = np.zeros(pack.padded(fpop.n), np.int16)
        out[: fpop.n] = formats.to_raw(x, frac_bits)[0]
        return out

    return Population(
        name=fpop.name,
        kind=fpop.kind,
        n=fpop.n,
        frac_bits=frac_bits,
        saturate=config.saturate,
        beta_raw=raw(fpop.beta, beta_fb),
        beta_frac_bits=beta_fb,
        threshold_raw=raw(fpop.threshold, frac_bits) if fpop.spiking else 0,
        reset=fpop.reset,
        v_reset_raw=raw(fpop.v_reset, frac_bits) if fpop.spiking else 0,
        alpha_raw=raw(fpop.alpha, alpha_fb) if fpop.synaptic else 0,
        alpha_frac_bits=alpha_fb,
        rounding=dict.fromkeys(ROUNDED_OPS, config.rounding),
        delay_slots=(1 << (d - 1)) if d else 0,
        adapt_decay_raw=raw(fpop.adapt_decay, rho_fb) if fpop.adaptive else 0,
        adapt_decay_frac_bits=rho_fb,
        adapt_jump_raw=raw(fpop.adapt_jump, frac_bits) if fpop.adaptive else 0,
        bias=per_neuron(fpop.bias),
        v_init=per_neuron(fpop.v_init, keep_zeros=True),
        leak=per_neuron(fpop.leak),
    )


def _largest_adaptation(fpop: FloatPopulation) -> float:
    """|A| when the neuron spikes every step: |jump| / (1 - rho), or one jump per step of a
    non-decaying A (there it is bounded only by the run; saturation catches the rest)."""
    jump = abs(fpop.adapt_jump)
    return jump / (1.0 - fpop.adapt_decay) if fpop.adapt_decay < 1.0 else jump


def _parameter_report(fpop: FloatPopulation, pop: Population) -> dict:
    out = {"beta": (fpop.beta, pop.beta_raw * 2.0**-pop.beta_frac_bits)}
    if pop.synaptic:
        out["alpha"] = (fpop.alpha, pop.alpha_raw * 2.0**-pop.alpha_frac_bits)
    if pop.adaptive:
        out["adapt_decay"] = (
            fpop.adapt_decay,
            pop.adapt_decay_raw * 2.0**-pop.adapt_decay_frac_bits,
        )
        out["adapt_jump"] = (fpop.adapt_jump, pop.adapt_jump_raw * 2.0**-pop.frac_bits)
    if pop.spiking:
        out["threshold"] = (fpop.threshold, pop.threshold_raw * 2.0**-pop.frac_bits)
        out["v_reset"] = (fpop.v_reset, pop.v_reset_raw * 2.0**-pop.frac_bits)
    return {k: {"float": a, "quantised": b} for k, (a, b) in out.items()}


def _saturation_risk(pop: Population, reach: np.ndarray) -> int:
    """Neurons whose input in one step can leave int16 if every source spikes at once (`reach`:
    per neuron the sum of the positive and of the negative raw weights into it)."""
    hi, lo = reach[0].copy(), reach[1].copy()
    if pop.bias is not None:
        hi += pop.bias[: pop.n]
        lo += pop.bias[: pop.n]
    return int(np.count_nonzero((hi > INT16_MAX) | (lo < INT16_MIN)))
