"""A slow, obvious reference of SpikingStudent's forward pass: the class docstring's equations,
neuron by neuron, in float64 Python scalars, from the weights alone (no snntorch, no torch)."""

from __future__ import annotations

import numpy as np


def heaviside(v: float) -> float:
    return 1.0 if v > 0 else 0.0


def run(arch: dict, params: dict, spikes: np.ndarray):
    """params: population -> {"fc": [out, in], "bias": [out] or None, "rec": [out, out] or None}
    as numpy arrays; spikes [T, inputs] for ONE sample. Returns (readout [T, outputs],
    hidden spikes per layer [T, n])."""
    steps = spikes.shape[0]
    layers = len(arch["hidden"])
    mem = [np.zeros(n) for n in arch["hidden"]]
    syn = [np.zeros(n) for n in arch["hidden"]]
    last = [np.zeros(n) for n in arch["hidden"]]
    out = np.zeros(arch["outputs"])
    readout, recorded = [], [[] for _ in range(layers)]
    for t in range(steps):
        x = spikes[t].astype(float)
        for k in range(layers):
            p = params[f"hidden{k}"]
            beta, theta = arch["beta"][k], arch["threshold"][k]
            n = arch["hidden"][k]
            new_spk = np.zeros(n)
            for i in range(n):
                current = sum(p["fc"][i, j] * x[j] for j in range(len(x)))
                if p["bias"] is not None:
                    current += p["bias"][i]
                if p["rec"] is not None:
                    current += sum(p["rec"][i, j] * last[k][j] for j in range(n))
                r = last[k][i]  # R[t] = S[t-1]
                if arch["neuron"] == "lif":
                    if arch["reset"] == "subtract":
                        mem[k][i] = beta * mem[k][i] + current - r * theta
                    else:
                        mem[k][i] = beta * (1 - r) * mem[k][i] + current
                else:
                    syn[k][i] = arch["alpha"][k] * syn[k][i] + current
                    u = beta * mem[k][i] + syn[k][i]
                    mem[k][i] = u - r * theta if arch["reset"] == "subtract" else (1 - r) * u
                new_spk[i] = heaviside(mem[k][i] - theta)
            last[k] = new_spk
            recorded[k].append(new_spk)
            x = new_spk
        p = params["readout"]
        for o in range(arch["outputs"]):
            current = sum(p["fc"][o, j] * x[j] for j in range(len(x)))
            if p["bias"] is not None:
                current += p["bias"][o]
            out[o] = arch["readout_beta"] * out[o] + current
        readout.append(out.copy())
    return np.array(readout), [np.array(r) for r in recorded]


def fake_quantise(values: np.ndarray, bits: int, percentile: float) -> tuple[np.ndarray, int]:
    """FeNN's importer scheme weight by weight: F from the percentile magnitude, round half to
    even, saturate. Returns (values on the grid, F)."""
    import math

    m = float(np.percentile(np.abs(values), percentile))
    frac = bits - 1 if m == 0 else min(max(bits - 2 - math.floor(math.log2(m)), 0), bits - 1)
    lo, hi = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    out = np.array([min(max(round(v * 2**frac), lo), hi) / 2**frac for v in values.ravel()])
    return out.reshape(values.shape), frac


def hsic_cka(x: np.ndarray, y: np.ndarray) -> float:
    """Linear CKA through its definition: HSIC(K, L) / sqrt(HSIC(K, K) HSIC(L, L)) with linear
    kernels K = X X^T, L = Y Y^T and the centring matrix H."""
    n = x.shape[0]
    h = np.eye(n) - np.ones((n, n)) / n
    k, l = x @ x.T, y @ y.T

    def hsic(a, b):
        return np.trace(a @ h @ b @ h)

    return hsic(k, l) / np.sqrt(hsic(k, k) * hsic(l, l))
