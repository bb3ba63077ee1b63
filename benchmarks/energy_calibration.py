"""Calibration check of the energy model against FeNN's SHD measurement (research/fenn.md 5.1).

A network of FeNN's SHD shape (700 inputs, 256 recurrent ALIF neurons, 20 LI outputs, 1,170 steps)
driven by synthetic Poisson spike trains at the published input rate (about 8,229 spikes per
sample), its hidden drive tuned on the Numba core until the hidden layer fires near the published
11,874 spikes per sample. The quantised network is compiled (twice: accumulators in registers,
our default, and in memory, as FeNN's kernels keep them) and run on the ISS; the counters of each
inference go through the BOARD and CORE models at FeNN's 164 MHz, and the script prints the
predicted time and energy per inference beside FeNN's measured 12.6 ms and 19.2 mJ, with ratios.

It runs on the default SoC: the input raster of a sample (1,170 x 22 words, 100 KiB) fills most
of the 128 KiB scalar data memory, so the firmware records no spikes (CompileOptions(record=()):
the hidden layer keeps only its latest spike words, the readout needs no record). The counts
derived from spikes (`spikes`, `synops`, `row_words`) then come from the core, whose readout and
final state the ISS matches bit for bit.

    .venv/bin/python benchmarks/energy_calibration.py [--samples 4] [--seed 0]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from riscv_soc import core
from riscv_soc.compiler import CompileOptions, compile_bundle
from riscv_soc.core import diff_results
from riscv_soc.energy import (
    BOARD,
    CORE,
    EVENTS,
    FENN_SHD,
    compare,
    dense_macs,
    energy,
    format_comparison,
    format_joules,
)
from riscv_soc.firmware.export import firmware_of
from riscv_soc.quant import FloatNetwork, FloatPopulation, FloatProjection, quantise
from riscv_soc.runtime import run
from riscv_soc.soc import DEFAULT

SPIKE_COUNTS = ("spikes", "synops", "row_words")  # need the hidden spikes: not recorded
TUNING_SAMPLES = 4
RATE_TOLERANCE = 0.03  # stop tuning within 3 % of the published hidden spike count
VARIANTS = {  # CompileOptions.accumulators
    "auto": "our default: synaptic accumulators stay in vector registers",
    "memory": "FeNN's way: every row vector loads, adds and stores its accumulator",
}


def network(gain: float, seed: int) -> FloatNetwork:
    """FeNN's SHD shape; `gain` scales the hidden layer's input and recurrent weights."""
    rng = np.random.default_rng(seed)
    a = FENN_SHD
    hidden = FloatPopulation(
        "hidden", "alif", a.n_hidden, beta=0.95, threshold=1.0, adapt_decay=0.99, adapt_jump=0.02
    )
    output = FloatPopulation("output", "li", a.n_outputs, beta=0.95, reset="none")
    projections = [
        FloatProjection("in_hidden", "input", "hidden", gain * rng.normal(0.02, 0.3, (700, 256))),
        FloatProjection("rec", "hidden", "hidden", gain * rng.normal(0.0, 0.1, (256, 256))),
        FloatProjection("hidden_out", "hidden", "output", rng.normal(0.0, 0.1, (256, 20))),
    ]
    return FloatNetwork(a.n_inputs, [hidden, output], projections, "output", dt=1e-3,
                        num_steps=a.steps)  # fmt: skip


def input_spikes(samples: int, seed: int) -> np.ndarray:
    a = FENN_SHD
    p = a.input_spikes / (a.n_inputs * a.steps)
    rng = np.random.default_rng(seed + 1)
    return (rng.random((samples, a.steps, a.n_inputs)) < p).astype(np.uint8)


def hidden_spikes(gain: float, spikes: np.ndarray, seed: int) -> float:
    result = core.run(quantise(network(gain, seed)), spikes, seed=seed)
    return float(result.spikes["hidden"].sum(axis=(1, 2)).mean())


def tune_gain(spikes: np.ndarray, seed: int) -> tuple[float, float]:
    """Bisect the weight gain (log scale) until the hidden layer fires near FeNN's count."""
    target = FENN_SHD.hidden_spikes
    low, high = 0.05, 20.0
    for _ in range(30):
        gain = float(np.sqrt(low * high))
        count = hidden_spikes(gain, spikes, seed)
        print(f"  gain {gain:7.4f}: {count:8.0f} hidden spikes per sample")
        if abs(count / target - 1) < RATE_TOLERANCE:
            break
        low, high = (gain, high) if count < target else (low, gain)
    return gain, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    a = FENN_SHD

    print("tuning the hidden drive on the Numba core:")
    gain, _ = tune_gain(input_spikes(TUNING_SAMPLES, args.seed), args.seed)
    bundle = quantise(network(gain, args.seed))
    spikes = input_spikes(args.samples, args.seed + 100)  # fresh samples for the ISS run

    golden = core.run(bundle, spikes, seed=args.seed)
    print(f"input spikes per sample:  {golden.activity['input_spikes'].mean():9.0f}   "
          f"FeNN {a.input_spikes:.0f}")  # fmt: skip
    print(f"hidden spikes per sample: {golden.activity['spikes'].mean():9.0f}   "
          f"FeNN {a.hidden_spikes:.0f}")  # fmt: skip
    for accumulators, what in VARIANTS.items():
        print(f"\n== accumulators={accumulators}: {what}")
        act = iss_activity(bundle, spikes, golden, accumulators, args.seed)
        report(act, bundle)


def iss_activity(bundle, spikes, golden, accumulators: str, seed: int) -> dict:
    started = time.perf_counter()
    options = CompileOptions(accumulators=accumulators, record=())
    compiled = compile_bundle(bundle, options, DEFAULT)
    dmem = compiled.plan.report()["dmem"]
    result = run(firmware_of(compiled), spikes, seed=seed, backend="iss")
    diffs = diff_results(golden, result, activity=False)
    unrecorded = [f"spikes_{name}: only in first run" for name in golden.spikes]
    same = [d for d in diffs if d not in unrecorded] == []
    print(f"ISS (default SoC, dmem {dmem['used']} of {dmem['bytes']} bytes): {spikes.shape[0]} "
          f"samples in {time.perf_counter() - started:.1f} s (compile + run); readout and final "
          f"state bit-identical to the core's: {same}")  # fmt: skip
    for line in diffs:
        if line not in unrecorded:
            print(f"  {line}")
    return {**result.activity, **{name: golden.activity[name] for name in SPIKE_COUNTS}}


def report(act: dict, bundle) -> None:
    a = FENN_SHD
    instret, cycles = act["instret"].mean(), act["cycles"].mean()
    print(f"instructions per sample:  {instret:9.0f}   FeNN {a.instructions_per_inference:.0f} "
          f"(ratio {instret / a.instructions_per_inference:.2f})")  # fmt: skip
    print(f"cycles per sample:        {cycles:9.0f}   FeNN ISE {a.ise_cycles / a.samples:.0f}, "
          f"board {a.time_s * a.clock_hz:.0f}")  # fmt: skip
    counts = ", ".join(f"{n} {act[n].mean():.0f}" for n in EVENTS.values() if n not in
                       ("cycles", "instret"))  # fmt: skip
    print(f"  {counts}")
    print(f"per inference at FeNN's {a.clock_hz / 1e6:g} MHz:")
    print(f"{'':<8}{'time':>10}{'vs 12.6 ms':>12}{'energy':>12}{'vs 19.2 mJ':>12}")
    for model in (BOARD, CORE):
        m = energy(act, model, clock_hz=a.clock_hz).mean()
        time_s, joules = m["time_s"], m["dynamic_j"]
        print(f"{model.name:<8}{time_s * 1e3:7.2f} ms{time_s / a.time_s:12.3f}"
              f"{format_joules(joules):>12}{joules / a.net_energy_j:12.3f}")  # fmt: skip
    print(f"(FeNN's ISE predicted {a.ise_time_s * 1e3:.2f} ms; energies are net of idle)")
    rows = compare(act, dense_macs([a.n_inputs, a.n_hidden, a.n_outputs]), bundle,
                   clock_hz=a.clock_hz)  # fmt: skip
    print(format_comparison(rows))


if __name__ == "__main__":
    main()
