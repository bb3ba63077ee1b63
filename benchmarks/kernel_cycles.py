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
loop over vectors: unroll_vectors=1), and for sparse rows the same synapses in dense rows. The
FeNN-DMA column quotes the authors' measured figures (research/fenn.md, sections 4.4, 4.5, 6).

    .venv/bin/python benchmarks/kernel_cycles.py [--bundle student.npz --data colour_digits]
"""

from __future__ import annotations

import argparse

import numpy as np
import scipy.sparse

from riscv_soc import core, runtime
from riscv_soc.compiler import CompileOptions, compile_bundle
from riscv_soc.firmware.export import firmware_of
from riscv_soc.quant import FloatNetwork, FloatPopulation, FloatProjection, QuantConfig, quantise
from riscv_soc.quant.bundle import load_bundle
from riscv_soc.soc import LANES

STEPS, N_IN, RATE = 20, 256, 0.1
FENN = {"dense": 5.8, "sparse": 7.6, "update": 1.0}  # cycles, FeNN-DMA measured
GOALS = {"dense": 4.5, "sparse": 6.5, "update": 0.8}


def _network(n_post: int, weights, layout: str):
    net = FloatNetwork(
        weights.shape[0],
        [FloatPopulation("h", "lif", n_post, beta=0.9, threshold=1.0)],
        [FloatProjection("in_h", "input", "h", weights)],
        output="h", num_steps=STEPS, readout="count",
    )  # fmt: skip
    return quantise(net, QuantConfig(layout=layout))


def _profile(bundle, options: CompileOptions, spikes: np.ndarray) -> dict[str, float]:
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


def _sparse_weights(rng, n_post: int):
    w = scipy.sparse.random(N_IN, n_post, density=0.05, random_state=1, format="csr")
    w.data = rng.normal(0, 0.5, w.nnz)
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
    print(f"{'metric':<48} {'ours':>6} {'peer':>6} {'ratio':>6} {'FeNN-DMA':>9} {'goal':>5}")
    for n_in, n_post, weights in ((256, 512, "auto"), (128, 1536, "auto"), (256, 512, "ddr")):
        bundle = _network(n_post, rng.normal(0, 0.2, (n_in, n_post)), "dense")
        ours = _profile(bundle, CompileOptions(weights=weights), spikes)
        peer = _profile(bundle, CompileOptions(**{**vars(fenn_style), "weights": weights}), spikes)
        where = ", rows in DDR (DMA)" if weights == "ddr" else ""
        _line(f"dense, per vector ({n_post // LANES}-vector rows{where})", ours["row"],
              peer["row"], "dense")  # fmt: skip
        if weights != "ddr":
            _line(f"neuron update, per neuron-step (LIF, {n_post})", ours["update"],
                  peer["update"], "update")  # fmt: skip
    print("  peer: FeNN-DMA's structure (accumulators in vector memory, update loop)")
    for n_post in (2048, 8192):
        weights = _sparse_weights(rng, n_post)
        bundle = _network(n_post, weights, "sparse")
        ours = _profile(bundle, CompileOptions(), spikes)
        dense = _profile(_network(n_post, weights, "dense"), CompileOptions(), spikes)
        vectors, per_row = bundle.projections[0].row_words // LANES, weights.nnz / N_IN
        _line(f"sparse, per vector ({vectors}-vector rows, N={n_post})", ours["row"],
              dense["row"], "sparse")  # fmt: skip
        print(
            f"  {per_row:.0f} synapses per row: {ours['row'] * vectors / per_row:.2f} cycles "
            f"per synapse sparse, {dense['row'] * n_post / LANES / per_row:.2f} as dense rows "
            "(peer)"
        )
    print(
        "  all-in figures: scan and per-spike overhead included; the row kernels alone take "
        "2 (dense, registers), 4 (dense, memory), 6 (sparse), 7 (delayed) cycles per vector"
    )
    if args.bundle:
        _end_to_end(load_bundle(args.bundle), args.data, args.samples)


def _line(name: str, ours: float, peer: float, metric: str) -> None:
    print(
        f"{name:<48} {ours:6.2f} {peer:6.2f} {ours / peer:6.2f} {FENN[metric]:9.1f} "
        f"{GOALS[metric]:5.1f}"
    )


def _end_to_end(bundle, data: str, samples: int) -> None:
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


if __name__ == "__main__":
    main()
