"""Energy per inference: counter models (board, core) and the op-count estimate, side by side.

Where it sits: after a run. ISS and RTL runs report cycles, retired instructions and six activity
counters per inference (riscv_soc.runtime -> RunResult.activity); `energy` turns them into joules
with a calibrated `EnergyModel` (BOARD: fitted to FeNN's KV260 measurement; CORE: per-operation
energies of the FPGA fabric). `snn_op_energy` / `ann_op_energy` give the op-count estimate SNN
papers use, and `compare` puts all of them in one table. docs/energy.md: equations, constants and
their sources, and the SHD calibration check (`riscv_soc.energy.shd`, the workload;
benchmarks/energy_calibration.py prints it).

    report = energy(result.activity, BOARD)        # per sample: report.dynamic_j, .time_s
    print(format_comparison(compare(result.activity, ann_macs=dense_macs([700, 256, 20]))))
"""

from riscv_soc.energy.calibrations import BOARD, CORE, FENN_SHD, MODELS, ShdAnchor, constants_table
from riscv_soc.energy.compare import compare, format_comparison, has_counters, has_synops
from riscv_soc.energy.model import (
    EVENTS,
    Constant,
    EnergyModel,
    EnergyReport,
    activity_of,
    energy,
    format_joules,
    format_seconds,
)
from riscv_soc.energy.opcount import (
    AC_J,
    MAC_J,
    OpCountReport,
    ann_op_energy,
    dense_macs,
    module_macs,
    snn_op_energy,
)

__all__ = [
    "AC_J",
    "BOARD",
    "CORE",
    "EVENTS",
    "FENN_SHD",
    "MAC_J",
    "MODELS",
    "Constant",
    "EnergyModel",
    "EnergyReport",
    "OpCountReport",
    "ShdAnchor",
    "activity_of",
    "ann_op_energy",
    "compare",
    "constants_table",
    "dense_macs",
    "energy",
    "format_comparison",
    "format_joules",
    "format_seconds",
    "has_counters",
    "has_synops",
    "module_macs",
    "snn_op_energy",
]
