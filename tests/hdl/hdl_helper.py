"""The one helper of the RTL tests: our configuration, our Verilator flags, and ISS-vs-RTL runs.

SoC tests run through `riscv_soc.rtl` (its cached build of rtl/ under build/, flags in
`riscv_soc.rtl.simbuild.BUILD_ARGS`); unit tests of single modules build with UNIT_BUILD_ARGS into
build/sim_<unit>[_<params>] and run a cocotb module `tests/hdl/tb_<unit>.py`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from riscv_soc import iss, rtl
from riscv_soc.ddr import PLAIN, DdrModel
from riscv_soc.difftest import CONFIG
from riscv_soc.image import Image
from riscv_soc.machine import MachineState
from riscv_soc.rtl import simbuild

HDL_TESTS = Path(__file__).resolve().parent
MAX_CYCLES = 200_000
# A separate SoC build with deliberate bugs (Verilog macros in rtl/): unsigned loads sign-extend
# (test_lockstep.py) and write-back writes x0 (test_assertions.py).
BUGGY = ("SNNSOC_BUG_LOAD_SIGNED", "SNNSOC_BUG_WRITE_X0")
# Unit builds: every signal visible to the cocotb module; no clock generator, no waveforms.
UNIT_BUILD_ARGS = ("--public-flat-rw", "--assert", "-Wno-fatal", "-CFLAGS", "-O1")

# The runner hands sys.path to the simulator as PYTHONPATH: the tb_*.py modules must be on it.
if str(HDL_TESTS) not in sys.path:
    sys.path.insert(0, str(HDL_TESTS))


def run_both(
    images: list[Image], config=CONFIG, ddr: list[DdrModel] | None = None
) -> list[tuple[MachineState, MachineState]]:
    """(ISS state, RTL state) per image, each on its DDR (`ddr`: error ranges, no stalls; a DDR
    that keeps up when None); all RTL runs in one simulator process."""
    models = ddr or [PLAIN] * len(images)
    runs = rtl.run_programs(images, MAX_CYCLES, config, ddr=models)
    triples = zip(images, runs, models, strict=True)
    return [(iss.run(img, MAX_CYCLES, config, ddr=m), run.state) for img, run, m in triples]


def run_unit(name: str, toplevel: str, sources: list[str], parameters: dict[str, int]) -> None:
    """Build one RTL module with our flags and run the cocotb module tb_<name>.py on it."""
    from cocotb_tools.runner import get_runner

    simbuild.toolchain_env()
    tag = "".join(f"_{k}{v}" for k, v in sorted(parameters.items()))
    build_dir = simbuild.BUILD_ROOT / f"sim_{name}{tag}"
    runner = get_runner("verilator")
    runner.build(
        sources=[simbuild.RTL_DIR / s for s in sources],
        hdl_toplevel=toplevel,
        parameters=parameters,
        build_args=list(UNIT_BUILD_ARGS),
        build_dir=build_dir,
        log_file=build_dir / "build.log",
    )
    runner.test(
        hdl_toplevel=toplevel,
        test_module=f"tb_{name}",
        build_dir=build_dir,
        test_dir=build_dir,
        log_file=build_dir / "test.log",
    )
