"""Kernel efficiency of compiled firmware, in cycles of the ISS cycle model (the RTL matches it).

Each network is compiled with per-population phase counters (CompileOptions(profile=True)) and
run on the ISS; every figure includes all overhead of its phase (spike scan, per-spike address
arithmetic, loop control):

- dense: synaptic-phase cycles / 32-synapse vectors processed (rows x row vectors)
- sparse: the same for ELL rows (vectors of the padded rows)
- neuron update: update-phase cycles / (neurons x steps)
- end to end: cycles per inference of a given bundle (the digits student) on its data set

Peers compiled and run side by side in this process: FeNN-DMA's kernel structure (dense target
vectors read, added and written back in vector memory: accumulators="memory"; the update as a
loop over vectors: unroll_vectors=1), and for sparse rows the same synapses in dense rows (and,
on a line below, the sparse rows packed as the bundle stores them: sparse_rows="packed"). The
FeNN-DMA column quotes the authors' measured figures (research/fenn.md, sections 4.4, 4.5, 6).

    .venv/bin/python benchmarks/kernel_cycles.py [--bundle student.npz --data colour_digits]
"""

from __future__ import annotations

import argparse

import numpy as np
import scipy.sparse
from record import write_record

from riscv_soc import core, runtime
from riscv_soc.compiler import CompileOptions, compile_bundle
from riscv_soc.firmware.export import firmware_of
from riscv_soc.quant import FloatNetwork, FloatPopulation, FloatProjection, QuantConfig, quantise
from riscv_soc.quant.bundle import load_bundle
from riscv_soc.soc import LANES

STEPS, N_IN, RATE = 20, 256, 0.1
FENN = {"dense": 5.8, "sparse": 7.6, "update": 1.0}  # cycles, FeNN-DMA measured
GOALS = {"dense": 4.5, "sparse": 6.5, "update": 0.8}
# (sources, targets, weights): dense rows of 4 to 48 vectors (128 x 48 vectors fit vector
# memory), and rows of 16 vectors from DDR
DENSE_ROWS = (
    (256, 128, "auto"),
    (256, 256, "auto"),
    (256, 512, "auto"),
    (128, 1536, "auto"),
    (256, 512, "ddr"),
)
UPDATE_SIZES = (512, 1536)
# (sources, targets, density): ELL rows of about 5, 8, 11, 17 and 26 vectors, split rows in
# vector memory (twice the bytes of packed rows)
SPARSE_ROWS = (
    (256, 1024, 0.02),
    (256, 2048, 0.02),
    (256, 2048, 0.05),
    (128, 2048, 0.1),
    (128, 8192, 0.05),
)


def network(n_post: int, weights, layout: str):
    net = FloatNetwork(
        weights.shape[0],
        [FloatPopulation("h", "lif", n_post, beta=0.9, threshold=1.0)],
        [FloatProjection("in_h", "input", "h", weights)],
        output="h",
        num_steps=STEPS,
        readout="count",
    )
    return quantise(net, QuantConfig(layout=layout))


def profile(bundle, options: CompileOptions, spikes: np.ndarray) -> dict[str, float]:
    spikes = spikes[:, :, : bundle.n_inputs]
    result = runtime.run(firmware_of(compile_bundle(bundle, dict_options(options))), spikes)
    assert core.diff_results(core.run(bundle, spikes), result, activity=False) == []
    vectors = result.activity["row_words"].sum() / LANES
    neurons = result.activity["neuron_updates"].sum()
    return {
        "row": result.activity["profile_h_synaptic"].sum() / vectors,
        "update": result.activity["profile_h_update"].sum() / neurons,
    }


def dict_options(options: CompileOptions) -> CompileOptions:
    return CompileOptions(**{**vars(options), "profile": True})


def dense_weights(n_pre: int, n_post: int) -> np.ndarray:
    """Each network its own seed: a figure does not depend on which others ran before it."""
    return np.random.default_rng([n_pre, n_post]).normal(0, 0.2, (n_pre, n_post))


def sparse_weights(n_pre: int, n_post: int, density: float):
    w = scipy.sparse.random(n_pre, n_post, density=density, random_state=1, format="csr")
    w.data = np.random.default_rng([n_pre, n_post, w.nnz]).normal(0, 0.5, w.nnz)
    return w


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bundle", help="quantised bundle for the end-to-end figure")
    parser.add_argument("--data", default="colour_digits", help="its data set (test split)")
    parser.add_argument("--samples", type=int, default=50)
    args = parser.parse_args()

    rng = np.random.default_rng(0)
    spikes = (rng.random((4, STEPS, N_IN)) < RATE).astype(np.uint8)
    fenn_style = CompileOptions(accumulators="memory", unroll_vectors=1)
    print(f"ISS cycle model; {N_IN} inputs spiking at {RATE} per step, {STEPS} steps, 4 samples")
    print(f"{'metric':<52} {'ours':>6} {'peer':>6} {'ratio':>6} {'FeNN-DMA':>9} {'goal':>5}")
    rows: list[dict] = []
    for n_in, n_post, weights in DENSE_ROWS:
        bundle = network(n_post, dense_weights(n_in, n_post), "dense")
        ours = profile(bundle, CompileOptions(weights=weights), spikes)
        peer = profile(bundle, CompileOptions(**{**vars(fenn_style), "weights": weights}), spikes)
        where = ", rows in DDR (DMA)" if weights == "ddr" else ""
        rows += _line(
            f"dense, per vector ({n_post // LANES}-vector rows{where})",
            ours["row"],
            peer["row"],
            "dense",
        )
        if n_post in UPDATE_SIZES and weights != "ddr":
            rows += _line(
                f"neuron update, per neuron-step (LIF, {n_post})",
                ours["update"],
                peer["update"],
                "update",
            )
    print("  peer: FeNN-DMA's structure (accumulators in vector memory, update loop)")
    print("  peer: the same synapses as dense rows")
    for n_in, n_post, density in SPARSE_ROWS:
        weights = sparse_weights(n_in, n_post, density)
        bundle = network(n_post, weights, "sparse")
        ours = profile(bundle, CompileOptions(), spikes)
        packed = profile(bundle, CompileOptions(sparse_rows="packed"), spikes)
        dense = profile(network(n_post, weights, "dense"), CompileOptions(), spikes)
        vectors, per_row = bundle.projections[0].row_words // LANES, weights.nnz / n_in
        rows += _line(
            f"sparse, per vector ({vectors}-vector rows, {n_in}x{n_post}, p={density})",
            ours["row"],
            dense["row"],
            "sparse",
        )
        print(
            f"  packed rows (sparse_rows='packed') {packed['row']:.2f}; {per_row:.0f} synapses "
            f"per row: {ours['row'] * vectors / per_row:.2f} cycles per synapse sparse, "
            f"{dense['row'] * n_post / LANES / per_row:.2f} as dense rows"
        )
    print(
        "  all-in figures: scan and per-spike overhead included; the row kernels alone take "
        "2 (dense, registers), 4 (dense, memory), 5 (sparse, split), 6 (sparse, packed), "
        "7 (delayed) cycles per vector"
    )
    result = {"cycles_per": rows}
    if args.bundle:
        result["end_to_end"] = _end_to_end(load_bundle(args.bundle), args.data, args.samples)
    print(f"record: {write_record('kernel_cycles', result)}")


def _line(name: str, ours: float, peer: float, metric: str) -> list[dict]:
    """Print one metric's row; return it as the record's one-element list."""
    print(
        f"{name:<52} {ours:6.2f} {peer:6.2f} {ours / peer:6.2f} {FENN[metric]:9.1f} "
        f"{GOALS[metric]:5.1f}"
    )
    return [
        {
            "metric": name,
            "ours": ours,
            "peer": peer,
            "ratio": ours / peer,
            "fenn_dma": FENN[metric],
            "goal": GOALS[metric],
        }
    ]


def _end_to_end(bundle, data: str, samples: int) -> dict:
    from riscv_soc.cli.run import load_data

    spikes, _, _ = load_data(data, bundle, 0, samples)
    compiled = compile_bundle(bundle)
    cycles = runtime.run(firmware_of(compiled), spikes).activity["cycles"]
    profiled = compile_bundle(bundle, CompileOptions(profile=True))
    result = runtime.run(firmware_of(profiled), spikes)
    print(
        f"end to end: {bundle.num_steps} steps, {len(cycles)} samples of {data}: "
        f"{cycles.mean():.0f} cycles per inference (min {cycles.min()}, max {cycles.max()}), "
        f"{cycles.mean() / 175e6 * 1e6:.1f} us at FeNN-DMA's 175 MHz; code "
        f"{compiled.code_bytes} bytes"
    )
    for pop in bundle.populations:
        syn = result.activity[f"profile_{pop.name}_synaptic"].mean()
        upd = result.activity[f"profile_{pop.name}_update"].mean()
        print(
            f"  {pop.name}: synaptic {syn:.0f}, update {upd:.0f} cycles per inference "
            "(profiled build)"
        )
    return {
        "data": data,
        "samples": len(cycles),
        "cycles_per_inference": float(cycles.mean()),
        "code_bytes": compiled.code_bytes,
    }


if __name__ == "__main__":
    main()
