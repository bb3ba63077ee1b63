"""Speed of the event-driven core, side by side with snntorch's float inference of the same network.

Prints the machine's load average, synaptic operations per second on one core (dense 1024 x 1024,
sparse 10 % run both ways the core can: as dense rows, its choice at this density, and scattered),
and test-set samples per second for 1024 -> 1024 LIF, 100 steps, 5 % input spikes: the core (all
cores, prange over samples) against snntorch at batch sizes 1 to 512, each with its default
threads and with one (threads that spin on a loaded machine can be far slower), and the ratio to
snntorch's best.
Wall-clock rates are what a user sees on this shared machine; the CPU-time rates of the one-core
runs are what the core costs when it has a core to itself.

    .venv/bin/python benchmarks/core_speed.py [--samples 512] [--quick]
"""

from __future__ import annotations

import argparse
import os
import time

import numba
import numpy as np
import scipy.sparse
import snntorch as snn
import torch
from record import write_record

from riscv_soc import core
from riscv_soc.core import layout
from riscv_soc.quant import FloatNetwork, FloatPopulation, FloatProjection, QuantConfig, quantise

FENN_DMA_DENSE_PEAK = 1.4e9  # synaptic ops/s per core at 175 MHz (research/anchors.md)
N, STEPS, RATE, DENSITY = 1024, 100, 0.05, 0.1
SYNOPS_SAMPLES = 128  # samples of the one-core runs (the per-call set-up is then negligible)


def layer(weight, layout_name: str):
    net = FloatNetwork(
        N,
        [FloatPopulation("h", "lif", N, beta=0.95, threshold=1.0)],
        [FloatProjection("w", "input", "h", weight)],
        output="h",
        num_steps=STEPS,
        readout="count",
    )
    return quantise(net, QuantConfig(layout=layout_name))


def timed(fn, repeats: int = 3) -> tuple[float, float]:
    """Best wall-clock and best CPU (process) seconds of `repeats` calls."""
    wall = cpu = float("inf")
    for _ in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        fn()
        wall, cpu = min(wall, time.perf_counter() - w0), min(cpu, time.process_time() - c0)
    return wall, cpu


def synops_line(name: str, bundle, spikes) -> float:
    """Run one core (serial kernel) and print real synaptic operations per second."""
    core.run(bundle, spikes[:1], parallel=False)  # compile
    result = core.run(bundle, spikes, parallel=False)
    wall, cpu = timed(lambda: core.run(bundle, spikes, parallel=False))
    synops = result.activity["synops"].sum()
    rate = result.spikes["h"].mean()
    print(
        f"{name:34s}: {synops / wall / 1e9:6.2f} G synops/s wall, {synops / cpu / 1e9:6.2f} cpu "
        f"({synops / wall / FENN_DMA_DENSE_PEAK:4.1f}x FeNN-DMA's 1.4 G peak; "
        f"output rate {rate:.1%})"
    )
    return synops / wall


def snntorch_samples_per_second(weight, spikes, batch: int, threads: int) -> float:
    torch.set_num_threads(threads)
    fc = torch.nn.Linear(N, N, bias=False)
    fc.weight.data = torch.as_tensor(weight.T, dtype=torch.float32)
    lif = snn.Leaky(beta=0.95, threshold=1.0)
    x = torch.as_tensor(spikes[:batch], dtype=torch.float32).transpose(0, 1)  # [T, B, N]

    @torch.no_grad()
    def infer():
        mem = torch.zeros(batch, N)
        for t in range(STEPS):
            _, mem = lif(fc(x[t]), mem)

    infer()
    return batch / timed(infer)[0]


def load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=512)
    parser.add_argument("--quick", action="store_true", help="fewer samples and batch sizes")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    samples = 64 if args.quick else args.samples
    spikes = (rng.random((samples, STEPS, N)) < RATE).astype(np.uint8)
    dense_w = rng.normal(0, 0.05, (N, N))
    # the same input variance as the dense layer: 10 % of the synapses, sqrt(10) x the weights
    sparse_w = scipy.sparse.random_array(
        (N, N),
        density=DENSITY,
        rng=rng,
        format="csr",
        data_sampler=lambda size: rng.normal(0, 0.05 / np.sqrt(DENSITY), size),
    )
    print(
        f"load average {load()} on {os.cpu_count()} CPUs; default threads: numba "
        f"{numba.get_num_threads()}, torch {torch.get_num_threads()}; "
        f"{samples} samples x {STEPS} steps, {RATE:.0%} input spikes"
    )

    dense = layer(dense_w, "dense")
    synops_line("dense  1024x1024, one core", dense, spikes[:SYNOPS_SAMPLES])
    sparse = layer(sparse_w, "sparse")
    synops_line("sparse 1024x1024 10%, one core", sparse, spikes[:SYNOPS_SAMPLES])
    saved = layout.DENSE_WORDS_PER_SCATTER
    layout.DENSE_WORDS_PER_SCATTER = 0  # never run sparse rows as dense ones
    try:
        synops_line("  the same, rows scattered", sparse, spikes[:SYNOPS_SAMPLES])
    finally:
        layout.DENSE_WORDS_PER_SCATTER = saved

    core.run(dense, spikes[:2])  # compile the parallel kernel
    core_rates = {}
    for threads in sorted({numba.get_num_threads(), 1}, reverse=True):
        numba.set_num_threads(threads)
        core_rates[threads] = samples / timed(lambda: core.run(dense, spikes))[0]
    numba.set_num_threads(max(core_rates))
    batches = [1, 64] if args.quick else [2**k for k in range(10)]
    default_threads = torch.get_num_threads()
    rates = {}
    for b in batches:
        for threads in sorted({default_threads, 1}, reverse=True):
            rates[b, threads] = snntorch_samples_per_second(
                dense_w, spikes, min(b, samples), threads
            )
        row = ", ".join(f"{rates[b, k]:8.1f} ({k} thr)" for k in sorted({default_threads, 1}))
        print(f"snntorch float, batch {b:4d}: {row} samples/s")
    torch.set_num_threads(default_threads)
    best = max(rates, key=rates.get)
    result = {
        "samples": samples,
        "snntorch_best_samples_per_s": rates[best],
        "snntorch_best": {"batch": best[0], "threads": best[1]},
        "core": {},
    }
    for threads, rate in sorted(core_rates.items()):
        ratio = rate / rates[best]
        result["core"][f"{threads}_threads"] = {"samples_per_s": rate, "over_snntorch_best": ratio}
        print(
            f"core, prange on {threads} thread(s): {rate:8.1f} samples/s = "
            f"{rate / rates[best]:.1f}x snntorch's best (batch {best[0]}, {best[1]} thread(s))"
        )
    print(f"load average {load()}")
    print(f"record: {write_record('core_speed', result)}")


if __name__ == "__main__":
    main()
