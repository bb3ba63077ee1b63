"""The firmware compiler: a quantised bundle in, a loadable firmware image out.

Where it sits: riscv_soc.quant (the bundle) -> here -> riscv_soc.firmware.export (ELF, hex,
manifest) -> riscv_soc.runtime (runs it on the ISS or the RTL, results in the core's schema).

    compiled = compile_bundle(bundle)                   # CompileOptions, SocConfig optional
    compiled.image, compiled.plan.report(), compiled.listing()

Steps: placement (placement.py: a memory and an address for every array, or CompileError),
the start-up and counter snapshots of the target (start.py, targets.py), the runtime's assembly
helpers (firmware/runtime/*.s) through our assembler, then the generated kernels through the
builder API (program.py: time loop and synaptic phases, scan.py, rows.py, neurons.py; registers
from regalloc.py), and the data sections (sections.py).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from riscv_soc.compiler.batch import BatchLayout, emit_batch_start, plan_batch
from riscv_soc.compiler.emitter import Emitter
from riscv_soc.compiler.errors import CompileError
from riscv_soc.compiler.placement import DONE, CompileOptions, Plan, plan
from riscv_soc.compiler.program import emit_program
from riscv_soc.compiler.sections import data_sections, region_symbols
from riscv_soc.compiler.start import emit_counters_snapshot, emit_start
from riscv_soc.errors import ConfigError
from riscv_soc.image import Image
from riscv_soc.isa.asm import parse
from riscv_soc.isa.builder import Builder
from riscv_soc.quant.bundle import Bundle
from riscv_soc.soc import DEFAULT, SocConfig

__all__ = ["CompileError", "CompileOptions", "Compiled", "compile_bundle"]

RUNTIME_DIR = Path(__file__).resolve().parents[2] / "firmware" / "runtime"
RUNTIME_SOURCES = ("dma.s", "memory.s")  # after _start (at 0) and counters_snapshot


@dataclass
class Compiled:
    """A compiled network: its placement, image and code statistics."""

    bundle: Bundle
    plan: Plan
    image: Image
    code_bytes: int
    load_use_nops: int  # nops the emitter had to insert (0 in every kernel we generate)
    _builder: Builder
    batch: BatchLayout | None = None  # CompileOptions.batch: where the samples live in DDR

    def listing(self) -> str:
        """Every instruction with its address, encoding, and source or generator line."""
        return self._builder.listing()


def compile_bundle(
    bundle: Bundle, options: CompileOptions | None = None, config: SocConfig = DEFAULT
) -> Compiled:
    """Compile `bundle` for the SoC `config`. Raises CompileError when it does not fit.

    Code that overflows instruction memory with a bit-loop copy per spike word (scan.py) is
    rebuilt with one shared loop per scan; the plan's options then say inline_scan_bytes=0.
    """
    if not isinstance(bundle, Bundle):
        raise ConfigError(f"bundle: expected a riscv_soc Bundle, got {type(bundle).__name__}")
    bundle.check()
    placed = plan(bundle, options or CompileOptions(), config)
    layout = plan_batch(placed) if placed.options.batch else None
    builder, nops = _build(placed, layout)
    if builder.here() > config.imem_bytes and placed.options.inline_scan_bytes:
        # one shared bit loop per scan instead of a copy per spike word: smaller, a little slower
        placed.options = replace(placed.options, inline_scan_bytes=0)
        builder, nops = _build(placed, layout)
    code_bytes = builder.here()
    if code_bytes > config.imem_bytes:
        raise CompileError(
            f"imem: the code needs {code_bytes} bytes, {config.imem_bytes} available "
            "(lower unroll_vectors, unroll_row_vectors or unroll_words for smaller code)"
        )
    image = builder.build()
    image.sections += data_sections(placed)
    image.symbols.update(region_symbols(placed))
    image.check(config)
    return Compiled(bundle, placed, image, code_bytes, nops, builder, layout)


def _build(placed: Plan, layout: BatchLayout | None) -> tuple[Builder, int]:
    """The code: the runtime's sources and the generated kernels, in a builder (the image is built
    once the code is known to fit); and the nops the emitter inserted."""
    builder = Builder(placed.config, source="compiled network")
    _define_symbols(builder, placed)
    emitter = Emitter(builder)
    builder.section(".text")
    if layout is None:
        emit_start(emitter, placed)
    else:
        emit_batch_start(emitter, placed, layout)
    emit_counters_snapshot(emitter, placed)
    for name in RUNTIME_SOURCES:
        path = RUNTIME_DIR / name
        parse(path.read_text(), str(path), builder)
    builder.section(".text")
    emit_program(emitter, placed)
    return builder, emitter.nops


def _define_symbols(builder: Builder, placed: Plan) -> None:
    counters = placed.region("counters").address
    builder.equ("MAILBOX", placed.region("mailbox").address)
    builder.equ("DONE", DONE)
    builder.equ("SEEDS", placed.region("seeds").address)
    builder.equ("COUNTERS_START", counters)
    builder.equ("COUNTERS_END", counters + 4 * len(placed.target.counters))
