"""FeNN-DMA's balanced random network (its scaling benchmark) and FeNN-DMA's board numbers.

Where it sits: above the quantiser, core, compiler and runtime, which it drives; the CLI
(`snnsoc bench fenn-va`) and benchmarks/fenn_workloads.py call it. The network is the Vogels-Abbott
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
import time
from dataclasses import dataclass, replace

import numpy as np
import scipy.sparse

from riscv_soc import core
from riscv_soc.compiler import CompileError, CompileOptions, compile_bundle
from riscv_soc.core import diff_results
from riscv_soc.errors import ConfigError
from riscv_soc.firmware.export import firmware_of
from riscv_soc.quant import FloatNetwork, FloatPopulation, FloatProjection, QuantConfig, quantise
from riscv_soc.runtime import run as run_firmware
from riscv_soc.soc import DEFAULT

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
    pairs = (("E", "E", w_exc, 0), ("E", "I", w_exc, 0), ("I", "E", w_inh, 1), ("I", "I", w_inh, 1))
    projs = [
        FloatProjection(a + b, a, b, _fixed_probability(sizes[a], sizes[b], p, w, rng), port=port)
        for a, b, w, port in pairs
    ]
    # the output is I, the smaller population: its readout (spike counts) costs least
    meta = {"workload": "fenn-va", "n_exc": n_exc, "seed": seed, "p": p}
    return FloatNetwork(1, pops, projs, "I", dt=1e-3, num_steps=steps, readout="count", meta=meta)


def bundle(n_exc: int, rows: str, seed: int = 0, steps: int = STEPS):
    """The network quantised FeNN's way: 16-bit words, `rows` layout, round to nearest."""
    check(n_exc, rows, steps)
    config = QuantConfig(weight_bits=16, layout=rows, rounding="rn", frac_bits=V_FRAC_BITS)
    return quantise(network(n_exc, seed, steps), config)


def _population(name: str, n: int, rng: np.random.Generator) -> FloatPopulation:
    """FeNN's V_a = tau_m (x + i_offset), V = V_a - beta (V_a - V), written as
    V = beta V + (1 - beta) tau_m (x + i_offset): its membrane input folded into the scales."""
    tau_m, tau_exc, tau_inh, i_offset = 20.0, 5.0, 10.0, 0.55
    beta = math.exp(-1 / tau_m)
    gain = (1 - beta) * tau_m
    v_init = rng.integers(0, int(THRESHOLD * 2**V_FRAC_BITS), n) * 2.0**-V_FRAC_BITS
    return FloatPopulation(
        name,
        "cubalif2",
        n,
        beta=beta,
        threshold=THRESHOLD - 2.0**-V_FRAC_BITS,
        reset="value",
        v_reset=0.0,
        alpha=math.exp(-1 / tau_exc),
        alpha2=math.exp(-1 / tau_inh),
        syn_scale=gain * tau_exc * (1 - math.exp(-1 / tau_exc)),
        syn_scale2=gain * tau_inh * (1 - math.exp(-1 / tau_inh)),
        refractory=5,
        i_offset=gain * i_offset,
        syn_frac_bits=SYN_FRAC_BITS,
        v_init=v_init,
    )


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


@dataclass(frozen=True)
class VaRun:
    """One run of the network: spikes, the cycles split as FeNN-DMA splits them (neuron updates,
    event processing: every population's synaptic phase), and whether the run matched the core."""

    n_exc: int
    rows: str
    backend: str
    steps: int
    exc_spikes: int
    inh_spikes: int
    neuron_cycles: int | None  # ISS and RTL only
    event_cycles: int | None
    cycles: int | None  # the whole run, counter to counter
    wall_s: float  # host seconds of this backend's run
    core_wall_s: float  # host seconds of the core's run of the same network (bundle flattened)
    core_cpu_s: float  # its CPU seconds (one thread): the wall time on an idle core
    differences: tuple[str, ...]  # core against this backend; empty when bit-exact
    spikes_from: str  # "run" (recorded) or "core" (too many steps to record in dmem)

    def to_json(self) -> dict:
        return {**self.__dict__, "differences": list(self.differences)}


def run(n_exc: int, rows: str, backend: str = "iss", seed: int = 0, steps: int = STEPS) -> VaRun:
    """Run the network on the core and, unless `backend` is "core", on the ISS or the RTL."""
    if backend not in ("core", "iss", "rtl"):
        raise ConfigError(f"--backend: {backend!r}; expected core, iss or rtl")
    b = bundle(n_exc, rows, seed, steps)
    spikes = np.zeros((1, steps, 1), np.uint8)
    arrays = core.flatten(b)  # not timed: loading the weights, as FeNN-DMA's time leaves it out
    core.run(b, spikes[:, :1], parallel=False, arrays=arrays)  # nor compiling the core's loop
    start, cpu = time.perf_counter(), time.process_time()
    golden = core.run(b, spikes, seed=0, parallel=False, arrays=arrays)
    core_s, core_cpu_s = time.perf_counter() - start, time.process_time() - cpu
    counts = {name: int(s.sum()) for name, s in golden.spikes.items()}
    if backend == "core":
        return VaRun(
            n_exc,
            rows,
            backend,
            steps,
            counts["E"],
            counts["I"],
            None,
            None,
            None,
            core_s,
            core_s,
            core_cpu_s,
            (),
            "run",
        )
    result, wall_s, recorded = _run_firmware(b, spikes, backend)
    diffs = _differences(golden, result, recorded)
    if recorded:
        counts = {name: int(s.sum()) for name, s in result.spikes.items()}
    a = result.activity
    neuron = sum(int(a[f"profile_{p}_update"][0]) for p in ("E", "I"))
    event = sum(int(a[f"profile_{p}_synaptic"][0]) for p in ("E", "I"))
    return VaRun(
        n_exc,
        rows,
        backend,
        steps,
        counts["E"],
        counts["I"],
        neuron,
        event,
        int(a["cycles"][0]),
        wall_s,
        core_s,
        core_cpu_s,
        tuple(diffs),
        "run" if recorded else "core",
    )


def _run_firmware(b, spikes: np.ndarray, backend: str):
    """Compile (every spike recorded when dmem holds them, DDR sized for the rows) and run."""
    rows_bytes = sum(p.words.nbytes for p in b.projections)
    ddr = max(DEFAULT.ddr_bytes, 1 << math.ceil(math.log2(rows_bytes + (1 << 20))))
    config = replace(DEFAULT, ddr_bytes=ddr)
    try:
        compiled = compile_bundle(b, CompileOptions(profile=True), config)
        recorded = True
    except CompileError:  # the spike record does not fit dmem: latest spikes only
        compiled = compile_bundle(b, CompileOptions(profile=True, record=()), config)
        recorded = False
    start = time.perf_counter()
    result = run_firmware(firmware_of(compiled), spikes, seed=0, backend=backend)
    return result, time.perf_counter() - start, recorded


def _differences(golden, result, recorded: bool) -> list[str]:
    unrecorded = set() if recorded else {f"spikes_{n}: only in first run" for n in golden.spikes}
    return [d for d in diff_results(golden, result, activity="shared") if d not in unrecorded]


def format_run(r: VaRun, board: BoardRun | None) -> str:
    """A few lines: ours, FeNN-DMA's (when it published this size) and the ratios."""
    lines = [
        f"VA network, N_exc {r.n_exc:,} + N_inh {r.n_exc // 4:,}, {r.rows} rows, "
        f"{r.steps} steps, {r.backend}"
    ]
    head = f"{'':10} {'exc spikes':>10} {'inh spikes':>10} {'neuron cyc.':>12} {'event cyc.':>12}"
    lines.append(head)

    def row(name, exc, inh, neuron, event):
        cell = lambda x: f"{x:>12,}" if x is not None else f"{'-':>12}"  # noqa: E731
        return f"{name:10} {exc:>10,} {inh:>10,} {cell(neuron)} {cell(event)}"

    lines.append(row("snnsoc", r.exc_spikes, r.inh_spikes, r.neuron_cycles, r.event_cycles))
    if board is not None:
        lines.append(
            row(
                "FeNN-DMA",
                board.exc_spikes,
                board.inh_spikes,
                board.neuron_cycles,
                board.event_cycles,
            )
        )
        if r.neuron_cycles is not None and r.event_cycles is not None:  # set together
            lines.append(
                f"{'ratio':10} {r.exc_spikes / board.exc_spikes:>10.3f} "
                f"{r.inh_spikes / board.inh_spikes:>10.3f} "
                f"{r.neuron_cycles / board.neuron_cycles:>12.3f} "
                f"{r.event_cycles / board.event_cycles:>12.3f}"
            )
    if r.cycles is not None:
        lines.append(
            f"total {r.cycles:,} cycles = {r.cycles / CLOCK_HZ * 1e3:.2f} ms at 175 MHz; "
            f"{r.backend} {r.wall_s:.2f} s, core {r.core_wall_s:.2f} s on this host"
        )
    if r.backend != "core":
        same = "bit-exact with the core" if not r.differences else f"DIFFERS: {r.differences[:3]}"
        lines.append(f"{r.backend}: {same}; spike counts from the {r.spikes_from}")
    return "\n".join(lines)
