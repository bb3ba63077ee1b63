"""Speed of the event-driven core, side by side with snntorch's float inference of the same network.

Prints synaptic operations per second on one core (dense 1024 x 1024, sparse 10 %), and test-set
samples per second for 1024 -> 1024 LIF, 100 steps, 5 % input spikes: the core (all cores,
prange over samples) against snntorch at several batch sizes, and the ratio to its best.

    .venv/bin/python benchmarks/core_speed.py [--samples 512] [--quick]
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import scipy.sparse
import snntorch as snn
import torch

from riscv_soc import core
from riscv_soc.quant import FloatNetwork, FloatPopulation, FloatProjection, QuantConfig, quantise

FENN_DMA_DENSE_PEAK = 1.4e9  # synaptic ops/s per core at 175 MHz (research/anchors.md)
N, STEPS, RATE = 1024, 100, 0.05


def layer(weight, layout: str):
    net = FloatNetwork(
        N,
        [FloatPopulation("h", "lif", N, beta=0.95, threshold=1.0)],
        [FloatProjection("w", "input", "h", weight)],
        output="h",
        num_steps=STEPS,
        readout="count",
    )
    return quantise(net, QuantConfig(layout=layout))


def timed(fn, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def synops_per_second(bundle, spikes) -> float:
    core.run(bundle, spikes[:1], parallel=False)  # compile
    result = core.run(bundle, spikes, parallel=False)
    seconds = timed(lambda: core.run(bundle, spikes, parallel=False))
    return result.activity["synops"].sum() / seconds


def snntorch_samples_per_second(weight, spikes, batch: int) -> float:
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
    return batch / timed(infer)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=512)
    parser.add_argument("--quick", action="store_true", help="fewer samples and batch sizes")
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    samples = 64 if args.quick else args.samples
    spikes = (rng.random((samples, STEPS, N)) < RATE).astype(np.uint8)
    dense_w = rng.normal(0, 0.05, (N, N))
    sparse_w = scipy.sparse.random_array((N, N), density=0.1, rng=rng, format="csr") * 0.1
    print(
        f"threads: numba {os.environ.get('NUMBA_NUM_THREADS', 'default')}, torch "
        f"{torch.get_num_threads()}; {samples} samples x {STEPS} steps, {RATE:.0%} input spikes"
    )

    dense = layer(dense_w, "dense")
    sops = synops_per_second(dense, spikes[:32])
    print(
        f"dense  1024x1024, one core : {sops / 1e9:6.2f} G synops/s "
        f"({sops / FENN_DMA_DENSE_PEAK:.1f}x FeNN-DMA's 1.4 G peak)"
    )
    sparse = layer(sparse_w, "sparse")
    sops = synops_per_second(sparse, spikes[:32])
    print(f"sparse 1024x1024 10%, one core: {sops / 1e9:6.2f} G synops/s (real synapses)")

    core.run(dense, spikes[:2])  # compile the parallel kernel
    core_rate = samples / timed(lambda: core.run(dense, spikes))
    batches = [1, 64] if args.quick else [1, 32, 128, 512]
    rates = {b: snntorch_samples_per_second(dense_w, spikes, min(b, samples)) for b in batches}
    for b, r in rates.items():
        print(f"snntorch float, batch {b:4d}: {r:8.1f} samples/s")
    best = max(rates, key=rates.get)
    print(
        f"core (prange, all cores)  : {core_rate:8.1f} samples/s = "
        f"{core_rate / rates[best]:.1f}x snntorch's best (batch {best})"
    )


if __name__ == "__main__":
    main()
