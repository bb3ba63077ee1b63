"""FeNN-DMA's balanced random network (its scaling benchmark) and FeNN-DMA's board numbers.

Where it sits: above the quantiser, core, compiler and runtime, which it drives; the CLI
(`snnsoc bench fenn-va`) and benchmarks/fenn_va.py call it. The network is the Vogels-Abbott
benchmark of FeNN's repository (neworderofjamie/riscv_ise, examples/va_benchmark.py): N_exc
excitatory and N_exc / 4 inhibitory cubalif2 neurons (docs/semantics.md 8.1), no input, 1,000
steps of 1 ms, four projections E->E, E->I, I->E, I->I with connection probability p, excitatory
weights into port 0, inhibitory ones into port 1, held with 13 fractional bits; V starts uniform
in [0, threshold) on the s5_10 grid, as FeNN initialises it.

Unlike FeNN, whose synapse kernels all run before its neuron kernels, our update order (E, then
I) lets I see E's spikes of the same step (docs/semantics.md section 6): E->I arrives one step
earlier than on FeNN-DMA.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import scipy.sparse

from riscv_soc.errors import ConfigError
from riscv_soc.quant import FloatNetwork, FloatPopulation, FloatProjection, QuantConfig, quantise

ROWS = ("dense", "sparse")
STEPS = 1000
CONNECTION_P = 0.1
SYN_FRAC_BITS = 13  # FeNN's s2_13 currents and weights
V_FRAC_BITS = 10  # FeNN's s5_10 membrane
THRESHOLD = 10.0  # fires on V >= 10: V > 10 - 2^-10 on the s5_10 grid
CLOCK_HZ = 175e6  # FeNN-DMA's board clock for these numbers
MAX_EXC = 12800  # 16,000 neurons in all: FeNN-DMA's per-core limit


@dataclass(frozen=True)
class BoardRun:
    """One row of FeNN-DMA's published VA measurements (1,000 steps, 175 MHz, weights in DDR)."""

    n_exc: int
    rows: str
    exc_spikes: int
    inh_spikes: int
    neuron_cycles: int
    event_cycles: int
    wall_s: float


FENN_DMA = (
    BoardRun(1024, "dense", 8182, 2029, 1_320_000, 3_634_174, 28.8e-3),
    BoardRun(1024, "sparse", 8050, 2059, 1_338_000, 2_315_409, 21.3e-3),
    BoardRun(4096, "dense", 31292, 7565, 5_142_264, 39_856_178, 258e-3),
    BoardRun(4096, "sparse", 30710, 7599, 5_190_360, 14_606_813, 114e-3),
    BoardRun(12800, "dense", 97277, 24054, 16_054_416, 354_439_050, 2.118),
    BoardRun(12800, "sparse", 96126, 23984, 16_188_480, 88_088_308, 0.597),
)


def board_run(n_exc: int, rows: str) -> BoardRun | None:
    return next((b for b in FENN_DMA if (b.n_exc, b.rows) == (n_exc, rows)), None)


def check(n_exc: int, rows: str, steps: int) -> None:
    """ConfigError naming the argument, its limit and its value."""
    if not (4 <= n_exc <= MAX_EXC and n_exc % 4 == 0):
        raise ConfigError(f"--exc: {n_exc} outside [4, {MAX_EXC}] or not a multiple of 4")
    if rows not in ROWS:
        raise ConfigError(f"--rows: {rows!r}; expected one of {ROWS}")
    if steps < 1:
        raise ConfigError(f"--steps: {steps} must be >= 1")


def network(n_exc: int, seed: int = 0, steps: int = STEPS, p: float = CONNECTION_P) -> FloatNetwork:
    """FeNN's VA network with N_exc excitatory neurons (connectivity and initial V from `seed`)."""
    check(n_exc, "dense", steps)
    rng = np.random.default_rng(seed)
    n_inh = n_exc // 4
    scale = (4000.0 / (n_exc + n_inh)) * (0.02 / p)
    w_exc, w_inh = 4.0e-3 * scale, -51.0e-3 * scale
    pops = [_population("E", n_exc, rng), _population("I", n_inh, rng)]
    sizes = {"E": n_exc, "I": n_inh}
    projs = [
        FloatProjection(f"{a}{b}", a, b, _fixed_probability(sizes[a], sizes[b], p, w, rng), port=port)
        for a, b, w, port in (("E", "E", w_exc, 0), ("E", "I", w_exc, 0),
                              ("I", "E", w_inh, 1), ("I", "I", w_inh, 1))
    ]  # fmt: skip
    return FloatNetwork(1, pops, projs, "E", dt=1e-3, num_steps=steps, readout="count",
                        meta={"workload": "fenn-va", "n_exc": n_exc, "seed": seed, "p": p})  # fmt: skip


def bundle(n_exc: int, rows: str, seed: int = 0, steps: int = STEPS):
    """The network quantised FeNN's way: 16-bit words, `rows` layout, round to nearest."""
    check(n_exc, rows, steps)
    config = QuantConfig(weight_bits=16, layout=rows, rounding="rn", frac_bits=V_FRAC_BITS)
    return quantise(network(n_exc, seed, steps), config)


def _population(name: str, n: int, rng: np.random.Generator) -> FloatPopulation:
    tau_m, tau_exc, tau_inh = 20.0, 5.0, 10.0
    v_init = rng.integers(0, int(THRESHOLD * 2**V_FRAC_BITS), n) * 2.0**-V_FRAC_BITS
    return FloatPopulation(
        name, "cubalif2", n, beta=math.exp(-1 / tau_m),
        threshold=THRESHOLD - 2.0**-V_FRAC_BITS, reset="value", v_reset=0.0,
        alpha=math.exp(-1 / tau_exc), alpha2=math.exp(-1 / tau_inh),
        syn_scale=tau_exc * (1 - math.exp(-1 / tau_exc)),
        syn_scale2=tau_inh * (1 - math.exp(-1 / tau_inh)),
        gain=int(tau_m), refractory=5, i_offset=0.55, syn_frac_bits=SYN_FRAC_BITS, v_init=v_init,
    )  # fmt: skip


def _fixed_probability(n_pre: int, n_post: int, p: float, w: float, rng) -> scipy.sparse.csr_array:
    """Each pair connected independently with probability p, built a block of rows at a time."""
    rows, cols = [], []
    block = max(1, (1 << 24) // n_post)
    for lo in range(0, n_pre, block):
        pre, post = np.nonzero(rng.random((min(block, n_pre - lo), n_post)) < p)
        rows.append(pre + lo)
        cols.append(post)
    pre, post = np.concatenate(rows), np.concatenate(cols)
    return scipy.sparse.csr_array((np.full(pre.size, w), (pre, post)), shape=(n_pre, n_post))
