"""The core's compiled loop: every sample's whole time loop in one Numba call.

Private to riscv_soc.core: `riscv_soc.core.run` validates, allocates and calls `run_serial` or
`run_parallel` (samples across cores with prange, each iteration owning its output slices). Every
lane operation is a riscv_soc.isa.numerics function, applied in the order docs/semantics.md
sections 6-9 write down; that order is the contract with the firmware. No fastmath.
"""

from __future__ import annotations

import types

import numpy as np
from numba import njit, prange

from riscv_soc.core import layout as L
from riscv_soc.isa.numerics import (
    INT16_MAX,
    INT16_MIN,
    ROUND_FLOOR,
    ROUND_STOCHASTIC,
    add_lane,
    mul_lane,
    rng_advance,
    rng_output,
    srai_lane,
    sub_lane,
    wrap16,
)

LANES = 32
# Index of the lowest set bit of a 32-bit word through a de Bruijn sequence (a ctz).
_DEBRUIJN = np.array(
    [0, 1, 28, 2, 29, 14, 24, 3, 30, 22, 20, 15, 25, 17, 4, 8,
     31, 27, 13, 23, 21, 19, 16, 7, 26, 12, 18, 6, 11, 5, 10, 9], np.int64,
)  # fmt: skip
A_INPUT, A_SPIKES, A_SYNOPS, A_ROW_WORDS, A_UPDATES, A_SATURATIONS = range(len(L.ACTIVITY))


@njit(inline="always")
def _overflows(a, b):
    """1 when the exact sum a + b leaves int16 (the `_s` add saturates, the plain one wraps)."""
    return 1 if (a + b > INT16_MAX or a + b < INT16_MIN) else 0


# Row kernels index slices from 0 so that Numba drops its negative-index wraparound code and
# LLVM can vectorise the dense loop.
@njit
def _dense_row(acc, row, sat):
    if sat:
        for k in range(row.shape[0]):
            acc[k] = add_lane(acc[k], row[k], True)
    else:
        for k in range(row.shape[0]):
            acc[k] = add_lane(acc[k], row[k], False)


@njit
def _sparse_row(acc, targets, weights, sat):
    """An ELL row as decoded by layout._SparsePools (padding words, which add 0, left out)."""
    for k in range(targets.shape[0]):
        target = np.uint64(targets[k])  # unsigned: Numba skips its negative-index wraparound
        acc[target] = add_lane(acc[target], weights[k], sat)


@njit
def _delayed_row(ring, slots, row, d, t, sat):
    time_term = wrap16(2 * t)  # the firmware's time vector: 2t in every lane
    slot_mask = (1 << d) - 1
    for k in range(row.shape[0]):
        word = np.int64(row[k])
        at = k * slots + ((add_lane(word, time_term, False) & slot_mask) >> 1)
        ring[at] = add_lane(ring[at], srai_lane(word, d, ROUND_FLOOR, 0), sat)


@njit
def _propagate(arr, p, t, in_words, spk, isyn, ring, act):
    """Accumulate every projection into population p, spikes in ascending source index."""
    pop = arr.pops[p]
    acc = isyn[pop[L.P_OFF] : pop[L.P_OFF] + pop[L.P_NVEC] * LANES]
    ring_p = ring[pop[L.P_RING_OFF] : pop[L.P_RING_OFF] + pop[L.P_NVEC] * LANES * pop[L.P_SLOTS]]
    for q in range(arr.proj_start[p], arr.proj_start[p + 1]):
        proj = arr.projs[q]
        src = proj[L.J_SRC]
        if src < 0:
            words, off, n_words = in_words[t], 0, arr.n_in_words
        else:
            step = t if src < p else t - 1  # feed-forward: this step; recurrent: the last one
            if step < 0:
                continue
            words, off, n_words = spk[step], arr.pops[src, L.P_WORD_OFF], arr.pops[src, L.P_NVEC]
        layout, bits, row_words = proj[L.J_LAYOUT], proj[L.J_BITS], proj[L.J_ROW_WORDS]
        sat = pop[L.P_SAT] != 0
        for w in range(n_words):
            word = np.int64(words[off + w])
            while word != 0:
                low = word & -word
                n = w * LANES + _DEBRUIJN[((low * 0x077CB531) & 0xFFFFFFFF) >> 27]
                word ^= low
                start = proj[L.J_WORDS_OFF] + n * row_words
                row = arr.words[start : start + row_words]
                if layout == 0:
                    _dense_row(acc, row, sat)
                elif layout == 1:
                    r = proj[L.J_SPARSE_OFF] + n
                    lo, hi = arr.sparse_ptr[r], arr.sparse_ptr[r + 1]
                    _sparse_row(acc, arr.sparse_target[lo:hi], arr.sparse_weight[lo:hi], sat)
                else:
                    _delayed_row(ring_p, pop[L.P_SLOTS], row, bits, t, sat)
                act[A_SYNOPS] += arr.row_counts[proj[L.J_COUNT_OFF] + n]
                act[A_ROW_WORDS] += row_words


@njit(inline="always")
def _draw(s0, s1, mode, r):
    """One RNG-consuming op: every lane's output into r and every lane advanced; zeros otherwise."""
    if mode != ROUND_STOCHASTIC:
        r[:] = 0
        return
    for lane in range(LANES):
        a, b = s0[lane], s1[lane]
        r[lane] = rng_output(a, b)
        s0[lane], s1[lane] = rng_advance(a, b)


@njit
def _update(arr, p, t, v_state, i_state, isyn, ring, acc, s0, s1, spk_t, act):
    """One step of population p, vector by vector; within a vector one lane loop per instruction
    of the docs/semantics.md recipe, so the RNG is consumed as the firmware consumes it."""
    pop = arr.pops[p]
    n, n_vec, off, slots = pop[L.P_N], pop[L.P_NVEC], pop[L.P_OFF], pop[L.P_SLOTS]
    size = n_vec * LANES
    v_p, i_p, in_p = v_state[off : off + size], i_state[off : off + size], isyn[off : off + size]
    ring_p = ring[pop[L.P_RING_OFF] : pop[L.P_RING_OFF] + size * slots]
    has_bias = pop[L.P_BIAS_OFF] >= 0
    bias_p = arr.bias[pop[L.P_BIAS_OFF] : pop[L.P_BIAS_OFF] + size] if has_bias else arr.bias
    sat, synaptic, spiking = pop[L.P_SAT] != 0, pop[L.P_SYN] != 0, pop[L.P_SPIKING] != 0
    reset, thr, v_reset = pop[L.P_RESET], pop[L.P_THR], pop[L.P_VRESET]
    slot = t & (slots - 1) if slots > 0 else 0
    inp = np.empty(LANES, np.int64)
    v = np.empty(LANES, np.int64)
    r = np.empty(LANES, np.int64)
    fired = np.empty(LANES, np.bool_)
    sats = 0
    for vec in range(n_vec):
        base = vec * LANES
        # I_in = isyn (+ ring slot t mod D) (+ bias); both buffers are cleared as read.
        for lane in range(LANES):
            inp[lane] = in_p[base + lane]
            in_p[base + lane] = 0
        if slots > 0:
            for lane in range(LANES):
                at = (base + lane) * slots + slot
                sats += _overflows(inp[lane], ring_p[at])
                inp[lane] = add_lane(inp[lane], np.int64(ring_p[at]), sat)
                ring_p[at] = 0
        if has_bias:
            for lane in range(LANES):
                sats += _overflows(inp[lane], bias_p[base + lane])
                inp[lane] = add_lane(inp[lane], np.int64(bias_p[base + lane]), sat)
        for lane in range(LANES):  # mask_prev = vtlt(thr, V): last step's spike, reset due now
            v[lane] = v_p[base + lane]
            fired[lane] = thr < v[lane]
        if reset == 2:
            for lane in range(LANES):
                v[lane] = v_reset if fired[lane] else v[lane]
        if synaptic:  # I = vmul(alpha, I); I = vadd(I, I_in)
            _draw(s0, s1, pop[L.P_RND_I], r)
            for lane in range(LANES):
                i = mul_lane(pop[L.P_ALPHA], np.int64(i_p[base + lane]), pop[L.P_ALPHA_FB],
                             pop[L.P_RND_I], False, r[lane])  # fmt: skip
                sats += _overflows(i, inp[lane])
                i = add_lane(i, inp[lane], sat)
                i_p[base + lane] = i
                inp[lane] = i
        _draw(s0, s1, pop[L.P_RND_V], r)  # V = vmul(beta, V); V = vadd(V, I)
        for lane in range(LANES):
            x = mul_lane(pop[L.P_BETA], v[lane], pop[L.P_BETA_FB], pop[L.P_RND_V], False, r[lane])
            sats += _overflows(x, inp[lane])
            v[lane] = add_lane(x, inp[lane], sat)
        if reset == 1:
            for lane in range(LANES):
                v[lane] = sub_lane(v[lane], thr, sat) if fired[lane] else v[lane]
        elif reset == 3:
            for lane in range(LANES):
                v[lane] = v_reset if fired[lane] else v[lane]
        mask = 0
        for lane in range(LANES):  # spike = vtlt(thr, V) & tail mask
            v_p[base + lane] = v[lane]
            if spiking and thr < v[lane] and base + lane < n:
                mask |= 1 << lane
        spk_t[pop[L.P_WORD_OFF] + vec] = mask
        act[A_SPIKES] += _popcount(mask)
        if p == arr.output:
            _readout(arr.readout, arr.readout_shift, acc[base : base + LANES], v, mask, s0, s1,
                     pop[L.P_RND_R], r)  # fmt: skip
    act[A_UPDATES] += n
    act[A_SATURATIONS] += sats


@njit(inline="always")
def _readout(kind, shift, acc, v, mask, s0, s1, mode, r):
    if kind == 0:  # mean: A = vadd_s(A, vsrai(V, shift))
        _draw(s0, s1, mode, r)
        for lane in range(LANES):
            acc[lane] = add_lane(acc[lane], srai_lane(v[lane], shift, mode, r[lane]), True)
    elif kind == 1:  # max: A = vsel(vtlt(A, V), V)
        for lane in range(LANES):
            acc[lane] = max(acc[lane], v[lane])
    elif kind == 2:  # last: A = V
        for lane in range(LANES):
            acc[lane] = v[lane]
    else:  # count: A = vsel(spike, vadd_s(A, 1))
        for lane in range(LANES):
            if (mask >> lane) & 1:
                acc[lane] = add_lane(acc[lane], 1, True)


@njit(inline="always")
def _popcount(x):
    n = 0
    while x:
        x &= x - 1
        n += 1
    return n


def _run(arr, in_words, seeds, spk, v_out, i_out, acc_out, act_out):
    """All samples: in_words uint32 [S, T, Win]; writes spk, states, readout and activity."""
    for s in prange(in_words.shape[0]):
        isyn = np.zeros(arr.n_state, np.int16)
        ring = np.zeros(arr.n_ring, np.int16)
        s0 = seeds[s, 0].astype(np.int64)
        s1 = seeds[s, 1].astype(np.int64)
        acc = acc_out[s]
        if arr.readout == 1:
            acc[:] = INT16_MIN
        act = act_out[s]
        for t in range(in_words.shape[1]):
            for w in range(arr.n_in_words):
                act[A_INPUT] += _popcount(np.int64(in_words[s, t, w]))
            for p in range(arr.pops.shape[0]):
                _propagate(arr, p, t, in_words[s], spk[s], isyn, ring, act)
                _update(arr, p, t, v_out[s], i_out[s], isyn, ring, acc, s0, s1, spk[s, t], act)


def _named(fn, name: str):
    """A copy of `fn` under another name: Numba's on-disk cache keys on the name and not on the
    `parallel` flag, so the two variants must not share one (numba/numba#6845)."""
    clone = types.FunctionType(fn.__code__, fn.__globals__, name, fn.__defaults__, fn.__closure__)
    clone.__qualname__ = name
    return clone


run_serial = njit(cache=True)(_named(_run, "_run_serial"))
run_parallel = njit(cache=True, parallel=True)(_named(_run, "_run_parallel"))
