"""Firmware export: a compiled network written as a directory a user can keep and run.

Where it sits: riscv_soc.compiler (a `Compiled` network) -> `firmware_of` -> `Firmware` (image,
manifest, bundle) -> `export_firmware(fw, FWDIR)` -> files; `load_firmware(FWDIR)` reads them
back for riscv_soc.runtime. `snnsoc compile BUNDLE -o FWDIR` is this module.

FWDIR holds `firmware.elf`, `firmware.<memory>.hex` ($readmemh) and `firmware.<memory>.bin` for
every memory the image fills, `firmware.lst` (the listing), `manifest.json` (manifest.py) and
`bundle.npz` (the network, so FWDIR runs on the core backend too). Every file is written atomically.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from riscv_soc.errors import ImageError
from riscv_soc.firmware.manifest import build_manifest, bundle_digest, check_manifest, config_of
from riscv_soc.image import Image
from riscv_soc.image.elf import read_elf, write_elf
from riscv_soc.image.hexfile import write_bin, write_hex
from riscv_soc.quant.bundle import Bundle, load_bundle, save_bundle
from riscv_soc.soc import SocConfig
from snnsoc_common.artefacts import write_json, write_text

ELF, LISTING, MANIFEST, BUNDLE = "firmware.elf", "firmware.lst", "manifest.json", "bundle.npz"


@dataclass
class Firmware:
    """What a run needs: the image, where its inputs and outputs are, and the network."""

    image: Image
    manifest: dict
    bundle: Bundle
    config: SocConfig
    listing: str = ""


def firmware_of(compiled) -> Firmware:
    """The Firmware of a `riscv_soc.compiler.Compiled` network (nothing written)."""
    manifest = build_manifest(compiled.plan, compiled.image.entry, compiled.code_bytes)
    manifest["image"]["load_use_nops"] = compiled.load_use_nops
    if compiled.batch is not None:
        manifest["batch"] = compiled.batch.to_json()
    return Firmware(
        compiled.image, manifest, compiled.bundle, compiled.plan.config, compiled.listing()
    )


def export_firmware(firmware: Firmware, fwdir: str | os.PathLike) -> list[Path]:
    """Write `firmware` into directory `fwdir` (created); returns the files written."""
    fwdir = Path(fwdir)
    if fwdir.exists() and not fwdir.is_dir():
        raise ImageError(f"{fwdir}: exists and is not a directory")
    fwdir.mkdir(parents=True, exist_ok=True)
    image, config = firmware.image, firmware.config
    written = [fwdir / ELF]
    write_elf(image, written[0], config)
    files: dict[str, Any] = {"elf": ELF, "hex": {}, "bin": {}, "listing": LISTING, "bundle": BUNDLE}
    for memory in sorted({s.memory for s in image.sections if s.size}):
        for kind, writer in (("hex", write_hex), ("bin", write_bin)):
            name = f"firmware.{memory}.{kind}"
            writer(image, memory, fwdir / name, config)
            files[kind][memory] = name
            written.append(fwdir / name)
    write_text(fwdir / LISTING, firmware.listing)
    save_bundle(firmware.bundle, fwdir / BUNDLE)
    manifest = dict(firmware.manifest)
    manifest["image"] = {**manifest["image"], "files": files}
    write_json(fwdir / MANIFEST, manifest)
    return [*written, fwdir / LISTING, fwdir / BUNDLE, fwdir / MANIFEST]


def load_firmware(fwdir: str | os.PathLike) -> Firmware:
    """Read an exported firmware directory. ImageError names the file and what is wrong."""
    fwdir = Path(fwdir)
    path = fwdir / MANIFEST
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError:
        raise ImageError(
            f"{path}: no manifest; is {fwdir} a firmware directory "
            "(snnsoc compile BUNDLE -o FWDIR)?"
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ImageError(f"{path}: not a readable manifest: {err}") from None
    check_manifest(manifest, str(path))
    config = config_of(manifest)
    image = read_elf(fwdir / manifest["image"].get("files", {}).get("elf", ELF), config)
    bundle = load_bundle(fwdir / BUNDLE)
    if bundle_digest(bundle) != manifest["bundle"]["sha256"]:
        raise ImageError(
            f"{fwdir / BUNDLE}: its sha256 does not match manifest.json's "
            f"bundle.sha256 {manifest['bundle']['sha256'][:12]}..."
        )
    listing = (fwdir / LISTING).read_text() if (fwdir / LISTING).is_file() else ""
    return Firmware(image, manifest, bundle, config, listing)
