"""FeNN-DMA's per-core limit: a 16,000-neuron, 10 %-sparse recurrent network is built, quantised
and run on the core within 4 GiB (peak resident memory of a fresh process, measured there).

Run as a script it builds the network, quantises it, runs a few samples and prints one JSON line;
the test runs it in a subprocess so that nothing else in the test session counts.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time

import numpy as np
import pytest
import scipy.sparse

LIMIT_BYTES = 4 << 30
N_NEURONS, DENSITY, N_INPUTS, SAMPLES, STEPS = 16_000, 0.1, 1_000, 4, 25


def bernoulli_csr(rng, shape, p: float, scale: float) -> scipy.sparse.csr_array:
    """Every synapse present with probability p (gaps between synapses in row-major order are
    geometric), weights scale * U(0.5, 1.5); built in CSR directly, never dense."""
    n_pre, n_post = shape
    total = n_pre * n_post
    pos = np.cumsum(rng.geometric(p, int(total * p + 6 * np.sqrt(total * p) + 100))) - 1
    if pos[-1] < total:  # the draw fell short by more than 6 sigma: start again
        return bernoulli_csr(rng, shape, p, scale)
    rows, cols = np.divmod(pos[pos < total], n_post)
    indptr = np.searchsorted(rows, np.arange(n_pre + 1))
    weights = scale * rng.uniform(0.5, 1.5, cols.size)
    return scipy.sparse.csr_array((weights, cols.astype(np.int32), indptr), shape=shape)


def vogels_abbott(rng, n: int = N_NEURONS, p: float = DENSITY):
    """Vogels & Abbott's balanced network, scaled: 80 % excitatory and 20 % inhibitory LIF neurons,
    all-to-all projections at density p (inhibition g = 4 times stronger), driven by a sparse
    input projection from N_INPUTS Poisson sources."""
    from riscv_soc.quant import FloatNetwork, FloatPopulation, FloatProjection

    n_exc = n * 4 // 5
    sizes = {"exc": n_exc, "inh": n - n_exc}
    pops = [FloatPopulation(name, "lif", size, beta=0.95) for name, size in sizes.items()]
    scales = {"input": 0.2, "exc": 0.02, "inh": -0.08}
    projs = [
        FloatProjection(
            f"{src}_{dst}", src, dst, bernoulli_csr(rng, (n_src, n_dst), p, scales[src])
        )
        for dst, n_dst in sizes.items()
        for src, n_src in [("input", N_INPUTS), *sizes.items()]
    ]
    return FloatNetwork(N_INPUTS, pops, projs, output="exc", num_steps=STEPS, readout="count")


def main() -> None:
    from riscv_soc import core
    from riscv_soc.quant import quantise

    rng = np.random.default_rng(0)
    start = time.perf_counter()
    net = vogels_abbott(rng)
    bundle = quantise(net)
    built = time.perf_counter()
    spikes = (rng.random((SAMPLES, STEPS, N_INPUTS)) < 0.05).astype(np.uint8)
    result = core.run(bundle, spikes)
    report = {
        "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "neurons": sum(p.n for p in bundle.populations),
        "synapses": int(sum(np.count_nonzero(p.words) for p in bundle.projections)),
        "possible_synapses": int(sum(p.n_pre * p.n_post for p in bundle.projections)),
        "layouts": sorted({p.layout for p in bundle.projections}),
        "spikes": {k: int(v.sum()) for k, v in result.spikes.items()},
        "synops": int(result.activity["synops"].sum()),
        "readout_shape": list(result.readout.shape),
        "build_s": built - start,
        "run_s": time.perf_counter() - built,
    }
    print(json.dumps(report))


@pytest.mark.slow
def test_16k_neuron_sparse_network_fits_4_gib():
    done = subprocess.run(
        [sys.executable, __file__], capture_output=True, text=True, timeout=600, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["neurons"] == N_NEURONS and report["layouts"] == ["sparse"]
    assert report["synapses"] == pytest.approx(DENSITY * report["possible_synapses"], rel=0.01)
    assert report["readout_shape"] == [SAMPLES, N_NEURONS * 4 // 5]
    assert report["spikes"]["exc"] > 0 and report["spikes"]["inh"] > 0 and report["synops"] > 0
    assert report["peak_rss_bytes"] < LIMIT_BYTES, report


if __name__ == "__main__":
    main()
