"""Random small float networks for property tests of the quantiser and the core."""

from __future__ import annotations

import numpy as np
import scipy.sparse

from riscv_soc.quant.network import FloatNetwork, FloatPopulation, FloatProjection

KINDS = ("lif", "cubalif")


def random_network(
    rng: np.random.Generator, max_neurons: int = 70, kinds: tuple[str, ...] = KINDS
) -> FloatNetwork:
    """1-3 spiking populations (`kinds`, all resets, sizes across 32-lane boundaries), dense,
    sparse and delayed projections, recurrence, biases, CubaLIF/CubaLI leaks, and an LI / CubaLI /
    count readout."""
    n_in = int(rng.integers(1, 50))
    pops = []
    for k in range(int(rng.integers(1, 4))):
        kind = kinds[rng.integers(len(kinds))]
        resets = ["subtract", "value"] + (["value_after"] if kind != "lif" else [])
        pops.append(
            FloatPopulation(
                f"p{k}",
                kind,
                int(rng.integers(1, max_neurons)),
                beta=float(rng.choice([0.5, 0.9, 1.0, rng.random()])),
                alpha=float(rng.random()),
                threshold=float(rng.uniform(0.2, 2.0)),
                reset=str(rng.choice(resets)),
                v_reset=float(rng.choice([0.0, -0.25])),
            )
        )
        if kind == "alif":
            pops[-1].adapt_decay = float(rng.choice([0.0, 0.9, 1.0, rng.random()]))
            pops[-1].adapt_jump = float(rng.uniform(-0.2, 1.0))
    out_kind = str(rng.choice(["li", "cubali", "lif"]))
    readout = "count" if out_kind == "lif" else str(rng.choice(["mean", "max", "last"]))
    n_out = int(rng.integers(1, 40))
    pops.append(
        FloatPopulation(
            "out",
            out_kind,
            n_out,
            beta=float(rng.choice([0.8, 1.0])),
            alpha=0.5,
            threshold=0.5,
            reset="subtract" if out_kind == "lif" else "none",
        )
    )
    for pop in pops:
        if rng.random() < 0.4:
            pop.bias = rng.normal(0, 0.1, pop.n)
        if pop.synaptic and rng.random() < 0.4:
            pop.leak = rng.normal(0, 0.05, pop.n)
    projs = []
    sources = ["input"] + [p.name for p in pops[:-1]]
    for k, pop in enumerate(pops):
        for src in sources[: k + 1] + ([pop.name] if pop.spiking and rng.random() < 0.5 else []):
            n_pre = n_in if src == "input" else next(p.n for p in pops if p.name == src)
            w = rng.normal(0, 0.6, (n_pre, pop.n))
            style = rng.integers(3)
            delay = None
            if style == 1:
                w = scipy.sparse.csr_array(w * (rng.random(w.shape) < 0.3))
            elif style == 2:
                delay = rng.integers(0, 6, w.shape)
            projs.append(
                FloatProjection(f"{src}_to_{pop.name}_{len(projs)}", src, pop.name, w, delay)
            )
    return FloatNetwork(
        n_in, pops, projs, output="out", num_steps=int(rng.integers(2, 12)), readout=readout
    )
