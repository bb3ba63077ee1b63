"""A slow, obviously correct reference of the core: the docs/semantics.md recipes, instruction by
instruction, on 32-lane Python lists, with its own lane arithmetic and its own xoroshiro32++.

Independent of riscv_soc.core and riscv_soc.isa.numerics on purpose: it shares only the bundle
file's arrays and the seed function. Spike scanning walks bitfield words from word 0 up and bits
from 0 up; sparse and delayed words are decoded the way the firmware decodes them (vandadd, vsrai).
"""

from __future__ import annotations

import numpy as np

from riscv_soc.core.seeds import sample_seeds

LANES = 32


def wrap(x):
    return ((x + 32768) % 65536) - 32768


def sat(x):
    return max(-32768, min(32767, x))


def add(a, b, saturate):  # vadd / vadd_s
    return [sat(x + y) if saturate else wrap(x + y) for x, y in zip(a, b, strict=True)]


def sub(a, b, saturate):  # vsub / vsub_s
    return [sat(x - y) if saturate else wrap(x - y) for x, y in zip(a, b, strict=True)]


class Rng:
    """32 lanes of xoroshiro32++ (13, 5, 10, 9), written out from the algorithm's definition."""

    def __init__(self, s0, s1):
        self.s0, self.s1 = [int(x) for x in s0], [int(x) for x in s1]

    def step(self):
        out = []
        for lane in range(LANES):
            a, b = self.s0[lane], self.s1[lane]
            s = (a + b) & 0xFFFF
            out.append((((s << 9) | (s >> 7)) & 0xFFFF) + a & 0xFFFF)
            b ^= a
            self.s0[lane] = (((a << 13) | (a >> 3)) & 0xFFFF) ^ b ^ ((b << 5) & 0xFFFF)
            self.s1[lane] = ((b << 10) | (b >> 6)) & 0xFFFF
        return out


def addend(mode, shift, rng):
    """Per-lane rounding addends of one op; the stochastic one steps every lane's RNG."""
    if mode == "rn":
        return [(1 << (shift - 1)) if shift else 0] * LANES
    if mode == "sr":
        return [x & ((1 << shift) - 1) for x in rng.step()]
    return [0] * LANES


def vmul(scalar, vec, shift, mode, rng):  # vmul[_rn|_rs] with a broadcast scalar operand, wraps
    r = addend(mode, shift, rng)
    return [wrap((scalar * x + r[i]) >> shift) for i, x in enumerate(vec)]


def vsrai(vec, shift, mode, rng):
    r = addend(mode, shift, rng)
    return [wrap((x + r[i]) >> shift) for i, x in enumerate(vec)]


def vtlt(a, b):  # lane mask of a < b
    return [x < y for x, y in zip(a, b, strict=True)]


def vsel(mask, new, old):
    return [n if m else o for m, n, o in zip(mask, new, old, strict=True)]


def run(bundle, spikes, seed=0):
    """(spikes {pop: uint8 [S, T, n]}, state {pop_var: int16 [S, n]}, readout int [S, n_out])."""
    out_spk = {p.name: [] for p in bundle.populations if p.spiking}
    out_state, out_readout = {}, []
    seeds = sample_seeds(seed, spikes.shape[0])
    for s in range(spikes.shape[0]):
        spk, state, readout = _sample(bundle, spikes[s], Rng(seeds[s, 0], seeds[s, 1]))
        for name, value in spk.items():
            out_spk[name].append(value)
        for name, value in state.items():
            out_state.setdefault(name, []).append(value)
        out_readout.append(readout)
    return (
        {k: np.array(v, np.uint8) for k, v in out_spk.items()},
        {k: np.array(v, np.int16) for k, v in out_state.items()},
        np.array(out_readout, np.int64),
    )


def _vectors(n):
    return -(-n // LANES)


def _sample(bundle, x, rng):
    pops = bundle.populations
    n_steps = x.shape[0]
    vecs = {p.name: _vectors(p.n) for p in pops}
    V = {p.name: [[0] * LANES for _ in range(vecs[p.name])] for p in pops}
    Icur = {p.name: [[0] * LANES for _ in range(vecs[p.name])] for p in pops}
    Adapt = {p.name: [[0] * LANES for _ in range(vecs[p.name])] for p in pops}
    acc = {p.name: [[0] * LANES for _ in range(vecs[p.name])] for p in pops}  # isyn (by lane row)
    ring = {
        p.name: [[[0] * p.delay_slots for _ in range(LANES)] for _ in range(vecs[p.name])]
        for p in pops
    }  # [row][lane][slot], as the lane-local memory holds it
    out = bundle.population(bundle.output)
    start = -32768 if bundle.readout == "max" else 0
    A = [[start] * LANES for _ in range(vecs[out.name])]
    bits = {p.name: np.zeros((n_steps, vecs[p.name] * LANES), np.uint8) for p in pops}
    order = [p.name for p in pops]
    for t in range(n_steps):
        for p in pops:
            for proj in bundle.projections:
                if proj.target == p.name:
                    _propagate(bundle, proj, p, t, x, bits, order, acc, ring)
            _update(bundle, p, t, V, Icur, Adapt, acc, ring, A, bits, rng)
    spk = {p.name: bits[p.name][:, : p.n] for p in pops if p.spiking}
    state = {}
    for p in pops:
        state[f"{p.name}_V"] = [v for vec in V[p.name] for v in vec][: p.n]
        if p.synaptic:
            state[f"{p.name}_I"] = [v for vec in Icur[p.name] for v in vec][: p.n]
        if p.adaptive:
            state[f"{p.name}_A"] = [v for vec in Adapt[p.name] for v in vec][: p.n]
    if bundle.readout == "last":
        A = V[out.name]
    return spk, state, [a for vec in A for a in vec][: out.n]


def _source_spikes(bundle, proj, p, t, x, bits, order):
    """The source's spike bits for this step: input and earlier populations now, others at t-1."""
    if proj.source == "input":
        return x[t]
    step = t if order.index(proj.source) < order.index(p.name) else t - 1
    return bits[proj.source][step] if step >= 0 else None


def _propagate(bundle, proj, p, t, x, bits, order, acc, ring):
    spikes = _source_spikes(bundle, proj, p, t, x, bits, order)
    if spikes is None:
        return
    words = np.packbits(spikes != 0, bitorder="little")
    for w in range(-(-proj.n_pre // LANES)):
        word = int.from_bytes(words[4 * w : 4 * w + 4].tobytes(), "little")
        for bit in range(LANES):
            if word >> bit & 1:
                row = proj.words[LANES * w + bit]
                _row(proj, p, row, t, acc[p.name], ring[p.name])


def _row(proj, p, row, t, acc, ring):
    row = [int(w) for w in row]
    for v in range(len(row) // LANES):
        word = row[LANES * v : LANES * (v + 1)]
        for lane in range(LANES):
            w = word[lane]
            if proj.layout == "dense":
                acc[v][lane] = add([acc[v][lane]], [w], p.saturate)[0]
            elif proj.layout == "sparse":
                r = (w & ((1 << proj.bits) - 1)) // 2  # vandadd: byte offset of row n div 32
                acc[r][lane] = add([acc[r][lane]], [w >> proj.bits], p.saturate)[0]
            else:
                d = proj.bits
                slot = (wrap(w + wrap(2 * t)) & ((1 << d) - 1)) // 2  # (delay + t) mod D
                ring[v][lane][slot] = add([ring[v][lane][slot]], [w >> d], p.saturate)[0]


def _update(bundle, p, t, V, Icur, Adapt, acc, ring, A, bits, rng):
    thr = [p.threshold_raw] * LANES
    for v in range(_vectors(p.n)):
        inp = acc[p.name][v]
        acc[p.name][v] = [0] * LANES
        if p.delay_slots:
            slot = t % p.delay_slots
            inp = add(inp, [ring[p.name][v][lane][slot] for lane in range(LANES)], p.saturate)
            for lane in range(LANES):
                ring[p.name][v][lane][slot] = 0
        if p.bias is not None:
            inp = add(inp, [int(b) for b in p.bias[LANES * v : LANES * (v + 1)]], p.saturate)
        vm = V[p.name][v]
        b = add(thr, Adapt[p.name][v], p.saturate) if p.adaptive else thr  # threshold + A
        fired = vtlt(b, vm)
        if p.reset == "value":
            vm = vsel(fired, [p.v_reset_raw] * LANES, vm)
        if p.synaptic:
            i = vmul(p.alpha_raw, Icur[p.name][v], p.alpha_frac_bits, p.rounding["i_decay"], rng)
            i = add(i, inp, p.saturate)
            Icur[p.name][v] = i
            inp = i
        if p.leak is not None:  # CubaLIF's v_leak: V's input, not I's
            inp = add(inp, [int(b) for b in p.leak[LANES * v : LANES * (v + 1)]], p.saturate)
        if p.adaptive:
            a = vmul(
                p.adapt_decay_raw,
                Adapt[p.name][v],
                p.adapt_decay_frac_bits,
                p.rounding["a_decay"],
                rng,
            )
            a = vsel(fired, add(a, [p.adapt_jump_raw] * LANES, p.saturate), a)
            Adapt[p.name][v] = a
            b = add(thr, a, p.saturate)
        vm = vmul(p.beta_raw, vm, p.beta_frac_bits, p.rounding["v_decay"], rng)
        vm = add(vm, inp, p.saturate)
        if p.reset == "subtract":
            vm = vsel(fired, sub(vm, b, p.saturate), vm)
        elif p.reset == "value_after":
            vm = vsel(fired, [p.v_reset_raw] * LANES, vm)
        V[p.name][v] = vm
        spike = [p.spiking and f and LANES * v + lane < p.n for lane, f in enumerate(vtlt(b, vm))]
        bits[p.name][t, LANES * v : LANES * (v + 1)] = spike
        if p.name == bundle.output:
            _readout(bundle, p, A, v, vm, spike, rng)


def _readout(bundle, p, A, v, vm, spike, rng):
    if bundle.readout == "mean":
        A[v] = add(A[v], vsrai(vm, bundle.readout_shift, p.rounding["readout"], rng), True)
    elif bundle.readout == "max":
        A[v] = vsel(vtlt(A[v], vm), vm, A[v])
    elif bundle.readout == "count":
        A[v] = vsel(spike, add(A[v], [1] * LANES, True), A[v])
