"""The quantised-network bundle: one versioned `.npz` file that the core and the compiler read.

Written by the quantiser (riscv_soc.quant.quantise), read by riscv_soc.core and later by the
compiler. The `header` entry is JSON (utf-8 bytes); every other entry is an array kept exactly as
the hardware stores it. docs/formats.md describes the file; docs/semantics.md what it computes.
"""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from riscv_soc.errors import BundleError
from riscv_soc.isa.numerics import INT16_MAX, INT16_MIN
from riscv_soc.quant.formats import format_name
from riscv_soc.quant.network import (
    ADAPTIVE_KINDS,
    DUAL_KINDS,
    DUAL_RESETS,
    ENCODINGS,
    INPUT,
    NEURON_KINDS,
    PORTS,
    READOUTS,
    RESETS,
    SPIKING_KINDS,
    SYNAPTIC_KINDS,
)
from riscv_soc.quant.pack import index_bits, padded
from snnsoc_common.artefacts import atomic_path

FORMAT = "snnsoc-bundle"
VERSION = 2  # 2: ALIF populations (adapt_* fields, the a_decay rounding)
LAYOUTS = ("dense", "sparse", "delayed")
ROUNDINGS = ("floor", "rn", "sr")
ROUNDED_OPS = ("v_decay", "i_decay", "a_decay", "readout")
PER_NEURON = ("bias", "v_init", "leak")  # int16 arrays of a population, stored beside the header


@dataclass
class Population:
    """One population in fixed point. V, I, A and the synaptic input share `frac_bits`.

    `beta_raw`/`alpha_raw`/`adapt_decay_raw` are decays with `*_frac_bits` fractional bits;
    `adapt_jump_raw` is ALIF's threshold rise per spike in the population's format; `rounding`
    maps each rounded op (v_decay, i_decay, a_decay, readout) to floor, rn or sr; `bias` is
    int16[padded(n)] or None; `delay_slots` is the ring size D of its delayed input (0: none).

    cubalif2 (docs/semantics.md 8.1): currents I and I2 (and their weights) in `syn_frac_bits`,
    decays `alpha_raw`/`alpha2_raw`; `syn_scale_raw`/`syn_scale2_raw` (`syn_scale_frac_bits`)
    turn them into V's format with one vmul each (shift syn_frac_bits + syn_scale_frac_bits -
    frac_bits); `i_offset_raw` is the constant input in V's format; `refractory` steps after a
    spike hold V (`refractory_hold`) or let it integrate without firing; `threshold_inclusive`:
    it fires on V >= threshold (vtge) instead of V > threshold.
    `v_init`: int16[padded(n)] initial V, or None (0). `leak`: int16[padded(n)] added to V's
    input after the synaptic current (cubalif/cubali: NIR CubaLIF's v_leak term), or None.
    """

    name: str
    kind: str
    n: int
    frac_bits: int
    saturate: bool
    beta_raw: int
    beta_frac_bits: int
    threshold_raw: int = 0
    reset: str = "none"
    v_reset_raw: int = 0
    alpha_raw: int = 0
    alpha_frac_bits: int = 15
    rounding: dict[str, str] = field(default_factory=lambda: dict.fromkeys(ROUNDED_OPS, "rn"))
    delay_slots: int = 0
    adapt_decay_raw: int = 0
    adapt_decay_frac_bits: int = 15
    adapt_jump_raw: int = 0
    alpha2_raw: int = 0
    alpha2_frac_bits: int = 15
    syn_frac_bits: int = 0
    syn_scale_raw: int = 0
    syn_scale2_raw: int = 0
    syn_scale_frac_bits: int = 15
    refractory: int = 0
    refractory_hold: bool = True
    threshold_inclusive: bool = False
    i_offset_raw: int = 0
    bias: np.ndarray | None = None
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

    @property
    def variables(self) -> tuple[str, ...]:
        if self.dual:
            return ("V", "I", "I2", "R")
        return ("V", *(("I",) if self.synaptic else ()), *(("A",) if self.adaptive else ()))

    def formats(self) -> dict[str, str]:
        """Fixed-point format of every variable and parameter, for people and the compiler."""
        state = format_name(self.frac_bits, self.saturate)
        out = dict.fromkeys((*self.variables, "isyn"), state)
        out["beta"] = format_name(self.beta_frac_bits)
        if self.synaptic:
            out["alpha"] = format_name(self.alpha_frac_bits)
        if self.adaptive:
            out["adapt_decay"] = format_name(self.adapt_decay_frac_bits)
            out["adapt_jump"] = format_name(self.frac_bits)
        if self.spiking:
            out["threshold"] = out["v_reset"] = format_name(self.frac_bits)
        for name in ("bias", "leak"):
            if getattr(self, name) is not None:
                out[name] = format_name(self.frac_bits)
        if self.dual:
            out["I"] = out["I2"] = out["isyn"] = format_name(self.syn_frac_bits, self.saturate)
            out["R"] = "int16"
            out["alpha"] = format_name(self.alpha_frac_bits)
            out["alpha2"] = format_name(self.alpha2_frac_bits)
            out["syn_scale"] = format_name(self.syn_scale_frac_bits)
            out["i_offset"] = format_name(self.frac_bits)
        return out

    @property
    def syn_scale_shift(self) -> int:
        """The shift of the vmul that turns a current into V's format (cubalif2)."""
        return self.syn_frac_bits + self.syn_scale_frac_bits - self.frac_bits


@dataclass
class Projection:
    """Packed rows from `source` ("input" or a population) into `target` (pack.py has the layouts).

    `bits` is b (sparse index bits), d (delay bits) or 0 (dense); `port` the synaptic current of
    a cubalif2 target it adds into (0 or 1; 0 for every other kind).
    """

    name: str
    source: str
    target: str
    layout: str
    n_pre: int
    n_post: int
    bits: int
    words: np.ndarray
    port: int = 0

    @property
    def row_words(self) -> int:
        return int(self.words.shape[1])


@dataclass
class Bundle:
    """A whole quantised network: populations in update order, projections in accumulation order."""

    n_inputs: int
    populations: list[Population]
    projections: list[Projection]
    output: str
    readout: str
    readout_shift: int
    dt: float
    num_steps: int
    encoding: str
    report: dict = field(default_factory=dict)
    meta: dict = field(default_factory=dict)

    def population(self, name: str) -> Population:
        for pop in self.populations:
            if pop.name == name:
                return pop
        raise BundleError(f"bundle: no population named {name!r}")

    def index(self, name: str) -> int:
        """Update-order index of a population; -1 for the input."""
        if name == INPUT:
            return -1
        return [p.name for p in self.populations].index(name)

    def check(self, where: str = "bundle") -> None:
        """Raise BundleError naming the field, the limit and the value that is wrong."""
        _check_bundle(self, where)


def save_bundle(bundle: Bundle, path: str | os.PathLike) -> None:
    """Write `bundle` atomically to `path` (an `.npz`)."""
    bundle.check(str(path))
    arrays: dict[str, Any] = {}  # Any: **arrays must not look like savez's keywords
    for pop in bundle.populations:
        for name in PER_NEURON:
            if getattr(pop, name) is not None:
                arrays[f"pop.{pop.name}.{name}"] = getattr(pop, name)
    for proj in bundle.projections:
        arrays[f"proj.{proj.name}.words"] = proj.words
    header = json.dumps(_header(bundle)).encode()
    with atomic_path(path) as tmp, tmp.open("wb") as f:
        np.savez(f, header=np.frombuffer(header, np.uint8), **arrays)


def load_bundle(path: str | os.PathLike) -> Bundle:
    """Read and validate a bundle; BundleError for a missing, truncated or other-version file."""
    path = Path(path)
    try:
        with np.load(path, allow_pickle=False) as npz:
            entries = {key: npz[key] for key in npz.files}
    except FileNotFoundError:
        raise BundleError(f"{path}: no such bundle file") from None
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as err:
        raise BundleError(
            f"{path}: not a readable bundle (truncated or not an .npz): {err}"
        ) from None
    if "header" not in entries:
        raise BundleError(f"{path}: no 'header' entry; not a {FORMAT} file")
    try:
        header = json.loads(entries["header"].tobytes().decode())
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise BundleError(f"{path}: header is not JSON: {err}") from None
    if header.get("format") != FORMAT:
        raise BundleError(f"{path}: format {header.get('format')!r}, expected {FORMAT!r}")
    if header.get("version") != VERSION:
        raise BundleError(
            f"{path}: bundle version {header.get('version')!r}; this snnsoc reads version {VERSION}"
        )
    try:
        bundle = _from_header(header, entries)
    except (KeyError, TypeError, ValueError) as err:
        raise BundleError(f"{path}: header field missing or malformed: {err!r}") from None
    bundle.check(str(path))
    return bundle


def _header(bundle: Bundle) -> dict:
    pops = []
    for pop in bundle.populations:
        d = {k: v for k, v in asdict(pop).items() if k not in PER_NEURON}
        d.update({f"has_{name}": getattr(pop, name) is not None for name in PER_NEURON})
        d["formats"] = pop.formats()
        pops.append(d)
    projs = [{k: v for k, v in asdict(p).items() if k != "words"} for p in bundle.projections]
    for d, proj in zip(projs, bundle.projections, strict=True):
        d["row_words"] = proj.row_words
    head = {"format": FORMAT, "version": VERSION}
    head.update(
        {k: v for k, v in asdict(bundle).items() if k not in ("populations", "projections")}
    )
    head["populations"] = pops
    head["projections"] = projs
    return head


def _from_header(header: dict, entries: dict[str, np.ndarray]) -> Bundle:
    pops = []
    for d in header["populations"]:
        has = {name: d.pop(f"has_{name}", False) for name in PER_NEURON}
        fields = {k: v for k, v in d.items() if k != "formats"}
        arrays: dict[str, Any] = {
            n: entries[f"pop.{d['name']}.{n}"] if has[n] else None for n in PER_NEURON
        }
        pops.append(Population(**fields, **arrays))
    projs = []
    for d in header["projections"]:
        fields = {k: v for k, v in d.items() if k != "row_words"}
        projs.append(Projection(**fields, words=entries[f"proj.{d['name']}.words"]))
    top = {
        k: header[k]
        for k in ("n_inputs", "output", "readout", "readout_shift", "dt", "num_steps", "encoding")
    }
    return Bundle(
        **top,
        populations=pops,
        projections=projs,
        report=header.get("report", {}),
        meta=header.get("meta", {}),
    )


def _fail(where: str, what: str) -> None:
    raise BundleError(f"{where}: {what}")


def _check_int16(where: str, name: str, value: int) -> None:
    if not INT16_MIN <= int(value) <= INT16_MAX:
        _fail(where, f"{name}={value} outside int16 [{INT16_MIN}, {INT16_MAX}]")


def _check_bundle(b: Bundle, where: str) -> None:
    names = [p.name for p in b.populations]
    if len(set(names)) != len(names) or INPUT in names or not names:
        _fail(where, f"population names must be unique, non-empty and not 'input': {names}")
    if b.output not in names:
        _fail(where, f"output {b.output!r} is not a population ({names})")
    if b.readout not in READOUTS:
        _fail(where, f"readout {b.readout!r}; expected one of {READOUTS}")
    if (b.readout == "count") != b.population(b.output).spiking:
        _fail(where, f"readout {b.readout!r} does not suit output {b.output!r}")
    if not 0 <= b.readout_shift <= 15:
        _fail(where, f"readout_shift={b.readout_shift} outside [0, 15]")
    if b.encoding not in ENCODINGS:
        _fail(where, f"encoding {b.encoding!r}; expected one of {ENCODINGS}")
    if not (b.n_inputs >= 1 and b.num_steps >= 1 and b.dt > 0):
        _fail(where, f"n_inputs={b.n_inputs}, num_steps={b.num_steps}, dt={b.dt} must be > 0")
    for pop in b.populations:
        _check_population(pop, f"{where}: population {pop.name!r}")
    for proj in b.projections:
        _check_projection(b, proj, f"{where}: projection {proj.name!r}")
    if len({p.name for p in b.projections}) != len(b.projections):
        _fail(where, "projection names must be unique")


def _check_population(pop: Population, where: str) -> None:
    if pop.kind not in NEURON_KINDS:
        _fail(where, f"kind {pop.kind!r}; expected one of {NEURON_KINDS}")
    if pop.reset not in RESETS or pop.spiking == (pop.reset == "none"):
        _fail(where, f"reset {pop.reset!r} does not suit a {pop.kind} population")
    if pop.n < 1:
        _fail(where, f"n={pop.n} must be >= 1")
    for name in (
        "frac_bits",
        "beta_frac_bits",
        "alpha_frac_bits",
        "adapt_decay_frac_bits",
        "alpha2_frac_bits",
        "syn_frac_bits",
        "syn_scale_frac_bits",
    ):
        if not 0 <= getattr(pop, name) <= 15:
            _fail(where, f"{name}={getattr(pop, name)} outside [0, 15]")
    for name in (
        "beta_raw",
        "alpha_raw",
        "threshold_raw",
        "v_reset_raw",
        "adapt_decay_raw",
        "adapt_jump_raw",
        "alpha2_raw",
        "syn_scale_raw",
        "syn_scale2_raw",
        "i_offset_raw",
    ):
        _check_int16(where, name, getattr(pop, name))
    if not 0 <= pop.refractory <= INT16_MAX:
        _fail(where, f"refractory={pop.refractory} outside [0, {INT16_MAX}]")
    if pop.dual and pop.reset not in DUAL_RESETS:
        _fail(where, f"reset {pop.reset!r}; a cubalif2 population resets with {DUAL_RESETS}")
    if pop.dual and not 0 <= pop.syn_scale_shift <= 15:
        _fail(
            where,
            f"syn_frac_bits + syn_scale_frac_bits - frac_bits = {pop.syn_scale_shift} "
            "outside [0, 15] (the vmul shift)",
        )
    if sorted(pop.rounding) != sorted(ROUNDED_OPS) or any(
        m not in ROUNDINGS for m in pop.rounding.values()
    ):
        _fail(
            where, f"rounding {pop.rounding}; want a mode from {ROUNDINGS} for each {ROUNDED_OPS}"
        )
    if pop.delay_slots and (pop.delay_slots & (pop.delay_slots - 1)):
        _fail(where, f"delay_slots={pop.delay_slots} is not a power of two")
    if pop.leak is not None and not pop.synaptic:
        _fail(where, f"a {pop.kind} population has no leak (its bias is V's input)")
    for name in PER_NEURON:
        a = getattr(pop, name)
        if a is not None and (a.dtype != np.int16 or a.shape != (padded(pop.n),)):
            _fail(where, f"{name} {a.dtype}{a.shape}, want int16({padded(pop.n)},)")


def _check_projection(b: Bundle, proj: Projection, where: str) -> None:
    names = [p.name for p in b.populations]
    if proj.source != INPUT and proj.source not in names:
        _fail(where, f"source {proj.source!r} is neither 'input' nor a population")
    if proj.target not in names:
        _fail(where, f"target {proj.target!r} is not a population")
    if proj.source != INPUT and not b.population(proj.source).spiking:
        _fail(where, f"source {proj.source!r} does not spike")
    want_pre = b.n_inputs if proj.source == INPUT else b.population(proj.source).n
    target = b.population(proj.target)
    if proj.port not in PORTS or (proj.port and not target.dual):
        _fail(
            where,
            f"port={proj.port} into a {target.kind} population (want 0, or {PORTS} "
            f"for {DUAL_KINDS})",
        )
    if (proj.n_pre, proj.n_post) != (want_pre, target.n):
        _fail(where, f"size {proj.n_pre}x{proj.n_post}, want {want_pre}x{target.n}")
    if proj.layout not in LAYOUTS:
        _fail(where, f"layout {proj.layout!r}; expected one of {LAYOUTS}")
    w = proj.words
    if w.dtype != np.int16 or w.ndim != 2 or w.shape[0] != proj.n_pre:
        _fail(where, f"words {w.dtype}{w.shape}, want int16 with {proj.n_pre} rows")
    if proj.layout == "sparse":
        if w.shape[1] % 32 or not index_bits(proj.n_post) <= proj.bits <= 15:
            _fail(
                where,
                f"sparse rows of {w.shape[1]} words with b={proj.bits}: want a multiple of 32 "
                f"and {index_bits(proj.n_post)} <= b <= 15",
            )
        rows = (w.astype(np.int32) & ((1 << proj.bits) - 1)) >> 1
        if rows.size and rows.max() >= -(-proj.n_post // 32):
            _fail(where, f"sparse index row {rows.max()} beyond {-(-proj.n_post // 32)} rows")
    elif w.shape[1] != padded(proj.n_post):
        _fail(where, f"{w.shape[1]} words per row, want {padded(proj.n_post)}")
    if proj.layout == "delayed":
        slots = 1 << (proj.bits - 1) if 1 <= proj.bits <= 15 else -1
        if slots != target.delay_slots:
            _fail(where, f"d={proj.bits} gives {slots} slots; target has {target.delay_slots}")
    elif proj.bits and proj.layout == "dense":
        _fail(where, f"dense projection with bits={proj.bits}, want 0")
