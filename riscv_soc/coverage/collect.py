"""Run the RTL regression on the coverage build: code coverage data files and functional bins.

Where it sits: `collect(data_dir, plan)` switches coverage on (`simbuild.COVERAGE_ENV`), builds the
coverage variant of the SoC (timed), runs the directed programs (`directed`: one per
instruction, trap rule and DMA case, each on its DDR) and a difftest regression
(`riscv_soc.difftest.generate`) once per DDR mode of the plan (a DDR that keeps up, one that
stalls on every AXI channel, one that answers SLVERR/DECERR on random ranges: the difftest's
`--ddr-stalls` / `--ddr-errors` conditions) through `riscv_soc.rtl.run_programs`, and feeds every
RTL commit trace and end state to the functional `Sampler`. Each simulator process leaves one data
file in `data_dir`; `codecov.merge` reads them.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from riscv_soc import rtl
from riscv_soc.coverage import directed
from riscv_soc.coverage.functional import Sampler
from riscv_soc.ddr import DdrModel
from riscv_soc.difftest import CONFIG, generate
from riscv_soc.difftest.conditions import ddr_of
from riscv_soc.errors import ConfigError
from riscv_soc.image import Image
from riscv_soc.isa.asm import assemble
from riscv_soc.rtl import simbuild

MAX_CYCLES = 1_000_000
CHUNK = 50  # difftest programs per simulator process (progress is reported per chunk)
# The difftest's DDR conditions: (stalls, error responses) per mode.
DDR_MODES = {
    "plain": (False, False),
    "stalls": (True, False),
    "errors": (False, True),
    "stalls+errors": (True, True),
}


@dataclass(frozen=True)
class Plan:
    """What to run: directed programs (names, or all when None), the difftest's size, and the DDR
    modes the difftest programs each run under (`DDR_MODES`)."""

    directed: tuple[str, ...] | None = None
    seed: int = 2024
    programs: int = 200
    length: int = 500
    ddr: tuple[str, ...] = ("plain", "stalls", "errors")

    def __post_init__(self) -> None:
        for name in ("seed", "programs", "length"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ConfigError(f"{name}: expected an integer >= 0, got {value!r}")
        unknown = [mode for mode in self.ddr if mode not in DDR_MODES]
        if unknown or not self.ddr:
            raise ConfigError(f"ddr: expected modes among {list(DDR_MODES)}, got {self.ddr!r}")


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
    """The directed programs (`riscv_soc.coverage.directed`), all or the ones named."""
    programs = directed.all_programs()
    if names is None:
        return programs
    unknown = sorted(set(names) - set(programs))
    if unknown:
        raise ConfigError(
            f"directed: unknown programs {unknown[:5]}; see riscv_soc/coverage/directed.py"
        )
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
        models = [directed.ddr_model(name) for name in sources]
        _timed(result, "directed", lambda: _run(result.sampler, images, models))
        result.runs["directed"] = len(images)
        say(f"directed programs: {len(images)} run")
        for mode in plan.ddr:
            key = f"difftest/{mode}"
            _timed(result, key, partial(_difftest, result.sampler, plan, mode, say))
            result.runs[key] = plan.programs
    return result


def _timed(result: Collection, name: str, work: Callable[[], None]) -> None:
    start = time.perf_counter()
    work()
    result.seconds[name] = time.perf_counter() - start


def _difftest(sampler: Sampler, plan: Plan, mode: str, say: Callable[[str], None]) -> None:
    """The regression's programs on the DDR of `mode`, each with the difftest's draw of it."""
    stalls, errors = DDR_MODES[mode]
    for first in range(0, plan.programs, CHUNK):
        last = min(plan.programs, first + CHUNK)
        indices = range(first, last)
        images = [generate(plan.seed, i, plan.length, CONFIG).image(CONFIG) for i in indices]
        models = [ddr_of(plan.seed, i, stalls, errors) for i in indices]
        _run(sampler, images, models)
        say(f"difftest programs ({mode} DDR): {last}/{plan.programs}")


def _run(sampler: Sampler, images: list[Image], models: list[DdrModel]) -> None:
    """One simulator process over `images`, each on its DDR; every RTL trace and end state
    sampled."""
    if not images:
        return
    runs = rtl.run_programs(images, MAX_CYCLES, CONFIG, memories=(), traced=True, ddr=models)
    for image, run in zip(images, runs, strict=True):
        assert run.trace is not None  # traced=True
        sampler.add(run.trace, run.state, image.memory_arrays(CONFIG)["imem"].view("<u4"))
