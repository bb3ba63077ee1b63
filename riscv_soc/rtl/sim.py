"""Firmware images on the SoC's RTL under Verilator and cocotb: the same API and schema as the ISS.

Where it sits: `Image` -> (cached build, `build.py`) -> one simulator process running the cocotb
driver (`driver.py`) over every image -> one `MachineState` per image, with cycles and counters
read from the hardware counters. Used by `snnsoc rtl`, the difftest and the firmware runtime.

    state = run(image, max_cycles=100_000)
    states = run_many([img_a, img_b], max_cycles=100_000)   # one simulator process
"""

from __future__ import annotations

import os
import pickle
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from riscv_soc.errors import ConfigError
from riscv_soc.firmware.image import Image
from riscv_soc.machine import MachineState
from riscv_soc.rtl import simbuild
from riscv_soc.rtl.driver import JOB_ENV
from riscv_soc.soc import DEFAULT, SocConfig

MAX_CYCLES_LIMIT = 1 << 62


def run(
    image: Image,
    max_cycles: int = 1_000_000_000,
    config: SocConfig = DEFAULT,
    trace: str | os.PathLike | None = None,
) -> MachineState:
    """Run `image` from reset until ecall, ebreak, a trap or `max_cycles` cycles.

    `trace` names an FST waveform file to write (GTKWave opens it); it uses a separate build with
    tracing compiled in. Raises ImageError when the image does not fit `config`, ConfigError for a
    bad argument.
    """
    return run_many([image], max_cycles, config, trace)[0]


def run_many(
    images: Sequence[Image],
    max_cycles: int = 1_000_000_000,
    config: SocConfig = DEFAULT,
    trace: str | os.PathLike | None = None,
    workdir: str | os.PathLike | None = None,
) -> list[MachineState]:
    """Run each image from reset, all in one simulator process; states in the order given.

    Every state carries all five memories (DDR at its full configured size).
    """
    images = list(images)
    _check_max_cycles(max_cycles)
    for image in images:
        if not isinstance(image, Image):
            raise ConfigError(f"images: expected riscv_soc Images, got {type(image).__name__}")
        image.check(config)  # raises ImageError before a build or a simulator start
    if not images:
        return []
    out = simbuild.build(config, trace=trace is not None)
    scratch = Path(tempfile.mkdtemp(prefix="snnsoc_rtl_", dir=workdir))
    try:
        states = _simulate(out, scratch, images, max_cycles, config, trace)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return states


def _simulate(out, scratch, images, max_cycles, config, trace) -> list[MachineState]:
    from cocotb_tools.runner import get_runner

    memdir = scratch / "mem"
    memdir.mkdir()
    job = scratch / "job.pkl"
    programs = [(image, int(max_cycles)) for image in images]
    job.write_bytes(pickle.dumps({"config": config, "memdir": str(memdir), "programs": programs}))
    test_args = ["--trace", "--trace-file", str(Path(trace).resolve())] if trace else []
    runner = get_runner("verilator")
    runner.test(
        test_module="riscv_soc.rtl.driver",
        hdl_toplevel=simbuild.TOPLEVEL,
        hdl_toplevel_lang="verilog",
        build_dir=out,
        test_dir=scratch,
        plusargs=[f"+memdir={memdir}"],
        test_args=test_args,
        extra_env={JOB_ENV: str(job), "COCOTB_LOG_LEVEL": "WARNING"},
        waves=False,
        log_file=scratch / "sim.log",
    )
    states = []
    for n in range(len(images)):
        result = scratch / f"state_{n}.pkl"
        if not result.is_file():
            log = (scratch / "sim.log").read_text(errors="replace")[-4000:]
            raise RuntimeError(f"RTL simulation stopped before program {n}:\n{log}")
        state = pickle.loads(result.read_bytes())
        state.instr = _instruction_at(state, config)
        states.append(state)
    return states


def _instruction_at(state: MachineState, config: SocConfig) -> str:
    """The instruction at the final pc, disassembled ("" outside instruction memory), as the ISS
    reports it; read from the instruction memory the hardware ran."""
    from riscv_soc.isa.disasm import disassemble

    pc = state.pc
    if pc >= config.imem_bytes:
        return ""
    word = state.memories["imem"][pc : pc + 4].tobytes()
    return disassemble(int.from_bytes(word, "little"))


def _check_max_cycles(max_cycles: int) -> None:
    if isinstance(max_cycles, bool) or not isinstance(max_cycles, int):
        raise ConfigError(f"max_cycles: expected an integer, got {max_cycles!r}")
    if not 1 <= max_cycles <= MAX_CYCLES_LIMIT:
        raise ConfigError(f"max_cycles: must be in 1..2**62, got {max_cycles}")
