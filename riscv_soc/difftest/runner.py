"""The differential test: generated programs on the ISS and on the RTL, in lock-step and at the end.

Where it sits: `generator.generate` -> `riscv_soc.isa.asm.assemble` -> `riscv_soc.iss.run_traced`
and `riscv_soc.rtl.run_many_traced` (one simulator process per chunk of programs) -> the commit
traces compared record by record (`riscv_soc.commit`: the first divergence, with the instructions
before it) and the whole end states by `diff_states`, cycles included. `lockstep=False` compares
end states only. Each mismatching program is saved for replay (`replay`) as `<name>.s` (its
source), `<name>.npz` (its initial memory data) and `<name>.json` (seed, index, length,
configuration, the differences). With `workers` > 1 (or a Ray `address`) the programs are split
into one contiguous block per worker, each run as a Ray task, and the blocks' summaries merged in
order: the result, saved cases included, is the serial run's.
"""

from __future__ import annotations

import collections
import dataclasses
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from riscv_soc import commit
from riscv_soc import iss as iss_sim
from riscv_soc import rtl as rtl_sim
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
    coverage: dict[str, int] = field(default_factory=dict)  # retired per mnemonic (lock-step)
    cycles: int = 0
    exits: dict[str, int] = field(default_factory=dict)
    max_cycle_diff: float = 0.0  # largest |rtl - iss| / iss over all programs
    saved: list[str] = field(default_factory=list)

    def line(self) -> str:
        mode = "lock-step and end state" if self.lockstep else "end state"
        return (
            f"difftest ({mode}): {self.cycles} cycles, exits {dict(sorted(self.exits.items()))}, "
            f"{self.generated} instructions generated; {self.programs} programs, "
            f"{self.instructions} instructions, {self.mismatches} mismatches"
        )

    def merge(self, other: Summary) -> None:
        """Add the counts of `other`, a block of programs run after this one's."""
        self.programs += other.programs
        self.generated += other.generated
        self.instructions += other.instructions
        self.mismatches += other.mismatches
        self.cycles += other.cycles
        coverage = collections.Counter(self.coverage) + collections.Counter(other.coverage)
        self.coverage = dict(sorted(coverage.items()))
        self.exits = dict(collections.Counter(self.exits) + collections.Counter(other.exits))
        self.max_cycle_diff = max(self.max_cycle_diff, other.max_cycle_diff)
        self.saved += other.saved


@dataclass(frozen=True)
class Failure:
    """A mismatching program and its differences, to be saved where the run was started."""

    program: Program
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
) -> Summary:
    """Generate `programs` programs of about `length` instructions from `seed`, run and compare.

    `progress(n)` is called after each chunk (each block with Ray) with the number of programs
    done. `workers` > 1 or an `address` (of a Ray cluster) shards the programs over Ray tasks.
    """
    _check_args(seed, programs, length, workers)
    if workers == 1 and not address:
        blocks = [_run_block(seed, 0, programs, length, config, lockstep, progress)]
    else:
        blocks = _run_ray(seed, programs, length, config, lockstep, workers, address, progress)
    summary = Summary(lockstep=lockstep)
    for block, failures in blocks:
        for failure in failures:
            path = save(failure.program, failure.diffs, Path(out_dir), config)
            block.saved.append(str(path))
        summary.merge(block)
    return summary


def _run_block(
    seed: int,
    start: int,
    stop: int,
    length: int,
    config: SocConfig,
    lockstep: bool,
    progress: Callable[[int], None] | None = None,
) -> tuple[Summary, list[Failure]]:
    """Programs start..stop-1 of `seed`: their summary (nothing saved yet) and mismatches."""
    summary = Summary(lockstep=lockstep)
    failures: list[Failure] = []
    coverage: collections.Counter[str] = collections.Counter()
    for first in range(start, stop, CHUNK):
        batch = [generate(seed, i, length, config) for i in range(first, min(stop, first + CHUNK))]
        images = [p.image(config) for p in batch]
        for program, image, (ref, rtl, diffs) in zip(
            batch, images, compare(images, config, lockstep, coverage), strict=True
        ):
            summary.generated += sum(len(s.data) for s in image.sections if s.memory == "imem") // 4
            _account(summary, ref, rtl, diffs)
            if diffs:
                failures.append(Failure(program, diffs))
        if progress is not None:
            progress(summary.programs)
    summary.coverage = dict(sorted(coverage.items()))
    return summary, failures


def _run_ray(seed, programs, length, config, lockstep, workers, address, progress):
    """One contiguous block of programs per worker, as Ray tasks; the blocks in program order."""
    with ray_session(workers, address) as ray:
        task = ray.remote(num_cpus=1)(_run_block)
        size = -(-programs // workers)
        bounds = [(a, min(programs, a + size)) for a in range(0, programs, size)]
        pending = [task.remote(seed, a, b, length, config, lockstep) for a, b in bounds]
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
) -> Iterator[tuple[MachineState, MachineState, list[str]]]:
    """(iss state, rtl state, differences) per image, the trace's first divergence leading.

    `coverage` counts the retired instructions per mnemonic (lock-step only); `rtl_defines`
    selects a build of the RTL with these Verilog macros.
    """
    if not lockstep:
        rtl_states = rtl_sim.run_many(images, MAX_CYCLES, config, defines=rtl_defines)
        for image, rtl in zip(images, rtl_states, strict=True):
            ref = iss_sim.run(image, MAX_CYCLES, config)
            yield ref, rtl, diff_states(ref, rtl)
        return
    for image, (rtl, rtl_trace) in zip(
        images,
        rtl_sim.run_many_traced(images, MAX_CYCLES, config, defines=rtl_defines),
        strict=True,
    ):
        ref, ref_trace = iss_sim.run_traced(image, MAX_CYCLES, config)
        if coverage is not None:
            coverage.update(commit.mnemonics(ref_trace))
        divergence = commit.first_divergence(ref_trace, rtl_trace)
        lines = commit.describe(divergence, ref_trace, rtl_trace) if divergence else []
        yield ref, rtl, lines + diff_states(ref, rtl)


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


def save(program: Program, diffs: list[str], out_dir: Path, config: SocConfig) -> Path:
    """Write a mismatching program for replay; returns the path of its .json record."""
    source = out_dir / f"{program.name}.s"
    data = out_dir / f"{program.name}.npz"
    record = out_dir / f"{program.name}.json"
    artefacts.write_text(source, program.source)
    with artefacts.atomic_path(data) as tmp, tmp.open("wb") as f:
        np.savez(f, **program.data)
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
        source = (path.parent / case["source"]).read_text()
        with np.load(path.parent / case["data"]) as arrays:
            data = {name: arrays[name] for name in arrays.files}
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise ConfigError(f"{path}: not a difftest case ({err})") from None
    if case.get("format") != "snnsoc-difftest-case" or case.get("version") != 1:
        raise ConfigError(f"{path}: format/version {case.get('format')}/{case.get('version')}")
    image = build_image(source, data, config, str(path.parent / case["source"]))
    return next(compare([image], config, lockstep))


def _check_args(seed: int, programs: int, length: int, workers: int = 1) -> None:
    checks = (("seed", seed, 0), ("programs", programs, 1), ("length", length, 1))
    for name, value, low in (*checks, ("workers", workers, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ConfigError(f"{name}: expected an integer >= {low}, got {value!r}")
