"""A bundle flattened into the typed arrays the core's kernel reads (one NamedTuple).

Sits between riscv_soc.quant.bundle (the file) and riscv_soc.core._kernels (the compiled loop).
Populations and projections become rows of int64 parameter tables whose columns are named by the
constants below; packed rows go into one int16 pool, unchanged.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from riscv_soc.isa.numerics import ROUND_NAMES
from riscv_soc.quant.bundle import Bundle
from riscv_soc.quant.pack import padded
from riscv_soc.soc import LANES

# Columns of CoreArrays.pops.
(
    P_N,
    P_NVEC,
    P_OFF,
    P_WORD_OFF,
    P_SYN,
    P_SPIKING,
    P_RESET,
    P_SAT,
    P_BETA,
    P_BETA_FB,
    P_ALPHA,
    P_ALPHA_FB,
    P_THR,
    P_VRESET,
    P_RND_V,
    P_RND_I,
    P_RND_R,
    P_BIAS_OFF,
    P_RING_OFF,
    P_SLOTS,
    P_ADAPT,
    P_RHO,
    P_RHO_FB,
    P_JUMP,
    P_RND_A,
    P_DUAL,
    P_ALPHA2,
    P_ALPHA2_FB,
    P_SYN_FB,
    P_SCALE,
    P_SCALE2,
    P_SCALE_SHIFT,
    P_REFRAC,
    P_OFFSET,
    P_HOLD,
    P_LEAK_OFF,
    P_INCLUSIVE,
    P_NCOLS,
) = range(38)
RESET_CODES = {"none": 0, "subtract": 1, "value": 2, "value_after": 3}

# Columns of CoreArrays.projs.
(
    J_SRC,
    J_LAYOUT,
    J_BITS,
    J_ROW_WORDS,
    J_STRIDE,
    J_WORDS_OFF,
    J_COUNT_OFF,
    J_SPARSE_OFF,
    J_PORT,
    J_NCOLS,
) = range(10)
LAYOUT_CODES = {"dense": 0, "sparse": 1, "delayed": 2}

# A sparse row runs as a dense row (zero words for absent synapses; adding 0 changes nothing,
# saturating or not) when that touches at most this many words per real synapse: a scattered
# add costs about as much as 16 vectorised dense words on the x86 CPUs we measured
# (benchmarks/core_speed.py). Only projections of at most DENSE_EXPANSION_WORDS words expand.
DENSE_WORDS_PER_SCATTER = 16
DENSE_EXPANSION_WORDS = 1 << 23

READOUT_CODES = {"mean": 0, "max": 1, "last": 2, "count": 3}

# Rows of the per-sample state array: every variable of every population, padded.
STATE_ROWS = ("V", "I", "A", "I2", "R")
# Most RNG-consuming ops of one population in one step (cubalif2: two scales, two current
# decays, the V decay; and the readout shift).
MAX_DRAW_OPS = 6
# Synaptic accumulators per neuron: one per port (cubalif2 has two).
PORTS = 2

# Columns of the per-sample activity counters.
ACTIVITY = ("input_spikes", "spikes", "synops", "row_words", "neuron_updates", "saturations")


class CoreArrays(NamedTuple):
    pops: np.ndarray  # int64 [P, P_NCOLS]
    proj_start: np.ndarray  # int64 [P + 1]: projections into population p are rows start[p]..
    projs: np.ndarray  # int64 [Q, J_NCOLS], grouped by target in update order
    words: np.ndarray  # int16 pool of packed rows
    row_counts: np.ndarray  # int32 pool: real synapses per row (for activity)
    sparse_ptr: np.ndarray  # int64: sparse row r's synapses are sparse_*[ptr[r]:ptr[r + 1]]
    sparse_target: np.ndarray  # int32 pool: target neuron (in its population) of each synapse
    sparse_weight: np.ndarray  # int16 pool: its weight
    bias: np.ndarray  # int16 pool of biases and leaks (size >= 1)
    n_state: int  # padded neurons of all populations
    n_ring: int  # ring slots of all populations
    max_size: int  # the largest population, padded (the size of the kernel's scratch rows)
    n_words: int  # spike words per step of all populations
    n_in_words: int
    output: int  # index of the output population
    readout: int  # READOUT_CODES
    readout_shift: int


def build(bundle: Bundle) -> CoreArrays:
    pops = np.zeros((len(bundle.populations), P_NCOLS), np.int64)
    bias_pool, off, word_off, ring_off, bias_off = [], 0, 0, 0, 0
    for i, pop in enumerate(bundle.populations):
        row = pops[i]
        npad = padded(pop.n)
        row[P_N], row[P_NVEC], row[P_OFF], row[P_WORD_OFF] = pop.n, npad // LANES, off, word_off
        row[P_SYN], row[P_SPIKING] = pop.synaptic, pop.spiking
        row[P_RESET], row[P_SAT] = RESET_CODES[pop.reset], pop.saturate
        row[P_BETA], row[P_BETA_FB] = pop.beta_raw, pop.beta_frac_bits
        row[P_ALPHA], row[P_ALPHA_FB] = pop.alpha_raw, pop.alpha_frac_bits
        row[P_THR], row[P_VRESET] = pop.threshold_raw, pop.v_reset_raw
        row[P_RND_V] = ROUND_NAMES[pop.rounding["v_decay"]]
        row[P_RND_I] = ROUND_NAMES[pop.rounding["i_decay"]]
        row[P_RND_R] = ROUND_NAMES[pop.rounding["readout"]]
        row[P_ADAPT], row[P_RND_A] = pop.adaptive, ROUND_NAMES[pop.rounding["a_decay"]]
        row[P_RHO], row[P_RHO_FB] = pop.adapt_decay_raw, pop.adapt_decay_frac_bits
        row[P_JUMP] = pop.adapt_jump_raw
        row[P_DUAL], row[P_SYN_FB] = pop.dual, pop.syn_frac_bits
        row[P_ALPHA2], row[P_ALPHA2_FB] = pop.alpha2_raw, pop.alpha2_frac_bits
        row[P_SCALE], row[P_SCALE2] = pop.syn_scale_raw, pop.syn_scale2_raw
        row[P_REFRAC], row[P_OFFSET] = pop.refractory, pop.i_offset_raw
        row[P_HOLD], row[P_INCLUSIVE] = pop.refractory_hold, pop.threshold_inclusive
        row[P_SCALE_SHIFT] = pop.syn_scale_shift if pop.dual else 0
        for col, values in ((P_BIAS_OFF, pop.bias), (P_LEAK_OFF, pop.leak)):
            row[col] = -1 if values is None else bias_off
            if values is not None:
                bias_pool.append(values)
                bias_off += npad
        row[P_RING_OFF], row[P_SLOTS] = ring_off, pop.delay_slots
        ring_off += npad * pop.delay_slots
        off += npad
        word_off += npad // LANES

    order = sorted(
        range(len(bundle.projections)),
        key=lambda q: (bundle.index(bundle.projections[q].target), q),
    )
    projs = np.zeros((len(order), J_NCOLS), np.int64)
    proj_start = np.zeros(len(bundle.populations) + 1, np.int64)
    word_pool, count_pool, words_off, count_off = [], [], 0, 0
    sparse = _SparsePools()
    for row, q in zip(projs, order, strict=True):
        proj = bundle.projections[q]
        row[J_SRC] = bundle.index(proj.source)
        row[J_LAYOUT], row[J_BITS] = LAYOUT_CODES[proj.layout], proj.bits
        row[J_ROW_WORDS], row[J_COUNT_OFF] = proj.row_words, count_off
        row[J_PORT] = proj.port
        proj_start[bundle.index(proj.target) + 1] += 1
        words = proj.words if proj.layout != "sparse" else _as_dense(proj)
        if words is None:  # the core reads the decoded pools, not the words
            row[J_SPARSE_OFF] = sparse.add(proj)
        else:
            row[J_LAYOUT] = LAYOUT_CODES["dense" if proj.layout == "sparse" else proj.layout]
            row[J_STRIDE], row[J_WORDS_OFF] = words.shape[1], words_off
            word_pool.append(words.ravel())
            words_off += words.size
        count_pool.append(_row_counts(proj))
        count_off += proj.n_pre
    return CoreArrays(
        pops=pops,
        proj_start=np.cumsum(proj_start),
        projs=projs,
        words=_concat(word_pool, np.int16),
        row_counts=_concat(count_pool, np.int32),
        sparse_ptr=np.concatenate([[0], *sparse.counts]).cumsum().astype(np.int64),
        sparse_target=_concat(sparse.targets, np.int32),
        sparse_weight=_concat(sparse.weights, np.int16),
        bias=_concat(bias_pool, np.int16),
        n_state=off,
        n_ring=max(ring_off, 1),
        max_size=int(pops[:, P_NVEC].max()) * LANES,
        n_words=word_off,
        n_in_words=-(-bundle.n_inputs // LANES),
        output=bundle.index(bundle.output),
        readout=READOUT_CODES[bundle.readout],
        readout_shift=bundle.readout_shift,
    )


class _SparsePools:
    """The ELL rows decoded as the firmware decodes them (vandadd row, lane, vsrai weight), padding
    words dropped: the core then touches only real synapses, in the order of the words."""

    def __init__(self):
        self.counts, self.targets, self.weights, self.rows = [], [], [], 0

    def add(self, proj) -> int:
        for counts, targets, weights in _decode_sparse(proj):
            self.counts.append(counts)
            self.targets.append(targets)
            self.weights.append(weights)
        start, self.rows = self.rows, self.rows + proj.n_pre
        return start


def _decode_sparse(proj, block_words: int = 1 << 22):
    """(synapses per row, target, weight) of a sparse projection's real words, a block of rows
    at a time, so that a 16k-neuron network needs no int64 copy of all its words."""
    lane = (np.arange(proj.row_words) % LANES).astype(np.int32)
    block = max(1, block_words // max(proj.row_words, 1))
    for lo in range(0, proj.n_pre, block):
        words = proj.words[lo : lo + block].astype(np.int32)
        real = words != 0  # padding is word 0; zero weights are never packed
        targets = ((words & ((1 << proj.bits) - 1)) >> 1) * LANES + lane[None, :]
        yield real.sum(axis=1), targets[real], (words[real] >> proj.bits).astype(np.int16)


def _as_dense(proj) -> np.ndarray | None:
    """A sparse projection's rows as dense words (zero where there is no synapse), when that runs
    faster (DENSE_WORDS_PER_SCATTER), fits DENSE_EXPANSION_WORDS and no row repeats a target."""
    dense_words = proj.n_pre * padded(proj.n_post)
    synapses = np.count_nonzero(proj.words)
    if dense_words > min(DENSE_EXPANSION_WORDS, DENSE_WORDS_PER_SCATTER * synapses):
        return None
    dense = np.zeros((proj.n_pre, padded(proj.n_post)), np.int16)
    row = 0
    for counts, targets, weights in _decode_sparse(proj):
        dense[np.repeat(np.arange(row, row + counts.size), counts), targets] = weights
        row += counts.size
    # a target twice in one row (two words) would need two saturating adds: keep it sparse
    return dense if np.count_nonzero(dense) == synapses else None


def _row_counts(proj) -> np.ndarray:
    """Synapses a spike of each source neuron touches: the target size, or a row's real words."""
    if proj.layout == "sparse":
        return np.count_nonzero(proj.words, axis=1).astype(np.int32)
    return np.full(proj.n_pre, proj.n_post, np.int32)


def initial_state(bundle: Bundle, arr: CoreArrays) -> np.ndarray:
    """int16 [len(STATE_ROWS), n_state]: every variable's value at the start of a sample (V from
    a population's v_init, everything else 0)."""
    state = np.zeros((len(STATE_ROWS), arr.n_state), np.int16)
    for p, pop in enumerate(bundle.populations):
        if pop.v_init is not None:
            off = arr.pops[p, P_OFF]
            state[STATE_ROWS.index("V"), off : off + pop.v_init.size] = pop.v_init
    return state


def _concat(parts: list[np.ndarray], dtype) -> np.ndarray:
    """Concatenate pools; an empty pool is one zero, so every kernel argument has a fixed type."""
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(1, dtype)
