"""Firmware images on the SoC's RTL under Verilator and cocotb: the same API and schema as the ISS.

Where it sits: `Image` -> (cached build, `build.py`) -> one simulator process running the cocotb
driver (`driver.py`) over every image -> one `MachineState` per image, with cycles and counters
read from the hardware counters. Used by `snnsoc rtl`, the difftest and the firmware runtime.

    state = run(image, max_cycles=100_000)
    states = run_many([img_a, img_b], max_cycles=100_000)   # one simulator process
    runs = run_many_traced([img_a, img_b])                  # (state, commit trace) per image
    state = run(image, memories=("dmem",))                  # registers and dmem only
"""

from __future__ import annotations

import contextlib
import os
import pickle
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from riscv_soc.errors import ConfigError
from riscv_soc.image import MEMORIES, Image
from riscv_soc.machine import MachineState, check_max_cycles, check_memory_names
from riscv_soc.rtl import commits, simbuild
from riscv_soc.rtl.driver import JOB_ENV
from riscv_soc.soc import DEFAULT, SocConfig


def run(
    image: Image,
    max_cycles: int = 1_000_000_000,
    config: SocConfig = DEFAULT,
    trace: str | os.PathLike | None = None,
    memories: Iterable[str] = MEMORIES,
) -> MachineState:
    """Run `image` from reset until ecall, ebreak, a trap or `max_cycles` cycles.

    `trace` names an FST waveform file to write (GTKWave opens it). `memories` names the memories
    copied into the state (all by default; the others are absent, as with `riscv_soc.iss.run`):
    each costs a dump, DDR its full configured size. Registers, counters and CSRs are always
    there. Raises ImageError when the image does not fit `config`, ConfigError for a bad argument.
    """
    return run_many([image], max_cycles, config, trace, memories=memories)[0]


def run_many(
    images: Sequence[Image],
    max_cycles: int = 1_000_000_000,
    config: SocConfig = DEFAULT,
    trace: str | os.PathLike | None = None,
    workdir: str | os.PathLike | None = None,
    memories: Iterable[str] = MEMORIES,
    defines: tuple[str, ...] = (),
) -> list[MachineState]:
    """Run each image from reset, all in one simulator process; states in the order given.

    Every state holds the memories `memories` names (see `run`). `trace` records all runs into
    one waveform. `defines` names Verilog macros of a separate build (a test's RTL variant).
    """
    runs = _run(images, max_cycles, config, trace, workdir, memories, False, defines)
    return [state for state, _ in runs]


def run_many_traced(
    images: Sequence[Image],
    max_cycles: int = 1_000_000_000,
    config: SocConfig = DEFAULT,
    workdir: str | os.PathLike | None = None,
    memories: Iterable[str] = MEMORIES,
    defines: tuple[str, ...] = (),
) -> list[tuple[MachineState, np.ndarray]]:
    """`run_many`, with each run's commit trace (`riscv_soc.commit.COMMIT` records)."""
    return _run(images, max_cycles, config, None, workdir, memories, True, defines)


def _run(images, max_cycles, config, trace, workdir, memories, commit_trace, defines):
    images = list(images)
    check_max_cycles(max_cycles)
    names = check_memory_names(memories)
    for image in images:
        if not isinstance(image, Image):
            raise ConfigError(f"images: expected riscv_soc Images, got {type(image).__name__}")
        image.check(config)  # raises ImageError before a build or a simulator start
    if not images:
        return []
    out = simbuild.build(config, defines=defines)
    scratch = Path(tempfile.mkdtemp(prefix="snnsoc_rtl_", dir=workdir))
    try:
        states = _simulate(out, scratch, images, max_cycles, config, trace, names, commit_trace)
        traces = [
            commits.read(scratch / f"commits_{n}.txt") if commit_trace else None
            for n in range(len(images))
        ]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return list(zip(states, traces, strict=True))


def _simulate(
    out, scratch, images, max_cycles, config, trace, names, commit_trace
) -> list[MachineState]:
    from cocotb_tools.runner import get_runner

    memdir = scratch / "mem"
    memdir.mkdir()
    job = scratch / "job.pkl"
    programs = [(image, int(max_cycles)) for image in images]
    job.write_bytes(
        pickle.dumps(
            {
                "config": config,
                "memdir": str(memdir),
                "memories": names,
                "programs": programs,
                "commit_trace": commit_trace,
            }  # fmt: skip
        )
    )
    test_args = ["--trace", "--trace-file", str(Path(trace).resolve())] if trace else []
    runner = get_runner("verilator")
    # A failed run (a failed assertion stops the simulator): the missing states below say why.
    with contextlib.suppress(SystemExit, RuntimeError):
        runner.test(
            test_module="riscv_soc.rtl.driver",
            hdl_toplevel=simbuild.TOPLEVEL,
            hdl_toplevel_lang="verilog",
            build_dir=out,
            test_dir=scratch,
            plusargs=[f"+memdir={memdir}"]
            + ([f"+commit_trace={scratch}"] if commit_trace else [])
            + _coverage_plusargs(scratch),
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
        states.append(pickle.loads(result.read_bytes()))
    return states


def _coverage_plusargs(scratch: Path) -> list[str]:
    """With coverage on (`simbuild.coverage_dir`), where this run writes its counts."""
    folder = simbuild.coverage_dir()
    if folder is None:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    return [f"+verilator+coverage+file+{folder.resolve() / scratch.name}.dat"]
