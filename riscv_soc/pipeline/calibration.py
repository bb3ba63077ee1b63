"""The calibration stage: the energy model checked against FeNN's published SHD measurement.

Where it sits: beside the energy stage; it reads nothing of the run. It is the check of
benchmarks/energy_calibration.py, whose network, spike trains and gain tuning it loads from that
script (one definition of the check; its tuning printout goes to `calibration/tuning.log`): FeNN's
SHD shape (700-256-20, recurrent ALIF hidden layer, 1,170 steps) driven by synthetic spike trains
at the published rates, the hidden drive tuned on the core to about 11,874 spikes per sample, then
compiled twice (accumulators in registers, our default, and in memory, as FeNN's kernels keep
them) and run on the ISS. Per inference at FeNN's 164 MHz: the predicted time and energy of the
BOARD and CORE models beside FeNN's measured 12.6 ms and 19.2 mJ, with the ratios.
"""

from __future__ import annotations

import contextlib
import importlib.util
from pathlib import Path

import numpy as np

from riscv_soc.pipeline.context import Context

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "energy_calibration.py"


def load_benchmark():
    """benchmarks/energy_calibration.py as a module."""
    spec = importlib.util.spec_from_file_location("snnsoc_energy_calibration", BENCHMARK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def calibration(ctx: Context, folder: Path) -> dict:
    from riscv_soc import core
    from riscv_soc.energy import FENN_SHD
    from riscv_soc.quant import quantise

    config = ctx.config["calibration"]
    if config["samples"] == 0:
        return {"skipped": True}
    bench, seed = load_benchmark(), config["seed"]
    with (folder / "tuning.log").open("w") as log, contextlib.redirect_stdout(log):
        gain, _ = bench.tune_gain(bench.input_spikes(bench.TUNING_SAMPLES, seed), seed)
    bundle = quantise(bench.network(gain, seed))
    spikes = bench.input_spikes(config["samples"], seed + 100)  # fresh samples, as the script
    golden = core.run(bundle, spikes, seed=seed)
    anchor = FENN_SHD
    return {
        "skipped": False,
        "samples": config["samples"],
        "gain": gain,
        "input_spikes": float(golden.activity["input_spikes"].mean()),
        "hidden_spikes": float(golden.activity["spikes"].mean()),
        "fenn": {
            "clock_hz": anchor.clock_hz,
            "time_s": anchor.time_s,
            "net_energy_j": anchor.net_energy_j,
            "input_spikes": anchor.input_spikes,
            "hidden_spikes": anchor.hidden_spikes,
            "instructions": anchor.instructions_per_inference,
            "ise_time_s": anchor.ise_time_s,
        },  # fmt: skip
        "variants": {
            name: _variant(bench, bundle, spikes, golden, name, what, seed)
            for name, what in bench.VARIANTS.items()
        },
    }


def _variant(bench, bundle, spikes, golden, accumulators: str, what: str, seed: int) -> dict:
    """One compilation on the ISS: counters, bit-exactness against the core, time and energy."""
    from riscv_soc.compiler import CompileOptions, compile_bundle
    from riscv_soc.energy import BOARD, CORE, FENN_SHD, energy
    from riscv_soc.firmware.export import firmware_of
    from riscv_soc.pipeline.hardware import compare_runs
    from riscv_soc.runtime import run

    # No spike record: the input raster fills most of the scalar data memory (the script's note).
    compiled = compile_bundle(bundle, CompileOptions(accumulators=accumulators, record=()))
    result = run(firmware_of(compiled), spikes, seed=seed, backend="iss")
    unrecorded = {f"spikes_{name}: only in first run" for name in golden.spikes}
    diffs = [d for d in compare_runs(golden, result) if d not in unrecorded]
    # Spike-derived counts need the unrecorded hidden spikes: the core's (its run equals the ISS's).
    activity = {**result.activity, **{k: golden.activity[k] for k in bench.SPIKE_COUNTS}}
    models = {}
    for model in (BOARD, CORE):
        m = energy(activity, model, clock_hz=FENN_SHD.clock_hz).mean()
        models[model.name] = {
            "time_s": m["time_s"],
            "energy_j": m["dynamic_j"],
            "time_ratio": m["time_s"] / FENN_SHD.time_s,
            "energy_ratio": m["dynamic_j"] / FENN_SHD.net_energy_j,
        }
    return {
        "what": what,
        "instructions": float(np.mean(activity["instret"])),
        "cycles": float(np.mean(activity["cycles"])),
        "instruction_ratio": float(np.mean(activity["instret"]))
        / FENN_SHD.instructions_per_inference,
        "bit_exact_core": not diffs,
        "diffs_core": diffs[:10],
        "models": models,
    }
