"""The firmware image: everything a run needs, in one object the ISS and the RTL testbench share.

An image is a list of sections, each placed at an offset within one of the SoC's memories, plus an
entry point and a symbol table. It is written and read as ELF32 RISC-V (`riscv_soc.image.elf`),
with per-memory `$readmemh` hex and raw bin views; docs/image.md describes the format.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from riscv_soc.errors import ImageError
from riscv_soc.soc import DEFAULT, SocConfig

MEMORIES = ("imem", "dmem", "vmem", "llm", "ddr")
# Section names decide the memory (a name matches its prefix or prefix + ".anything").
SECTION_MEMORIES: tuple[tuple[str, str], ...] = (
    (".text", "imem"),
    (".data", "dmem"),
    (".rodata", "dmem"),
    (".sdata", "dmem"),
    (".srodata", "dmem"),
    (".bss", "dmem"),
    (".sbss", "dmem"),
    (".uram", "vmem"),
    (".vmem", "vmem"),
    (".llm", "llm"),
    (".ddr", "ddr"),
)
NOBITS_SECTIONS = (".bss", ".sbss")  # zero-filled: no bytes in the image


@dataclass(frozen=True)
class Section:
    """Bytes placed at `address` (an offset within `memory`); `size` > len(data) zero-fills."""

    name: str
    memory: str
    address: int
    data: bytes
    size: int = -1  # -1: len(data)

    def __post_init__(self) -> None:
        if self.memory not in MEMORIES:
            raise ImageError(
                f"section {self.name}: unknown memory {self.memory!r}; known: {MEMORIES}"
            )
        if self.size == -1:
            object.__setattr__(self, "size", len(self.data))
        if self.size < len(self.data):
            raise ImageError(f"section {self.name}: size {self.size} < {len(self.data)} data bytes")

    @property
    def end(self) -> int:
        return self.address + self.size


def _matches(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def memory_of_section(name: str) -> str | None:
    """The memory a section of this name goes to, or None for an unknown name."""
    return next((mem for prefix, mem in SECTION_MEMORIES if _matches(name, prefix)), None)


def is_nobits_section(name: str) -> bool:
    return any(_matches(name, prefix) for prefix in NOBITS_SECTIONS)


@dataclass(frozen=True)
class Symbol:
    name: str
    memory: str
    address: int


@dataclass
class Image:
    """A loadable firmware image."""

    sections: list[Section] = field(default_factory=list)
    entry: int = 0
    symbols: dict[str, Symbol] = field(default_factory=dict)
    source: str = "<image>"  # file it came from, for error messages

    def check(self, config: SocConfig = DEFAULT) -> None:
        """Raise ImageError if a section does not fit its memory or two sections overlap."""
        sizes = {name: mem.size for name, mem in config.memories().items()}
        for sec in self.sections:
            if sec.address < 0 or sec.end > sizes[sec.memory]:
                raise ImageError(
                    f"{self.source}: section {sec.name} needs {sec.memory} bytes "
                    f"{sec.address:#x}..{sec.end:#x}, but {sec.memory} holds {sizes[sec.memory]:#x}"
                )
        for memory in MEMORIES:
            placed = sorted(
                (s for s in self.sections if s.memory == memory and s.size), key=lambda s: s.address
            )
            for a, b in zip(placed, placed[1:], strict=False):
                if b.address < a.end:
                    raise ImageError(
                        f"{self.source}: sections {a.name} and {b.name} overlap in {memory} at "
                        f"{b.address:#x}"
                    )
        if self.entry % 4 or not 0 <= self.entry < sizes["imem"]:
            raise ImageError(f"{self.source}: entry point {self.entry:#x} is not a word in imem")

    def memory_arrays(self, config: SocConfig = DEFAULT) -> dict[str, np.ndarray]:
        """Fresh zeroed uint8 arrays for every memory, with the sections loaded."""
        self.check(config)
        arrays = {name: np.zeros(mem.size, np.uint8) for name, mem in config.memories().items()}
        for sec in self.sections:
            if sec.data:
                arrays[sec.memory][sec.address : sec.address + len(sec.data)] = np.frombuffer(
                    sec.data, np.uint8
                )
        return arrays

    def extent(self, memory: str) -> int:
        """One past the highest byte any section places in `memory` (0 if none)."""
        return max((s.end for s in self.sections if s.memory == memory), default=0)
