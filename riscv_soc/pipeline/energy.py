"""The energy stage: energy per inference of every stage of the run, under every estimate.

Where it sits: after the RTL stage. It reads the runs' activity (riscv_soc.runtime counters of
the ISS and RTL runs, the spike-derived counts of the core run) and the teacher's MACs, and puts
them through riscv_soc.energy: the BOARD and CORE counter models at the SoC clock of the config,
and the op-count estimate (an AC per synaptic event, a MAC per teacher weight). The float
student's op count uses its mean synaptic events per sample (snn.metrics) and the network's
neuron updates, as the core counts them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from riscv_soc.energy import (
    BOARD,
    CORE,
    ann_op_energy,
    compare,
    snn_op_energy,
)
from riscv_soc.energy import energy as counter_energy
from riscv_soc.runfolder.context import Context
from riscv_soc.runfolder.metrics import EnergyMetrics, Estimate, StageEnergy

COUNTER_STAGES = ("iss", "rtl")  # runs with hardware counters


def energy(ctx: Context, folder: Path) -> EnergyMetrics:
    clock_hz = ctx.config.energy.clock_mhz * 1e6
    bundle, macs = ctx.bundle, ctx.metrics("teacher").macs
    float_student = {
        "synops": np.array([round(ctx.metrics("student").synops_per_sample)]),
        "neuron_updates": np.array([bundle.num_steps * sum(p.n for p in bundle.populations)]),
    }
    core_activity = ctx.result("core").activity
    per_stage = {
        "teacher": StageEnergy(ann_op_energy(macs).mean()["energy_j"]),
        "student": StageEnergy(snn_op_energy(float_student, bundle).mean()["energy_j"]),
        "core": StageEnergy(snn_op_energy(core_activity, bundle).mean()["energy_j"]),
    }
    breakdown = {}
    for stage in COUNTER_STAGES:
        activity = ctx.result(stage).activity
        reports = {m.name: counter_energy(activity, m, clock_hz).mean() for m in (BOARD, CORE)}
        per_stage[stage] = StageEnergy(
            op_count_j=snn_op_energy(activity, bundle).mean()["energy_j"],
            board_j=reports[BOARD.name]["dynamic_j"],
            core_j=reports[CORE.name]["dynamic_j"],
            time_s=reports[BOARD.name]["time_s"],
        )
        breakdown[stage] = reports
    comparison = compare(ctx.result("iss").activity, macs, bundle, clock_hz=clock_hz)
    return EnergyMetrics(clock_hz, per_stage, breakdown, [Estimate(**row) for row in comparison])
