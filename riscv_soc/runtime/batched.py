"""Batched runs: many samples per run of the SoC, their inputs and outputs in DDR.

Where it sits: `riscv_soc.runtime.run(..., batch=N)` hands its samples here. The firmware is
compiled again with `CompileOptions(batch=True)` (riscv_soc.compiler.batch: the same kernels at
the same data addresses, a `_start` that loops over the samples in DDR); each batch of at most N
samples becomes one patch list (the samples' seeds and input rasters in their DDR slots, N in the
control word) that a backend (backends.py) runs as one program: the ISS once per batch, the RTL
every batch in one simulator process. Each sample's output record holds the memory spans a
per-sample run copies (io.SampleIO), so the per-sample decoding reads them unchanged.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from riscv_soc.compiler import CompileOptions, compile_bundle
from riscv_soc.compiler.batch import SEEDS_BYTES, BatchLayout
from riscv_soc.errors import ImageError
from riscv_soc.firmware.export import Firmware, firmware_of
from riscv_soc.runtime.io import Patch, SampleIO


def batch_firmware(firmware: Firmware) -> Firmware:
    """`firmware`'s network compiled for batched runs with the options it was compiled with."""
    options = dict(firmware.manifest["options"])
    if options.get("record") is not None:
        options["record"] = tuple(options["record"])
    compiled = compile_bundle(
        firmware.bundle, replace(CompileOptions(**options), batch=True), firmware.config
    )
    return firmware_of(compiled)


def layout_of(firmware: Firmware, io: SampleIO) -> BatchLayout:
    """The batch layout of a batch firmware, checked against the spans a per-sample run reads."""
    layout = BatchLayout.from_json(firmware.manifest["batch"])
    spans = [(s.memory, s.start, s.end) for s in layout.spans]
    if spans != [tuple(s) for s in io.spans]:
        raise ImageError(
            f"manifest batch.spans {spans} differ from the output spans of io "
            f"{io.spans}: the firmware's manifest is inconsistent"
        )
    return layout


def batch_patches(layout: BatchLayout, in_words: np.ndarray, seeds: np.ndarray) -> list[Patch]:
    """One batch's writes: every sample's slot (seeds, raster) and the sample count.

    in_words: uint32 [S, T, words per step]; seeds: uint16 [S, 2, 32].
    """
    samples = len(in_words)
    layout.check(samples)
    slots = np.zeros((samples, layout.slot_bytes), np.uint8)
    slots[:, :SEEDS_BYTES] = np.ascontiguousarray(seeds, "<u2").view(np.uint8).reshape(samples, -1)
    raster = np.ascontiguousarray(in_words, "<u4").view(np.uint8).reshape(samples, -1)
    slots[:, SEEDS_BYTES : SEEDS_BYTES + raster.shape[1]] = raster
    count = np.array([samples, 0], "<u4").tobytes()
    return [("ddr", layout.base, slots.tobytes()), ("dmem", layout.control, count)]


def captures(layout: BatchLayout, ddr: np.ndarray, samples: int) -> list[list[np.ndarray]]:
    """Each sample's output spans from its DDR slot, as io.SampleIO.capture returns them."""
    out = []
    for k in range(samples):
        record = layout.slot(k) + layout.input_bytes
        out.append(
            [ddr[record + s.offset : record + s.offset + s.size].copy() for s in layout.spans]
        )
    return out
