"""`snnsoc compile BUNDLE -o FWDIR`: a quantised bundle to firmware files (ELF, hex, manifest)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from riscv_soc.cli import app


@app.command("compile")
def compile_command(
    bundle_path: Annotated[Path, typer.Argument(help="quantised bundle (.npz)")],
    out: Annotated[Path, typer.Option("-o", "--out", help="firmware directory to write")],
    weights: Annotated[
        str, typer.Option("--weights", help="rows in vmem, in ddr (DMA), or auto: as they fit")
    ] = "auto",
    accumulators: Annotated[
        str, typer.Option("--accumulators", help="auto, registers or memory")
    ] = "auto",
    unroll_vectors: Annotated[
        int, typer.Option("--unroll-vectors", help="larger populations update in a loop")
    ] = 32,
    unroll_row_vectors: Annotated[
        int, typer.Option("--unroll-row-vectors", help="longer rows loop over chunks")
    ] = 64,
    unroll_words: Annotated[
        int, typer.Option("--unroll-words", help="larger spike sources are scanned in a loop")
    ] = 64,
    profile: Annotated[
        bool, typer.Option("--profile", help="count cycles per population and phase")
    ] = False,
    record: Annotated[
        str | None,
        typer.Option(
            "--record",
            help="populations whose spikes are recorded, comma-separated, "
            "or 'none' [every spiking one]",
        ),
    ] = None,
    ddr_mib: Annotated[
        int | None, typer.Option("--ddr-mib", help="DDR size of the target SoC [256]")
    ] = None,
    target: Annotated[
        str,
        typer.Option(
            "--target",
            help="sim: our ISS and RTL; board: FeNN-DMA hardware under FeNN's runtime "
            "(runs on the ISS and RTL too)",
        ),
    ] = "sim",
) -> None:
    """Compile BUNDLE for the FeNN-DMA SoC and write FWDIR (docs/compiler.md)."""
    from riscv_soc.compiler import CompileOptions, compile_bundle
    from riscv_soc.errors import ConfigError
    from riscv_soc.firmware.export import export_firmware, firmware_of
    from riscv_soc.quant import load_bundle
    from riscv_soc.soc import DEFAULT, SocConfig

    config = DEFAULT
    if ddr_mib is not None:
        if not 1 <= ddr_mib <= 4096 or ddr_mib & (ddr_mib - 1):
            raise ConfigError(f"--ddr-mib {ddr_mib}: want a power of two in [1, 4096]")
        config = SocConfig(ddr_bytes=ddr_mib << 20)
    options = CompileOptions(
        weights=weights,
        accumulators=accumulators,
        unroll_vectors=unroll_vectors,
        unroll_row_vectors=unroll_row_vectors,
        unroll_words=unroll_words,
        profile=profile,
        record=_names(record),
        target=target,
    )
    compiled = compile_bundle(load_bundle(bundle_path), options, config)
    files = export_firmware(firmware_of(compiled), out)
    typer.echo(
        f"wrote {out}: {len(files)} files, code {compiled.code_bytes} bytes, target {target}"
    )
    for memory, use in compiled.plan.report().items():
        unit = " per lane" if memory == "llm" else ""
        typer.echo(
            f"  {memory}: {use['used']} of {use['bytes']} bytes{unit}"
            f" ({len(use['regions'])} regions)"
        )


def _names(record: str | None) -> tuple[str, ...] | None:
    """--record: None (every spiking population), 'none', or comma-separated names."""
    if record is None:
        return None
    if record.strip() == "none":
        return ()
    return tuple(name.strip() for name in record.split(",") if name.strip())
