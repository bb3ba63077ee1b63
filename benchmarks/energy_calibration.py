"""Calibration check of the energy model against FeNN's SHD measurement (research/fenn.md 5.1).

The workload is riscv_soc.energy.shd: FeNN's SHD shape on synthetic spike trains at the published
rates, the hidden drive tuned on the core, compiled twice (accumulators in registers, our default,
and in memory, as FeNN's kernels keep them) and run on the ISS without a spike record. The counters
of each inference go through the BOARD and CORE models at FeNN's 164 MHz; the script prints the
predicted time and energy per inference beside FeNN's measured 12.6 ms and 19.2 mJ, with ratios.

    .venv/bin/python benchmarks/energy_calibration.py [--samples 4] [--seed 0]
"""

from __future__ import annotations

import argparse
import time

from record import write_record

from riscv_soc import core
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
    shd,
)
from riscv_soc.quant import quantise

FIT_NOTE = (
    "The BOARD model is one constant fitted to FeNN's SHD energy: its energy ratio here checks "
    "consistency with its own anchor, it does not validate the model."
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    a = FENN_SHD

    print("tuning the hidden drive on the Numba core:")
    gain, _ = shd.tune_gain(shd.input_spikes(shd.TUNING_SAMPLES, args.seed), args.seed)
    bundle = quantise(shd.network(gain, args.seed), shd.QUANT)
    spikes = shd.input_spikes(args.samples, args.seed + 100)  # fresh samples for the ISS run

    golden = core.run(bundle, spikes, seed=args.seed)
    print(
        f"input spikes per sample:  {golden.activity['input_spikes'].mean():9.0f}   "
        f"FeNN {a.input_spikes:.0f}"
    )
    print(
        f"hidden spikes per sample: {golden.activity['spikes'].mean():9.0f}   "
        f"FeNN {a.hidden_spikes:.0f}"
    )
    result = {"fit": FIT_NOTE, "hidden_spikes": float(golden.activity["spikes"].mean())}
    for accumulators, what in shd.VARIANTS.items():
        print(f"\n== accumulators={accumulators}: {what}")
        act = iss_activity(bundle, spikes, golden, accumulators, args.seed)
        result[accumulators] = report(act, bundle)
    print(f"\n{FIT_NOTE}")
    print(f"record: {write_record('energy_calibration', result)}")


def iss_activity(bundle, spikes, golden, accumulators: str, seed: int) -> dict:
    started = time.perf_counter()
    compiled = shd.compile_variant(bundle, accumulators)
    dmem = compiled.plan.report()["dmem"]
    activity, diffs = shd.iss_activity(compiled, spikes, golden, seed)
    print(
        f"ISS (default SoC, dmem {dmem['used']} of {dmem['bytes']} bytes): {spikes.shape[0]} "
        f"samples in {time.perf_counter() - started:.1f} s (compile + run); readout, final "
        f"state and shared counts bit-identical to the core's: {not diffs}"
    )
    for line in diffs:
        print(f"  {line}")
    return activity


def report(act: dict, bundle) -> dict:
    a = FENN_SHD
    instret, cycles = act["instret"].mean(), act["cycles"].mean()
    print(
        f"instructions per sample:  {instret:9.0f}   FeNN {a.instructions_per_inference:.0f} "
        f"(ratio {instret / a.instructions_per_inference:.2f})"
    )
    print(
        f"cycles per sample:        {cycles:9.0f}   FeNN ISE {a.ise_cycles / a.samples:.0f}, "
        f"board {a.time_s * a.clock_hz:.0f}"
    )
    counts = ", ".join(
        f"{n} {act[n].mean():.0f}" for n in EVENTS.values() if n not in ("cycles", "instret")
    )
    print(f"  {counts}")
    print(f"per inference at FeNN's {a.clock_hz / 1e6:g} MHz:")
    print(f"{'':<8}{'time':>10}{'vs 12.6 ms':>12}{'energy':>12}{'vs 19.2 mJ':>12}")
    result = {"instructions": float(instret), "cycles": float(cycles)}
    for model in (BOARD, CORE):
        m = energy(act, model, clock_hz=a.clock_hz).mean()
        time_s, joules = m["time_s"], m["dynamic_j"]
        result[model.name] = {
            "time_s": float(time_s),
            "dynamic_j": float(joules),
            "time_over_fenn": float(time_s / a.time_s),
            "energy_over_fenn": float(joules / a.net_energy_j),
        }
        print(
            f"{model.name:<8}{time_s * 1e3:7.2f} ms{time_s / a.time_s:12.3f}"
            f"{format_joules(joules):>12}{joules / a.net_energy_j:12.3f}"
        )
    print(f"(FeNN's ISE predicted {a.ise_time_s * 1e3:.2f} ms; energies are net of idle)")
    rows = compare(
        act, dense_macs([a.n_inputs, a.n_hidden, a.n_outputs]), bundle, clock_hz=a.clock_hz
    )
    print(format_comparison(rows))
    return result


if __name__ == "__main__":
    main()
