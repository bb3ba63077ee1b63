"""Backends of the runtime: one firmware image run sample after sample on the ISS or the RTL.

Where it sits: riscv_soc.runtime.run builds each sample's patches (io.py) and hands them to a
backend, a function `(firmware, patches, max_cycles) -> iterator of (MachineState, memories)`, one
pair per sample, in order; the runtime reads each sample's outputs from the memories before
asking for the next one.

- ISS: one `riscv_soc.iss.Iss` for the whole run (the image is loaded and decoded once); per
  sample: reset, write the patches into its memories, run.
- RTL: the images with each sample's patches applied, through `riscv_soc.rtl.run_many`, in
  batches (one simulator process per batch; the Verilator build is cached), returning only the
  memories the runtime reads (io.SampleIO.memories).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import numpy as np

from riscv_soc.firmware.export import Firmware
from riscv_soc.image import Image, Section
from riscv_soc.iss import Iss
from riscv_soc.machine import MachineState
from riscv_soc.runtime.io import Patch, SampleIO

# Samples per simulator process: at most RTL_BATCH. An RTL state carries only the memories the
# runtime reads outputs from; when those include DDR (at its full size in every state), the batch
# also holds at most RTL_BATCH_DDR_BYTES of it.
RTL_BATCH, RTL_BATCH_DDR_BYTES = 64, 256 << 20

Samples = Iterator[tuple[MachineState, dict[str, np.ndarray]]]
Backend = Callable[..., Samples]  # (firmware, patches, max_cycles, memories=None)


def iss_samples(
    firmware: Firmware,
    patches: Sequence[list[Patch]],
    max_cycles: int,
    memories: tuple[str, ...] | None = None,
) -> Samples:
    """`memories` is ignored: the ISS hands over its own (the next sample reuses them)."""
    machine = Iss(firmware.image, firmware.config)
    for patch in patches:
        machine.reset()
        for memory, address, data in patch:
            machine.memories[memory][address : address + len(data)] = np.frombuffer(data, np.uint8)
        state = machine.run(max_cycles, memories=())
        yield state, machine.memories


def rtl_samples(
    firmware: Firmware,
    patches: Sequence[list[Patch]],
    max_cycles: int,
    memories: tuple[str, ...] | None = None,
) -> Samples:
    """`memories`: those the states return (default: the ones SampleIO reads outputs from)."""
    from riscv_soc import rtl  # cocotb and Verilator (the dev extra): only for the RTL backend

    memories = memories or SampleIO(firmware.manifest).memories
    batch = RTL_BATCH
    if "ddr" in memories:
        batch = max(1, min(RTL_BATCH, RTL_BATCH_DDR_BYTES // firmware.config.ddr_bytes))
    for start in range(0, len(patches), batch):
        images = [patched_image(firmware.image, p) for p in patches[start : start + batch]]
        for state in rtl.run_many(images, max_cycles, firmware.config, memories=memories):
            yield state, state.memories


BACKENDS: dict[str, Backend] = {"iss": iss_samples, "rtl": rtl_samples}


def patched_image(image: Image, patch: list[Patch]) -> Image:
    """A copy of `image` whose sections hold the patched bytes (each write inside one section)."""
    sections = list(image.sections)
    for memory, address, data in patch:
        for i, sec in enumerate(sections):
            if sec.memory == memory and sec.address <= address and address + len(data) <= sec.end:
                body = bytearray(sec.data.ljust(sec.size, b"\0"))
                body[address - sec.address : address - sec.address + len(data)] = data
                sections[i] = Section(sec.name, sec.memory, sec.address, bytes(body), sec.size)
                break
        else:
            raise ValueError(f"no section of the image holds {memory} {address:#x}+{len(data)}")
    return Image(sections, image.entry, image.symbols, image.source)
