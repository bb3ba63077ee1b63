"""The differential test: generated programs on the ISS and on the RTL, whole states compared.

Where it sits: `generator.generate` -> `riscv_soc.isa.asm.assemble` -> `riscv_soc.iss.run` and
`riscv_soc.rtl.run_many` (one simulator process per chunk of programs) -> `diff_states`, cycles
included. Each mismatching program is saved for replay (`replay`) as `<name>.s` (its source),
`<name>.npz` (its initial memory data) and `<name>.json` (seed, index, length, configuration, the
differences).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from riscv_soc import artefacts
from riscv_soc import iss as iss_sim
from riscv_soc import rtl as rtl_sim
from riscv_soc.difftest.generator import Program, build_image, generate
from riscv_soc.errors import ConfigError
from riscv_soc.machine import MachineState, diff_states
from riscv_soc.soc import SocConfig

# A small DDR keeps every state's copy of it cheap; other memories keep FeNN-DMA's sizes.
CONFIG = SocConfig(ddr_bytes=1 << 20)
MAX_CYCLES = 1_000_000  # far above what a program of the generator's lengths can take
CHUNK = 250  # programs per simulator process


@dataclass
class Summary:
    """Outcome of a difftest run."""

    programs: int = 0
    instructions: int = 0  # retired on the ISS, all programs together
    mismatches: int = 0
    cycles: int = 0
    exits: dict[str, int] = field(default_factory=dict)
    max_cycle_diff: float = 0.0  # largest |rtl - iss| / iss over all programs
    saved: list[str] = field(default_factory=list)

    def line(self) -> str:
        return (
            f"difftest: {self.cycles} cycles, exits {dict(sorted(self.exits.items()))}; "
            f"{self.programs} programs, {self.instructions} instructions, "
            f"{self.mismatches} mismatches"
        )


def run(
    seed: int,
    programs: int,
    length: int,
    out_dir: str | Path = "difftest_failures",
    config: SocConfig = CONFIG,
    progress: Callable[[int], None] | None = None,
) -> Summary:
    """Generate `programs` programs of about `length` instructions from `seed`, run and compare.

    `progress(n)` is called after each chunk with the number of programs done.
    """
    _check_args(seed, programs, length)
    summary = Summary()
    for start in range(0, programs, CHUNK):
        batch = [
            generate(seed, i, length, config) for i in range(start, min(programs, start + CHUNK))
        ]
        images = [p.image(config) for p in batch]
        rtl_states = rtl_sim.run_many(images, MAX_CYCLES, config)
        for program, image, rtl in zip(batch, images, rtl_states, strict=True):
            ref = iss_sim.run(image, MAX_CYCLES, config)
            _account(summary, program, ref, rtl, Path(out_dir), config)
        if progress is not None:
            progress(summary.programs)
    return summary


def _account(summary, program, ref, rtl, out_dir, config) -> None:
    summary.programs += 1
    summary.instructions += ref.instret
    summary.cycles += ref.cycles
    summary.exits[ref.exit] = summary.exits.get(ref.exit, 0) + 1
    if ref.cycles:
        summary.max_cycle_diff = max(
            summary.max_cycle_diff, abs(rtl.cycles - ref.cycles) / ref.cycles
        )
    diffs = diff_states(ref, rtl)
    if diffs:
        summary.mismatches += 1
        summary.saved.append(str(save(program, diffs, out_dir, config)))


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


def replay(record: str | Path) -> tuple[MachineState, MachineState, list[str]]:
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
    ref = iss_sim.run(image, MAX_CYCLES, config)
    rtl = rtl_sim.run(image, MAX_CYCLES, config)
    return ref, rtl, diff_states(ref, rtl)


def _check_args(seed: int, programs: int, length: int) -> None:
    for name, value, low in (("seed", seed, 0), ("programs", programs, 1), ("length", length, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ConfigError(f"{name}: expected an integer >= {low}, got {value!r}")
