"""The event-driven fixed-point core: run a bundle on input spike trains, bit-exactly.

Public wrapper of riscv_soc.core._kernels: validates the input, packs it into spike bitfields,
derives each sample's RNG seeds (riscv_soc.core.seeds), calls the compiled loop and unpacks the
result into the schema shared with the ISS and RTL runs (riscv_soc.core.result).
"""

from __future__ import annotations

import numpy as np

from riscv_soc.core import _kernels
from riscv_soc.core import layout as L
from riscv_soc.core.result import RunResult
from riscv_soc.core.seeds import sample_seeds
from riscv_soc.errors import DataError
from riscv_soc.quant.bundle import Bundle
from riscv_soc.soc import LANES


def pack_spikes(spikes: np.ndarray) -> np.ndarray:
    """uint8 [S, T, n] -> uint32 [S, T, ceil(n/32)] bitfields: bit j of word w is neuron 32w + j."""
    bits = np.packbits(spikes != 0, axis=-1, bitorder="little")
    pad = (-bits.shape[-1]) % 4
    if pad:
        bits = np.concatenate([bits, np.zeros((*bits.shape[:-1], pad), np.uint8)], axis=-1)
    return np.ascontiguousarray(bits).view("<u4")


def unpack_spikes(words: np.ndarray, n: int) -> np.ndarray:
    """Inverse of pack_spikes: uint32 [..., W] -> uint8 [..., n]."""
    as_bytes = np.ascontiguousarray(words.astype("<u4")).view(np.uint8)
    return np.unpackbits(as_bytes, axis=-1, bitorder="little")[..., :n]


def check_spikes(spikes: np.ndarray, n_inputs: int, where: str = "spikes") -> np.ndarray:
    spikes = np.asarray(spikes)
    if spikes.ndim != 3 or spikes.shape[2] != n_inputs or spikes.shape[1] < 1:
        raise DataError(
            f"{where}: shape {spikes.shape}; expected [samples, steps >= 1, {n_inputs} inputs]"
        )
    if spikes.dtype.kind not in "biu":
        raise DataError(f"{where}: dtype {spikes.dtype}; expected integer 0/1 spikes (uint8)")
    return spikes


def run(
    bundle: Bundle,
    spikes: np.ndarray,
    seed: int = 0,
    sample_offset: int = 0,
    parallel: bool = True,
    arrays: L.CoreArrays | None = None,
) -> RunResult:
    """Simulate `bundle` on `spikes` (uint8 [samples, steps, inputs]) per docs/semantics.md.

    Sample i uses the RNG seeds of sample index `sample_offset + i` under run seed `seed`, so a
    data set split into chunks gives the same result as one call. `arrays`: `flatten(bundle)`,
    when a caller runs one bundle many times (flattening a 16k-neuron network takes seconds).
    """
    spikes = check_spikes(spikes, bundle.n_inputs)
    arr = flatten(bundle) if arrays is None else arrays
    n_samples, n_steps = spikes.shape[:2]
    in_words = pack_spikes(spikes)
    seeds = sample_seeds(seed, np.arange(n_samples) + sample_offset)
    out_pop = bundle.population(bundle.output)
    spk = np.zeros((n_samples, n_steps, max(arr.n_words, 1)), np.uint32)
    state = np.repeat(L.initial_state(bundle, arr)[None], n_samples, axis=0)
    acc = np.zeros((n_samples, -(-out_pop.n // LANES) * LANES), np.int16)
    act = np.zeros((n_samples, len(L.ACTIVITY)), np.int64)
    kernel = _kernels.run_parallel if parallel else _kernels.run_serial
    kernel(arr, in_words, seeds, spk, state, acc, act)
    return _result(bundle, arr, spk, state, acc, act, seed)


def flatten(bundle: Bundle) -> L.CoreArrays:
    """The bundle as the arrays the compiled loop reads (riscv_soc.core.layout)."""
    return L.build(bundle)


def _result(bundle, arr, spk, state_rows, acc, act, seed) -> RunResult:
    spikes, state = {}, {}
    for p, pop in enumerate(bundle.populations):
        row = arr.pops[p]
        if pop.spiking:
            w0 = row[L.P_WORD_OFF]
            spikes[pop.name] = unpack_spikes(spk[:, :, w0 : w0 + row[L.P_NVEC]], pop.n)
        off = row[L.P_OFF]
        for var in pop.variables:
            k = L.STATE_ROWS.index(var)
            state[f"{pop.name}_{var}"] = state_rows[:, k, off : off + pop.n].copy()
    n_out = bundle.population(bundle.output).n
    activity = {name: act[:, k].copy() for k, name in enumerate(L.ACTIVITY)}
    meta = {"backend": "core", "seed": int(seed), "steps": int(spk.shape[1])}
    return RunResult(acc[:, :n_out].astype(np.int32), spikes, state, activity, meta)
