"""The differential test: generated programs on the ISS and on the RTL, in lock-step and at the end.

Where it sits: `generator.generate` -> `riscv_soc.isa.asm.assemble` -> `riscv_soc.iss.run_traced`
and `riscv_soc.rtl.run_many_traced` (one simulator process per chunk of programs) -> the commit
traces compared record by record (`riscv_soc.commit`: the first divergence, with the instructions
before it) and the whole end states by `diff_states`, cycles included. `lockstep=False` compares
end states only. Each program runs under its `conditions` (a cycle limit for one in ten, and with
`ddr_stalls` / `ddr_errors` a DDR that pauses on every AXI channel / answers with errors on random
ranges); under stalls the ISS takes each DMA transfer's completion delay from the RTL's log, so
traces, states and cycles still compare exactly. Each mismatching program is saved for replay
(`replay`) as `<name>.s` (its source), `<name>.npz` (its initial memory data) and `<name>.json`
(seed, index, length, configuration, conditions, the differences). With `workers` > 1 (or a Ray
`address`) the programs are split into one contiguous block per worker, each run as a Ray task,
and the blocks' summaries merged in order: the result, saved cases included, is the serial run's.
"""

from __future__ import annotations

import collections
import dataclasses
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np

from riscv_soc import commit
from riscv_soc import iss as iss_sim
from riscv_soc import rtl as rtl_sim
from riscv_soc.ddr import DdrFault, DdrModel
from riscv_soc.difftest import conditions
from riscv_soc.difftest.conditions import Conditions
from riscv_soc.difftest.generator import Program, build_image, generate
from riscv_soc.errors import ConfigError
from riscv_soc.image import Image
from riscv_soc.machine import MachineState, diff_states
from riscv_soc.soc import SocConfig
from snnsoc_common import artefacts
from snnsoc_common.cluster import ray_session, result

# A small DDR keeps every state's copy of it cheap; other memories keep FeNN-DMA's sizes.
CONFIG = SocConfig(ddr_bytes=1 << 20)
MAX_CYCLES = 1_000_000  # far above what a program of the generator's lengths can take
CHUNK = 250  # programs per simulator process


@dataclass
class Summary:
    """Outcome of a difftest run."""

    programs: int = 0
    generated: int = 0  # instruction words in the programs' images
    instructions: int = 0  # retired on the ISS, all programs together
    mismatches: int = 0
    lockstep: bool = True  # commit traces compared (else end states only)
    ddr_stalls: bool = False  # the DDR paused at random on every AXI channel
    ddr_errors: bool = False  # the DDR answered SLVERR/DECERR on random ranges
    dma_transfers: int = 0  # DMA transfers completed on the RTL
    dma_late: int = 0  # those that completed after their schedule (stalls)
    dma_errors: int = 0  # those the DDR answered with an error response
    coverage: dict[str, int] = field(default_factory=dict)  # retired per mnemonic (lock-step)
    cycles: int = 0
    exits: dict[str, int] = field(default_factory=dict)
    max_cycle_diff: float = 0.0  # largest |rtl - iss| / iss over all programs
    saved: list[str] = field(default_factory=list)

    def line(self) -> str:
        mode = "lock-step and end state" if self.lockstep else "end state"
        mode += ", DDR stalls" if self.ddr_stalls else ""
        mode += ", DDR errors" if self.ddr_errors else ""
        return (
            f"difftest ({mode}): {self.cycles} cycles, exits {dict(sorted(self.exits.items()))}, "
            f"{self.dma_transfers} DMA transfers ({self.dma_late} late, {self.dma_errors} with "
            f"error responses), {self.generated} instructions generated; {self.programs} programs, "
            f"{self.instructions} instructions, {self.mismatches} mismatches"
        )

    def merge(self, other: Summary) -> None:
        """Add the counts of `other`, a block of programs run after this one's."""
        self.programs += other.programs
        self.generated += other.generated
        self.instructions += other.instructions
        self.mismatches += other.mismatches
        self.cycles += other.cycles
        self.dma_transfers += other.dma_transfers
        self.dma_late += other.dma_late
        self.dma_errors += other.dma_errors
        coverage = collections.Counter(self.coverage) + collections.Counter(other.coverage)
        self.coverage = dict(sorted(coverage.items()))
        self.exits = dict(collections.Counter(self.exits) + collections.Counter(other.exits))
        self.max_cycle_diff = max(self.max_cycle_diff, other.max_cycle_diff)
        self.saved += other.saved


@dataclass(frozen=True)
class Failure:
    """A mismatching program and its differences, to be saved where the run was started."""

    program: Program
    conditions: Conditions
    diffs: list[str]


def run(
    seed: int,
    programs: int,
    length: int,
    out_dir: str | Path = "difftest_failures",
    config: SocConfig = CONFIG,
    progress: Callable[[int], None] | None = None,
    lockstep: bool = True,
    workers: int = 1,
    address: str | None = None,
    ddr_stalls: bool = False,
    ddr_errors: bool = False,
) -> Summary:
    """Generate `programs` programs of about `length` instructions from `seed`, run and compare.

    `progress(n)` is called after each chunk (each block with Ray) with the number of programs
    done. `workers` > 1 or an `address` (of a Ray cluster) shards the programs over Ray tasks.
    `ddr_stalls` / `ddr_errors` make the RTL's DDR pause / answer with errors (see the module).
    """
    _check_args(seed, programs, length, workers)
    mode = Mode(lockstep, ddr_stalls, ddr_errors)
    if workers == 1 and not address:
        blocks = [_run_block(seed, 0, programs, length, config, mode, progress)]
    else:
        blocks = _run_ray(seed, programs, length, config, mode, workers, address, progress)
    summary = Summary(lockstep=lockstep, ddr_stalls=ddr_stalls, ddr_errors=ddr_errors)
    for block, failures in blocks:
        for failure in failures:
            path = save(failure.program, failure.conditions, failure.diffs, Path(out_dir), config)
            block.saved.append(str(path))
        summary.merge(block)
    return summary


@dataclass(frozen=True)
class Mode:
    """What a run compares and how the DDR behaves."""

    lockstep: bool = True
    ddr_stalls: bool = False
    ddr_errors: bool = False


def _run_block(
    seed: int,
    start: int,
    stop: int,
    length: int,
    config: SocConfig,
    mode: Mode,
    progress: Callable[[int], None] | None = None,
) -> tuple[Summary, list[Failure]]:
    """Programs start..stop-1 of `seed`: their summary (nothing saved yet) and mismatches."""
    summary = Summary(lockstep=mode.lockstep)
    failures: list[Failure] = []
    coverage: collections.Counter[str] = collections.Counter()
    dma: collections.Counter[str] = collections.Counter()
    for first in range(start, stop, CHUNK):
        batch = [generate(seed, i, length, config) for i in range(first, min(stop, first + CHUNK))]
        images = [p.image(config) for p in batch]
        runs = [
            conditions.draw(
                p.seed, p.index, image, config, MAX_CYCLES, mode.ddr_stalls, mode.ddr_errors
            )
            for p, image in zip(batch, images, strict=True)
        ]
        outcomes = compare(images, config, mode.lockstep, coverage, conditions=runs, dma=dma)
        for program, image, run_as, (ref, rtl, diffs) in zip(
            batch, images, runs, outcomes, strict=True
        ):
            summary.generated += sum(len(s.data) for s in image.sections if s.memory == "imem") // 4
            _account(summary, ref, rtl, diffs)
            if diffs:
                failures.append(Failure(program, run_as, diffs))
        if progress is not None:
            progress(summary.programs)
    summary.coverage = dict(sorted(coverage.items()))
    summary.dma_transfers, summary.dma_late = dma["transfers"], dma["late"]
    summary.dma_errors = dma["errors"]
    return summary, failures


def _run_ray(seed, programs, length, config, mode, workers, address, progress):
    """One contiguous block of programs per worker, as Ray tasks; the blocks in program order."""
    with ray_session(workers, address) as ray:
        task = ray.remote(num_cpus=1)(_run_block)
        size = -(-programs // workers)
        bounds = [(a, min(programs, a + size)) for a in range(0, programs, size)]
        pending = [task.remote(seed, a, b, length, config, mode) for a, b in bounds]
        blocks = []
        for ref in pending:
            blocks.append(result(ray, ref))
            if progress is not None:
                progress(sum(block.programs for block, _ in blocks))
        return blocks


def compare(
    images: list[Image],
    config: SocConfig = CONFIG,
    lockstep: bool = True,
    coverage: collections.Counter[str] | None = None,
    rtl_defines: tuple[str, ...] = (),
    conditions: list[Conditions] | None = None,
    dma: collections.Counter[str] | None = None,
) -> Iterator[tuple[MachineState, MachineState, list[str]]]:
    """(iss state, rtl state, differences) per image, the trace's first divergence leading.

    `coverage` counts the retired instructions per mnemonic (lock-step only); `rtl_defines`
    selects a build of the RTL with these Verilog macros; `conditions` gives each image its
    cycle limit and DDR (default: MAX_CYCLES, a DDR that keeps up and never errs); `dma` counts
    the RTL's completed DMA "transfers", the "late" ones and those with "errors" among them.
    """
    runs_as = conditions or [Conditions(MAX_CYCLES)] * len(images)
    rtl_runs = rtl_sim.run_programs(
        images,
        [c.max_cycles for c in runs_as],
        config,
        traced=lockstep,
        ddr=[c.ddr for c in runs_as],
        defines=rtl_defines,
    )
    for image, run_as, rtl in zip(images, runs_as, rtl_runs, strict=True):
        if dma is not None:
            delays = [d for channel in rtl.dma_late for d in channel]
            dma.update(
                transfers=len(delays), late=sum(d > 0 for d in delays), errors=rtl.dma_errors
            )
        late = rtl.dma_late if run_as.ddr.stalls else None  # else the schedule, checked exactly
        args = (image, run_as.max_cycles, config)
        if not lockstep:
            ref = iss_sim.run(*args, ddr=run_as.ddr, dma_late=late)
            yield ref, rtl.state, diff_states(ref, rtl.state)
            continue
        ref, ref_trace = iss_sim.run_traced(*args, ddr=run_as.ddr, dma_late=late)
        if coverage is not None:
            coverage.update(commit.mnemonics(ref_trace))
        rtl_trace = cast(np.ndarray, rtl.trace)  # traced=lockstep: every run has one
        divergence = commit.first_divergence(ref_trace, rtl_trace)
        lines = commit.describe(divergence, ref_trace, rtl_trace) if divergence else []
        yield ref, rtl.state, lines + diff_states(ref, rtl.state)


def _account(summary, ref, rtl, diffs) -> None:
    summary.programs += 1
    summary.instructions += ref.instret
    summary.cycles += ref.cycles
    summary.exits[ref.exit] = summary.exits.get(ref.exit, 0) + 1
    if ref.cycles:
        summary.max_cycle_diff = max(
            summary.max_cycle_diff, abs(rtl.cycles - ref.cycles) / ref.cycles
        )
    if diffs:
        summary.mismatches += 1


def save(
    program: Program, run_as: Conditions, diffs: list[str], out_dir: Path, config: SocConfig
) -> Path:
    """Write a mismatching program for replay; returns the path of its .json record."""
    source = out_dir / f"{program.name}.s"
    data = out_dir / f"{program.name}.npz"
    record = out_dir / f"{program.name}.json"
    artefacts.write_text(source, program.source)
    with artefacts.atomic_path(data) as tmp, tmp.open("wb") as f:
        arrays: dict[str, Any] = program.data  # Any: **arrays must not look like savez's keywords
        np.savez(f, **arrays)
    artefacts.write_json(
        record,
        {
            "format": "snnsoc-difftest-case",
            "version": 1,
            "seed": program.seed,
            "index": program.index,
            "length": program.length,
            "source": source.name,
            "data": data.name,
            "config": dataclasses.asdict(config),
            "conditions": dataclasses.asdict(run_as),
            "differences (iss != rtl)": diffs[:50],
        },
    )
    return record


def replay(
    record: str | Path, lockstep: bool = True
) -> tuple[MachineState, MachineState, list[str]]:
    """Run a saved case again on both machines: (iss state, rtl state, differences)."""
    path = Path(record)
    try:
        case = json.loads(path.read_text())
        config = SocConfig(**case["config"])
        run_as = _conditions(case.get("conditions"))
        source = (path.parent / case["source"]).read_text()
        with np.load(path.parent / case["data"]) as arrays:
            data = {name: arrays[name] for name in arrays.files}
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise ConfigError(f"{path}: not a difftest case ({err})") from None
    if case.get("format") != "snnsoc-difftest-case" or case.get("version") != 1:
        raise ConfigError(f"{path}: format/version {case.get('format')}/{case.get('version')}")
    image = build_image(source, data, config, str(path.parent / case["source"]))
    return next(compare([image], config, lockstep, conditions=[run_as]))


def _conditions(record: dict | None) -> Conditions:
    """A saved case's conditions (cases saved before they existed ran without any)."""
    if record is None:
        return Conditions(MAX_CYCLES)
    ddr = record["ddr"]
    faults = tuple(DdrFault(**f) for f in ddr["faults"])
    model = DdrModel(ddr["stall_seed"], ddr["stall_probability"], faults)
    return Conditions(record["max_cycles"], model)


def _check_args(seed: int, programs: int, length: int, workers: int = 1) -> None:
    checks = (("seed", seed, 0), ("programs", programs, 1), ("length", length, 1))
    for name, value, low in (*checks, ("workers", workers, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ConfigError(f"{name}: expected an integer >= {low}, got {value!r}")
