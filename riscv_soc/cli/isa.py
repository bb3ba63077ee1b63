"""`snnsoc asm` and `snnsoc disasm`: the assembler and disassembler on the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from riscv_soc.cli import app
from riscv_soc.errors import ConfigError
from riscv_soc.image import MEMORIES, Image
from riscv_soc.image.elf import read_elf, write_elf
from riscv_soc.image.hexfile import write_bin, write_hex
from riscv_soc.isa.asm import assemble_file, parse
from riscv_soc.isa.disasm import disassemble_image

FORMATS = (".elf", ".hex", ".bin")


@app.command("asm")
def asm(
    source: Annotated[Path, typer.Argument(help="assembly source (.s)")],
    out: Annotated[
        Path, typer.Option("-o", "--out", help="output: .elf, or .hex/.bin (one per memory)")
    ],
    listing: Annotated[bool, typer.Option("--listing", help="also print the listing")] = False,
) -> None:
    """Assemble SOURCE into an ELF image, or into per-memory hex or bin files."""
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise ConfigError(f"-o {out}: unknown suffix {suffix!r}; expected one of {FORMATS}")
    image = assemble_file(source)
    for path in write_image(image, out):
        typer.echo(f"wrote {path}")
    if listing:
        typer.echo(parse(source.read_text(), str(source)).listing(), nl=False)


def write_image(image: Image, out: Path) -> list[Path]:
    """Write `image` in the format `out`'s suffix names; return the files written.

    .hex and .bin: `out` holds imem, and `<stem>.<memory><suffix>` beside it each other memory
    the image fills.
    """
    suffix = out.suffix.lower()
    if suffix == ".elf":
        write_elf(image, out)
        return [out]
    writer = write_hex if suffix == ".hex" else write_bin
    written = []
    for memory in MEMORIES:
        if memory != "imem" and not any(s.memory == memory and s.size for s in image.sections):
            continue
        path = out if memory == "imem" else out.with_name(f"{out.stem}.{memory}{suffix}")
        writer(image, memory, path)
        written.append(path)
    return written


@app.command("disasm")
def disasm(image: Annotated[Path, typer.Argument(help="firmware image (.elf)")]) -> None:
    """Disassemble the instruction memory of an ELF image."""
    typer.echo(disassemble_image(read_elf(image)), nl=False)
