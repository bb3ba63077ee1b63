"""The calibration stage: the energy model checked against FeNN's published SHD measurement.

Where it sits: beside the energy stage; it reads nothing of the run. The workload is
riscv_soc.energy.shd, the one benchmarks/energy_calibration.py prints (its gain tuning goes to
`calibration/tuning.log`): FeNN's SHD shape on synthetic spike trains at the published rates,
compiled with accumulators in registers and in memory, run on the ISS. Per inference at FeNN's
164 MHz: the predicted time and energy of the BOARD and CORE models beside FeNN's measured
12.6 ms and 19.2 mJ, with the ratios.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from riscv_soc import core
from riscv_soc.energy import BOARD, CORE, FENN_SHD, energy, shd
from riscv_soc.quant import quantise
from riscv_soc.runfolder.context import Context
from riscv_soc.runfolder.metrics import (
    CalibrationMetrics,
    CalibrationVariant,
    FennMeasurement,
    ModelEnergy,
)


def calibration(ctx: Context, folder: Path) -> CalibrationMetrics:
    config = ctx.config.calibration
    if config.samples == 0:
        return CalibrationMetrics(skipped=True)
    seed = config.seed
    with (folder / "tuning.log").open("w") as log:
        tuning = shd.input_spikes(shd.TUNING_SAMPLES, seed)
        gain, _ = shd.tune_gain(tuning, seed, log=lambda line: print(line, file=log))
    bundle = quantise(shd.network(gain, seed))
    spikes = shd.input_spikes(config.samples, seed + 100)  # fresh samples, as the benchmark
    golden = core.run(bundle, spikes, seed=seed)
    anchor = FENN_SHD
    return CalibrationMetrics(
        skipped=False,
        samples=config.samples,
        gain=gain,
        input_spikes=float(golden.activity["input_spikes"].mean()),
        hidden_spikes=float(golden.activity["spikes"].mean()),
        fenn=FennMeasurement(
            clock_hz=anchor.clock_hz,
            time_s=anchor.time_s,
            net_energy_j=anchor.net_energy_j,
            input_spikes=anchor.input_spikes,
            hidden_spikes=anchor.hidden_spikes,
            instructions=anchor.instructions_per_inference,
            ise_time_s=anchor.ise_time_s,
        ),
        variants={
            name: _variant(bundle, spikes, golden, name, what, seed)
            for name, what in shd.VARIANTS.items()
        },
    )


def _variant(bundle, spikes, golden, accumulators: str, what: str, seed: int) -> CalibrationVariant:
    """One compilation on the ISS: counters, bit-exactness against the core, time and energy."""
    compiled = shd.compile_variant(bundle, accumulators)
    activity, diffs = shd.iss_activity(compiled, spikes, golden, seed)
    models = {}
    for model in (BOARD, CORE):
        m = energy(activity, model, clock_hz=FENN_SHD.clock_hz).mean()
        models[model.name] = ModelEnergy(
            time_s=m["time_s"],
            energy_j=m["dynamic_j"],
            time_ratio=m["time_s"] / FENN_SHD.time_s,
            energy_ratio=m["dynamic_j"] / FENN_SHD.net_energy_j,
        )
    instructions = float(np.mean(activity["instret"]))
    return CalibrationVariant(
        what=what,
        instructions=instructions,
        cycles=float(np.mean(activity["cycles"])),
        instruction_ratio=instructions / FENN_SHD.instructions_per_inference,
        bit_exact_core=not diffs,
        diffs_core=diffs[:10],
        models=models,
    )
