"""Run the RTL regression on the coverage build: code coverage data files and functional bins.

Where it sits: `collect(data_dir, plan)` switches coverage on (`simbuild.COVERAGE_ENV`), builds the
coverage variant of the SoC (timed), runs the directed programs of the RTL tests
(tests/hdl/directed.py: one per instruction, trap rule and DMA case) and a difftest regression
(`riscv_soc.difftest.generate`) through `riscv_soc.rtl.run_many_traced`, and feeds every RTL
commit trace and end state to the functional `Sampler`. Each simulator process leaves one data
file in `data_dir`; `codecov.merge` reads them.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from riscv_soc import rtl
from riscv_soc.coverage.functional import Sampler
from riscv_soc.difftest import CONFIG, generate
from riscv_soc.errors import ConfigError
from riscv_soc.image import Image
from riscv_soc.isa.asm import assemble
from riscv_soc.rtl import simbuild

TESTS = simbuild.ROOT / "tests"
MAX_CYCLES = 1_000_000
CHUNK = 50  # difftest programs per simulator process (progress is reported per chunk)


@dataclass(frozen=True)
class Plan:
    """What to run: directed programs (names, or all when None) and the difftest's size."""

    directed: tuple[str, ...] | None = None
    seed: int = 2024
    programs: int = 200
    length: int = 500

    def __post_init__(self) -> None:
        for name in ("seed", "programs", "length"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ConfigError(f"{name}: expected an integer >= 0, got {value!r}")


QUICK = Plan(programs=20, length=300)
FULL = Plan()


@dataclass
class Collection:
    """What a collection run produced."""

    data_dir: Path
    sampler: Sampler = field(default_factory=Sampler)
    seconds: dict[str, float] = field(default_factory=dict)  # build, directed, difftest
    runs: dict[str, int] = field(default_factory=dict)  # programs per source


@contextlib.contextmanager
def coverage_on(data_dir: Path) -> Iterator[None]:
    """Builds and runs inside count coverage into `data_dir` (the environment restored after)."""
    before = os.environ.get(simbuild.COVERAGE_ENV)
    os.environ[simbuild.COVERAGE_ENV] = str(Path(data_dir).resolve())
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(simbuild.COVERAGE_ENV, None)
        else:
            os.environ[simbuild.COVERAGE_ENV] = before


def directed_programs(names: tuple[str, ...] | None) -> dict[str, str]:
    """The RTL tests' directed programs (tests/hdl/directed.py), all or the ones named."""
    if not (TESTS / "hdl" / "directed.py").is_file():
        raise ConfigError(f"{TESTS}/hdl/directed.py: not found (coverage runs from a checkout)")
    if str(TESTS) not in sys.path:
        sys.path.insert(0, str(TESTS))
    programs = importlib.import_module("hdl.directed").all_programs()
    if names is None:
        return programs
    unknown = sorted(set(names) - set(programs))
    if unknown:
        raise ConfigError(f"directed: unknown programs {unknown[:5]}; see tests/hdl/directed.py")
    return {name: programs[name] for name in names}


def collect(
    data_dir: Path, plan: Plan = FULL, progress: Callable[[str], None] | None = None
) -> Collection:
    """Build the coverage variant and run `plan` on it; data files land in `data_dir`."""
    say = progress or (lambda _text: None)
    result = Collection(Path(data_dir))
    Path(data_dir).mkdir(parents=True, exist_ok=True)
    with coverage_on(Path(data_dir)):
        start = time.perf_counter()
        simbuild.build(CONFIG)
        result.seconds["build"] = time.perf_counter() - start
        say(f"coverage build ready ({result.seconds['build']:.0f} s)")
        sources = directed_programs(plan.directed)
        images = [assemble(text, name, CONFIG) for name, text in sources.items()]
        _timed(result, "directed", lambda: _run(result.sampler, images))
        result.runs["directed"] = len(images)
        say(f"directed programs: {len(images)} run")
        _timed(result, "difftest", lambda: _difftest(result.sampler, plan, say))
        result.runs["difftest"] = plan.programs
    return result


def _timed(result: Collection, name: str, work: Callable[[], None]) -> None:
    start = time.perf_counter()
    work()
    result.seconds[name] = time.perf_counter() - start


def _difftest(sampler: Sampler, plan: Plan, say: Callable[[str], None]) -> None:
    for first in range(0, plan.programs, CHUNK):
        last = min(plan.programs, first + CHUNK)
        programs = [generate(plan.seed, i, plan.length, CONFIG) for i in range(first, last)]
        _run(sampler, [p.image(CONFIG) for p in programs])
        say(f"difftest programs: {last}/{plan.programs}")


def _run(sampler: Sampler, images: list[Image]) -> None:
    """One simulator process over `images`; every RTL trace and end state sampled."""
    if not images:
        return
    runs = rtl.run_many_traced(images, MAX_CYCLES, CONFIG, memories=())
    for image, (state, trace) in zip(images, runs, strict=True):
        sampler.add(trace, state, image.memory_arrays(CONFIG)["imem"].view("<u4"))
