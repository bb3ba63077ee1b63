"""Firmware images on the SoC's RTL under Verilator and cocotb: the same API and schema as the ISS.

Where it sits: `Image` -> (cached build, `build.py`) -> one simulator process running the cocotb
driver (`driver.py`) over every image -> one `MachineState` per image, with cycles and counters
read from the hardware counters. Used by `snnsoc rtl`, the difftest and the firmware runtime.

    state = run(image, max_cycles=100_000)
    states = run_many([img_a, img_b], max_cycles=100_000)   # one simulator process
    runs = run_many_traced([img_a, img_b])                  # (state, commit trace) per image
    state = run(image, memories=("dmem",))                  # registers and dmem only
    runs = run_programs(images, ddr=DdrModel(stall_seed=1), traced=True)  # RtlRun per image:
                                    # state, commit trace, DMA transfers' late cycles (`dma_late`)
"""

from __future__ import annotations

import contextlib
import os
import pickle
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np

from riscv_soc.ddr import PLAIN, DdrModel, DmaLate
from riscv_soc.errors import ConfigError
from riscv_soc.image import MEMORIES, Image
from riscv_soc.machine import MachineState, check_max_cycles, check_memory_names
from riscv_soc.rtl import commits, simbuild
from riscv_soc.rtl.driver import JOB_ENV
from riscv_soc.soc import DEFAULT, SocConfig


@dataclass(frozen=True)
class RtlRun:
    """One program's run: its end state, its commit trace (None untraced) and, from the
    testbench's log, how many cycles each completed DMA transfer finished late (per channel, in
    order) and how many transfers the DDR answered with an error response."""

    state: MachineState
    trace: np.ndarray | None
    dma_late: DmaLate
    dma_errors: int


def run(
    image: Image,
    max_cycles: int = 1_000_000_000,
    config: SocConfig = DEFAULT,
    trace: str | os.PathLike | None = None,
    memories: Iterable[str] = MEMORIES,
    ddr: DdrModel = PLAIN,
) -> MachineState:
    """Run `image` from reset until ecall, ebreak, a trap or `max_cycles` cycles.

    `trace` names an FST waveform file to write (GTKWave opens it). `memories` names the memories
    copied into the state (all by default; the others are absent, as with `riscv_soc.iss.run`):
    each costs a dump, DDR its full configured size. Registers, counters and CSRs are always
    there. `ddr`: how the DDR behaves (`riscv_soc.ddr.DdrModel`: stalls, error ranges). Raises
    ImageError when the image does not fit `config`, ConfigError for a bad argument.
    """
    runs = run_programs([image], max_cycles, config, trace, memories=memories, ddr=ddr)
    return runs[0].state


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
    runs = run_programs(images, max_cycles, config, trace, workdir, memories, defines=defines)
    return [r.state for r in runs]


def run_many_traced(
    images: Sequence[Image],
    max_cycles: int = 1_000_000_000,
    config: SocConfig = DEFAULT,
    workdir: str | os.PathLike | None = None,
    memories: Iterable[str] = MEMORIES,
    defines: tuple[str, ...] = (),
) -> list[tuple[MachineState, np.ndarray]]:
    """`run_many`, with each run's commit trace (`riscv_soc.commit.COMMIT` records)."""
    runs = run_programs(images, max_cycles, config, None, workdir, memories, True, defines=defines)
    return [(r.state, cast(np.ndarray, r.trace)) for r in runs]  # traced: every run has one


def run_programs(
    images: Sequence[Image],
    max_cycles: int | Sequence[int] = 1_000_000_000,
    config: SocConfig = DEFAULT,
    trace: str | os.PathLike | None = None,
    workdir: str | os.PathLike | None = None,
    memories: Iterable[str] = MEMORIES,
    traced: bool = False,
    ddr: DdrModel | Sequence[DdrModel] = PLAIN,
    defines: tuple[str, ...] = (),
) -> list[RtlRun]:
    """`run_many` in full: an `RtlRun` per image, with its commit trace when `traced`.

    `max_cycles` and `ddr` (how the DDR behaves, `riscv_soc.ddr.DdrModel`: stalls, error ranges)
    are for every image or one per image.
    """
    images = list(images)
    limits = _per_image(max_cycles, (int, np.integer), len(images), "max_cycles")
    for limit in limits:
        check_max_cycles(limit)
    names = check_memory_names(memories)
    models = _per_image(ddr, DdrModel, len(images), "ddr")
    for image in images:
        if not isinstance(image, Image):
            raise ConfigError(f"images: expected riscv_soc Images, got {type(image).__name__}")
        image.check(config)  # raises ImageError before a build or a simulator start
    if not images:
        return []
    out = simbuild.build(config, defines=defines)
    scratch = Path(tempfile.mkdtemp(prefix="snnsoc_rtl_", dir=workdir))
    try:
        programs = list(zip(images, map(int, limits), models, strict=True))
        states = _simulate(out, scratch, programs, config, trace, names, traced)
        return [
            RtlRun(
                state,
                commits.read(scratch / f"commits_{n}.txt") if traced else None,
                *_read_dma_log(scratch / f"dma_{n}.txt"),
            )
            for n, state in enumerate(states)
        ]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _per_image(value, kind, count: int, name: str) -> list:
    """`value` for each of `count` images: one for all, or a sequence of one per image."""
    values = list(value) if isinstance(value, Sequence) else [value] * count
    if len(values) != count or not all(isinstance(v, kind) for v in values):
        raise ConfigError(f"{name}: expected one value or one per image ({count}), got {value!r}")
    return values


def _read_dma_log(path: Path) -> tuple[DmaLate, int]:
    """The testbench's lines "<channel> <late> <errors>": per-channel delays, erring transfers
    (no file: no transfer)."""
    late: tuple[list[int], list[int]] = ([], [])
    errors = 0
    text = path.read_text() if path.is_file() else ""
    for line in text.splitlines():
        channel, cycles, erred = map(int, line.split())
        late[channel].append(cycles)
        errors += erred
    return (tuple(late[0]), tuple(late[1])), errors


def _simulate(out, scratch, programs, config, trace, names, commit_trace) -> list[MachineState]:
    from cocotb_tools.runner import get_runner

    memdir = scratch / "mem"
    memdir.mkdir()
    job = scratch / "job.pkl"
    job.write_bytes(
        pickle.dumps(
            {
                "config": config,
                "memdir": str(memdir),
                "memories": names,
                "programs": programs,
                "commit_trace": commit_trace,
            }
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
            plusargs=[f"+memdir={memdir}", f"+dma_log={scratch}"]
            + ([f"+commit_trace={scratch}"] if commit_trace else [])
            + _coverage_plusargs(scratch),
            test_args=test_args,
            extra_env={JOB_ENV: str(job), "COCOTB_LOG_LEVEL": "WARNING"},
            waves=False,
            log_file=scratch / "sim.log",
        )
    states = []
    for n in range(len(programs)):
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
