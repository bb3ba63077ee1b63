"""The core's compiled loop: every sample's whole time loop in one Numba call.

Private to riscv_soc.core: `riscv_soc.core.run` validates, allocates and calls `run_serial` or
`run_parallel` (samples across cores with prange, each iteration owning its output slices). Every
lane operation is a riscv_soc.isa.numerics function, applied in the order docs/semantics.md
sections 6-9 write down; that order is the contract with the firmware. No fastmath.

Speed without reordering anything a neuron can see: neurons never exchange data inside a neuron
update (each lane has its own state and its own RNG), so `_update` runs each instruction of the
recipe over the whole population (one simple loop that LLVM vectorises) instead of vector by
vector; every neuron still sees the same sequence of values. Only the RNG ties the vectors
together: the outputs a population consumes in a step are drawn first, in the firmware's order
(vector, then op), into one plane per stochastic op (`_draw_planes`).
"""

from __future__ import annotations

import types

import numpy as np
from numba import njit, prange

from riscv_soc.core import layout as L
from riscv_soc.isa.hardware import LANES
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

# Index of the lowest set bit of a 32-bit word through a de Bruijn sequence (a ctz).
_DEBRUIJN = np.array(
    [
        0,
        1,
        28,
        2,
        29,
        14,
        24,
        3,
        30,
        22,
        20,
        15,
        25,
        17,
        4,
        8,
        31,
        27,
        13,
        23,
        21,
        19,
        16,
        7,
        26,
        12,
        18,
        6,
        11,
        5,
        10,
        9,
    ],
    np.int64,
)
_GATHER_BITS = np.uint64(0x0102040810204080)
A_INPUT, A_SPIKES, A_SYNOPS, A_ROW_WORDS, A_UPDATES, A_SATURATIONS = range(len(L.ACTIVITY))
RESET_SUBTRACT, RESET_VALUE, RESET_VALUE_AFTER = (
    L.RESET_CODES[k] for k in ("subtract", "value", "value_after")
)
READOUT_MEAN, READOUT_MAX, READOUT_LAST = (L.READOUT_CODES[k] for k in ("mean", "max", "last"))


@njit(inline="always")
def _overflows(a, b):
    """1 when the exact sum a + b leaves int16 (the `_s` add saturates, the plain one wraps)."""
    return 1 if (a + b > INT16_MAX or a + b < INT16_MIN) else 0


# Row kernels index slices from 0 so that Numba drops its negative-index wraparound code and
# LLVM can vectorise the dense loop; `sat` is tested once, outside each loop.
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
    if sat:
        for k in range(targets.shape[0]):
            target = np.uint64(targets[k])  # unsigned: Numba skips its negative-index wraparound
            acc[target] = add_lane(acc[target], weights[k], True)
    else:
        for k in range(targets.shape[0]):
            target = np.uint64(targets[k])
            acc[target] = add_lane(acc[target], weights[k], False)


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
    ring_p = ring[pop[L.P_RING_OFF] : pop[L.P_RING_OFF] + pop[L.P_NVEC] * LANES * pop[L.P_SLOTS]]
    sat = pop[L.P_SAT] != 0
    for q in range(arr.proj_start[p], arr.proj_start[p + 1]):
        proj = arr.projs[q]
        acc = isyn[proj[L.J_PORT], pop[L.P_OFF] : pop[L.P_OFF] + pop[L.P_NVEC] * LANES]
        src = proj[L.J_SRC]
        if src < 0:
            words, off, n_words = in_words[t], 0, arr.n_in_words
        else:
            step = t if src < p else t - 1  # feed-forward: this step; recurrent: the last one
            if step < 0:
                continue
            words, off, n_words = spk[step], arr.pops[src, L.P_WORD_OFF], arr.pops[src, L.P_NVEC]
        layout, bits, stride = proj[L.J_LAYOUT], proj[L.J_BITS], proj[L.J_STRIDE]
        rows = 0
        for w in range(n_words):
            word = np.int64(words[off + w])
            while word != 0:
                low = word & -word
                n = w * LANES + _DEBRUIJN[((low * 0x077CB531) & 0xFFFFFFFF) >> 27]
                word ^= low
                rows += 1
                if layout == 1:
                    r = proj[L.J_SPARSE_OFF] + n
                    lo, hi = arr.sparse_ptr[r], arr.sparse_ptr[r + 1]
                    _sparse_row(acc, arr.sparse_target[lo:hi], arr.sparse_weight[lo:hi], sat)
                else:
                    start = proj[L.J_WORDS_OFF] + n * stride
                    row = arr.words[start : start + stride]
                    if layout == 0:
                        _dense_row(acc, row, sat)
                    else:
                        _delayed_row(ring_p, pop[L.P_SLOTS], row, bits, t, sat)
                act[A_SYNOPS] += arr.row_counts[proj[L.J_COUNT_OFF] + n]
        act[A_ROW_WORDS] += rows * proj[L.J_ROW_WORDS]  # the bundle's words, as the firmware


@njit
def _draw_planes(s0, s1, draws, n_vec, n_planes):
    """RNG outputs of n_planes stochastic ops on n_vec vectors, in the firmware's order (vector
    by vector, ops in recipe order): plane j holds op j's output for every lane of every vector,
    at draws[j * n_vec * 32 + neuron]."""
    size = n_vec * LANES
    for vec in range(n_vec):
        for j in range(n_planes):
            out = draws[j * size + vec * LANES : j * size + vec * LANES + LANES]
            for lane in range(LANES):
                a, b = s0[lane], s1[lane]
                out[lane] = rng_output(a, b)
                s0[lane], s1[lane] = rng_advance(a, b)


@njit(inline="always")
def _plane(draws, mode, planes, size):
    """The next stochastic op's plane (any one for floor and RN: they read none) and the count."""
    if mode == ROUND_STOCHASTIC:
        return draws[planes * size : (planes + 1) * size], planes + 1
    return draws[:size], planes


@njit
def _update(arr, p, t, state, isyn, ring, acc, s0, s1, b_all, masks, draws, spk_t, act):
    """One step of population p: docs/semantics.md section 8, one loop per instruction of the
    recipe over the whole population (state rows V, I, A; B the threshold; masks rows: fired and
    spike, 0/1 per neuron)."""
    pop = arr.pops[p]
    n, n_vec, off, slots = pop[L.P_N], pop[L.P_NVEC], pop[L.P_OFF], pop[L.P_SLOTS]
    size = n_vec * LANES
    v, i, a = state[0, off : off + size], state[1, off : off + size], state[2, off : off + size]
    x = isyn[0, off : off + size]  # I_in, used in place; `isyn = 0` is done last (nothing reads it)
    b, fired, spike = b_all[:size], masks[0, :size], masks[1, :size]
    sat, synaptic, adaptive = pop[L.P_SAT] != 0, pop[L.P_SYN] != 0, pop[L.P_ADAPT] != 0
    reset, thr, v_reset, jump = pop[L.P_RESET], pop[L.P_THR], pop[L.P_VRESET], pop[L.P_JUMP]
    is_out = p == arr.output
    rnd_i, rnd_a, rnd_v, rnd_r = pop[L.P_RND_I], pop[L.P_RND_A], pop[L.P_RND_V], pop[L.P_RND_R]
    r_i, planes = _plane(draws, rnd_i if synaptic else ROUND_FLOOR, 0, size)
    r_a, planes = _plane(draws, rnd_a if adaptive else ROUND_FLOOR, planes, size)
    r_v, planes = _plane(draws, rnd_v, planes, size)
    mean = is_out and arr.readout == READOUT_MEAN
    r_r, planes = _plane(draws, rnd_r if mean else ROUND_FLOOR, planes, size)
    if planes:
        _draw_planes(s0, s1, draws, n_vec, planes)
    sats = 0
    if slots > 0:  # I_in = vadd_s(I_in, ring[t mod D]); ring[t mod D] = 0
        ring_p = ring[pop[L.P_RING_OFF] : pop[L.P_RING_OFF] + size * slots]
        slot = t & (slots - 1)
        for k in range(size):
            sats += _overflows(x[k], ring_p[k * slots + slot])
            x[k] = add_lane(x[k], ring_p[k * slots + slot], sat)
            ring_p[k * slots + slot] = 0
    if pop[L.P_BIAS_OFF] >= 0:  # I_in = vadd_s(I_in, bias)
        bias = arr.bias[pop[L.P_BIAS_OFF] : pop[L.P_BIAS_OFF] + size]
        for k in range(size):
            sats += _overflows(x[k], bias[k])
            x[k] = add_lane(x[k], bias[k], sat)
    if adaptive:  # B = vadd_s(thr, A)
        for k in range(size):
            b[k] = add_lane(thr, a[k], sat)
    else:
        b[:] = thr
    for k in range(size):  # fired = vtlt(B, V): last step's spike, whose reset is due now
        fired[k] = b[k] < v[k]
    if reset == RESET_VALUE:  # V = vsel(fired, v_reset, V)
        for k in range(size):
            v[k] = v_reset if fired[k] else v[k]
    if synaptic:  # I = vmul<rnd_i>(alpha, I); I = vadd_s(I, I_in); I_in = I
        alpha, alpha_fb = pop[L.P_ALPHA], pop[L.P_ALPHA_FB]
        for k in range(size):
            m = mul_lane(alpha, np.int64(i[k]), alpha_fb, rnd_i, False, r_i[k])
            sats += _overflows(m, x[k])
            i[k] = add_lane(m, x[k], sat)
            x[k] = i[k]
    if pop[L.P_LEAK_OFF] >= 0:  # I_in = vadd_s(I_in, leak): CubaLIF's v_leak term, on V alone
        leak = arr.bias[pop[L.P_LEAK_OFF] : pop[L.P_LEAK_OFF] + size]
        for k in range(size):
            sats += _overflows(x[k], leak[k])
            x[k] = add_lane(x[k], leak[k], sat)
    if adaptive:  # A = vmul<rnd_a>(rho, A); A = vsel(fired, vadd_s(A, jump), A); B = vadd_s(thr, A)
        rho, rho_fb = pop[L.P_RHO], pop[L.P_RHO_FB]
        for k in range(size):
            m = mul_lane(rho, np.int64(a[k]), rho_fb, rnd_a, False, r_a[k])
            sats += _overflows(m, jump) * fired[k]
            a[k] = add_lane(m, jump, sat) if fired[k] else m
            b[k] = add_lane(thr, a[k], sat)
    beta, beta_fb = pop[L.P_BETA], pop[L.P_BETA_FB]
    for k in range(size):  # V = vmul<rnd_v>(beta, V); V = vadd_s(V, I_in)
        m = mul_lane(beta, np.int64(v[k]), beta_fb, rnd_v, False, r_v[k])
        sats += _overflows(m, x[k])
        v[k] = add_lane(m, x[k], sat)
    if reset == RESET_SUBTRACT:  # V = vsel(fired, vsub_s(V, B), V)
        for k in range(size):
            v[k] = sub_lane(v[k], b[k], sat) if fired[k] else v[k]
    elif reset == RESET_VALUE_AFTER:  # V = vsel(fired, v_reset, V)
        for k in range(size):
            v[k] = v_reset if fired[k] else v[k]
    x[:] = 0
    words = spk_t[pop[L.P_WORD_OFF] : pop[L.P_WORD_OFF] + n_vec]
    if pop[L.P_SPIKING] != 0:
        for k in range(size):  # spike = vtlt(B, V) (& the tail mask, in _spike_words)
            spike[k] = b[k] < v[k]
        act[A_SPIKES] += _spike_words(spike, n, words)
    if is_out:
        _readout(arr.readout, arr.readout_shift, acc, v, words, rnd_r, r_r)
    act[A_UPDATES] += n
    act[A_SATURATIONS] += sats


@njit
def _update_dual(arr, p, state, isyn, acc, s0, s1, masks, draws, spk_t, act):
    """One step of a cubalif2 population: docs/semantics.md section 8.1, one loop per lane (no
    two neurons exchange anything; the RNG planes are drawn first in the firmware's order)."""
    pop = arr.pops[p]
    n, n_vec, off = pop[L.P_N], pop[L.P_NVEC], pop[L.P_OFF]
    size = n_vec * LANES
    v, i1 = state[0, off : off + size], state[1, off : off + size]
    i2, refr = state[3, off : off + size], state[4, off : off + size]
    x1, x2 = isyn[0, off : off + size], isyn[1, off : off + size]
    spike = masks[1, :size]
    sat, is_out = pop[L.P_SAT] != 0, p == arr.output
    rnd_i, rnd_v, rnd_r = pop[L.P_RND_I], pop[L.P_RND_V], pop[L.P_RND_R]
    r_s1, planes = _plane(draws, rnd_i, 0, size)
    r_s2, planes = _plane(draws, rnd_i, planes, size)
    r_a1, planes = _plane(draws, rnd_i, planes, size)
    r_a2, planes = _plane(draws, rnd_i, planes, size)
    r_v, planes = _plane(draws, rnd_v, planes, size)
    mean = is_out and arr.readout == READOUT_MEAN
    r_r, planes = _plane(draws, rnd_r if mean else ROUND_FLOOR, planes, size)
    if planes:
        _draw_planes(s0, s1, draws, n_vec, planes)
    shift, offset = pop[L.P_SCALE_SHIFT], pop[L.P_OFFSET]
    scale1, scale2, thr = pop[L.P_SCALE], pop[L.P_SCALE2], pop[L.P_THR]
    alpha1, alpha1_fb = pop[L.P_ALPHA], pop[L.P_ALPHA_FB]
    alpha2, alpha2_fb = pop[L.P_ALPHA2], pop[L.P_ALPHA2_FB]
    beta, beta_fb, v_reset = pop[L.P_BETA], pop[L.P_BETA_FB], pop[L.P_VRESET]
    refrac, hold, subtract = pop[L.P_REFRAC], pop[L.P_HOLD] != 0, pop[L.P_RESET] == RESET_SUBTRACT
    inclusive = pop[L.P_INCLUSIVE] != 0  # V >= thr fires (vtge), else V > thr
    sats = 0
    for k in range(size):
        sats += _overflows(i1[k], x1[k]) + _overflows(i2[k], x2[k])
        c1 = add_lane(i1[k], x1[k], sat)  # I = <add>(I, isyn); I2 = <add>(I2, isyn2)
        c2 = add_lane(i2[k], x2[k], sat)
        m1 = mul_lane(scale1, c1, shift, rnd_i, False, r_s1[k])  # the membrane input
        m2 = mul_lane(scale2, c2, shift, rnd_i, False, r_s2[k])
        i1[k] = mul_lane(alpha1, c1, alpha1_fb, rnd_i, False, r_a1[k])  # the decays
        i2[k] = mul_lane(alpha2, c2, alpha2_fb, rnd_i, False, r_a2[k])
        vn = mul_lane(beta, np.int64(v[k]), beta_fb, rnd_v, False, r_v[k])
        sats += _overflows(vn, m1)
        vn = add_lane(vn, m1, sat)
        sats += _overflows(vn, m2)
        vn = add_lane(vn, m2, sat)
        sats += _overflows(vn, offset)
        vn = add_lane(vn, offset, sat)
        refractory = refr[k] > 0
        if refractory and hold:  # V held
            vn = v[k]
        rn = sub_lane(refr[k], 1, True)  # counts down every step, saturating
        above = thr <= vn if inclusive else thr < vn
        fire = above and not (refractory and not hold)  # no spike while it integrates
        spike[k] = fire
        if fire:
            vn = sub_lane(vn, thr, sat) if subtract else v_reset
        v[k] = vn
        refr[k] = refrac if fire else rn
        x1[k] = 0
        x2[k] = 0
    words = spk_t[pop[L.P_WORD_OFF] : pop[L.P_WORD_OFF] + n_vec]
    act[A_SPIKES] += _spike_words(spike, n, words)
    if is_out:
        _readout(arr.readout, arr.readout_shift, acc, v, words, rnd_r, r_r)
    act[A_UPDATES] += n
    act[A_SATURATIONS] += sats


@njit
def _spike_words(spike, n, words):
    """Pack 0/1 bytes into bitfield words (bit j of word w: neuron 32w + j), masking neurons >= n;
    returns the spike count. Eight bytes at a time: read as a little-endian uint64, the multiply
    moves byte i's bit 0 to bit 56 + i (the partial products never overlap, so nothing carries)."""
    eights = spike.view(np.uint64)
    count = 0
    for vec in range(words.shape[0]):
        mask = np.uint64(0)
        for c in range(LANES // 8):
            mask |= ((eights[vec * 4 + c] * _GATHER_BITS) >> np.uint64(56)) << np.uint64(8 * c)
        lo = vec * LANES
        if lo + LANES > n:
            mask &= np.uint64((1 << (n - lo)) - 1)
        words[vec] = mask
        count += _popcount(np.int64(mask))
    return count


@njit
def _readout(kind, shift, acc, v, words, mode, r):
    """The output population's readout instruction after its update, lane by lane."""
    if kind == READOUT_MEAN:  # A = vadd_s(A, vsrai<rnd_r>(V, shift))
        for k in range(acc.shape[0]):
            acc[k] = add_lane(acc[k], srai_lane(np.int64(v[k]), shift, mode, r[k]), True)
    elif kind == READOUT_MAX:  # A = vsel(vtlt(A, V), V, A)
        for k in range(acc.shape[0]):
            acc[k] = v[k] if acc[k] < v[k] else acc[k]
    elif kind == READOUT_LAST:  # A = V
        acc[:] = v
    else:  # count: A = vsel(spike, vadd_s(A, 1), A), visiting the spikes only
        for w in range(words.shape[0]):
            word = np.int64(words[w])
            while word != 0:
                low = word & -word
                k = w * LANES + _DEBRUIJN[((low * 0x077CB531) & 0xFFFFFFFF) >> 27]
                word ^= low
                acc[k] = add_lane(acc[k], 1, True)


@njit(inline="always")
def _popcount(x):
    n = 0
    while x:
        x &= x - 1
        n += 1
    return n


def _run(arr, in_words, seeds, spk, state_out, acc_out, act_out):
    """All samples: in_words uint32 [S, T, Win]; writes spk, states, readout and activity."""
    for s in prange(in_words.shape[0]):
        isyn = np.zeros((L.PORTS, arr.n_state), np.int16)
        ring = np.zeros(arr.n_ring, np.int16)
        b_all = np.zeros(arr.max_size, np.int32)
        masks = np.zeros((2, arr.max_size), np.uint8)
        draws = np.zeros(L.MAX_DRAW_OPS * arr.max_size, np.int32)
        s0 = seeds[s, 0].astype(np.int64)
        s1 = seeds[s, 1].astype(np.int64)
        acc = acc_out[s]
        if arr.readout == READOUT_MAX:
            acc[:] = INT16_MIN
        act = act_out[s]
        for t in range(in_words.shape[1]):
            for w in range(arr.n_in_words):
                act[A_INPUT] += _popcount(np.int64(in_words[s, t, w]))
            for p in range(arr.pops.shape[0]):
                _propagate(arr, p, t, in_words[s], spk[s], isyn, ring, act)
                if arr.pops[p, L.P_DUAL]:
                    _update_dual(
                        arr, p, state_out[s], isyn, acc, s0, s1, masks, draws, spk[s, t], act
                    )
                else:
                    _update(
                        arr,
                        p,
                        t,
                        state_out[s],
                        isyn,
                        ring,
                        acc,
                        s0,
                        s1,
                        b_all,
                        masks,
                        draws,
                        spk[s, t],
                        act,
                    )


def _named(fn, name: str):
    """A copy of `fn` under another name: Numba's on-disk cache keys on the name and not on the
    `parallel` flag, so the two variants must not share one (numba/numba#6845)."""
    clone = types.FunctionType(fn.__code__, fn.__globals__, name, fn.__defaults__, fn.__closure__)
    clone.__qualname__ = name
    return clone


run_serial = njit(cache=True)(_named(_run, "_run_serial"))
run_parallel = njit(cache=True, parallel=True)(_named(_run, "_run_parallel"))
