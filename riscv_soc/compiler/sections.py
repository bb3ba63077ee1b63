"""The data sections of a compiled network's image, one per placed region.

Where it sits: after the code is built, `riscv_soc.compiler.compile_bundle` adds these sections
and a symbol per region to the image. Rows go in as the bundle stores them, or, for split sparse
rows, as the weight and lane-local address vectors the packed words decode to (rows.py); a state
block carries the population's bias in its bias field (everything else in it is set by net_init);
the input and seed sections are zeros that the runtime overwrites per sample; the rest is
zero-filled (no bytes in the ELF). Lane-local regions have no section: net_init clears them.
"""

from __future__ import annotations

import numpy as np

from riscv_soc.compiler.placement import ACC_FIELDS, Plan
from riscv_soc.image import Section, Symbol
from riscv_soc.soc import LANES

PATCHED = ("input", "seeds")  # written by the runtime before every sample
SECTION_PREFIX = {"dmem": ".data.", "vmem": ".vmem.", "ddr": ".ddr."}
ZERO_PREFIX = {"dmem": ".bss.", "vmem": ".vmem.", "ddr": ".ddr."}


def section_name(region_name: str, memory: str, zero_filled: bool = False) -> str:
    """ELF section name of a region: its prefix decides the memory (docs/image.md)."""
    return (ZERO_PREFIX if zero_filled else SECTION_PREFIX)[memory] + region_name


def data_sections(plan: Plan) -> list[Section]:
    out = []
    for region in plan.regions.values():
        if region.memory == "llm" or region.size == 0:
            continue
        data = _contents(plan, region.name)
        if data is None and region.name in PATCHED:
            data = bytes(region.size)
        name = section_name(region.name, region.memory, zero_filled=data is None)
        out.append(Section(name, region.memory, region.address, data or b"", region.size))
    return out


def region_symbols(plan: Plan) -> dict[str, Symbol]:
    return {r.name: Symbol(r.name, r.memory, r.address) for r in plan.regions.values()}


def _contents(plan: Plan, name: str) -> bytes | None:
    kind, _, owner = name.partition(".")
    if kind == "rows":
        q, proj = next((q, p) for q, p in enumerate(plan.bundle.projections) if p.name == owner)
        if plan.projs[q].split:
            acc = plan.region(f"{ACC_FIELDS[proj.port]}.{proj.target}")
            return split_rows(proj.words, proj.bits, acc.address)
        return np.ascontiguousarray(proj.words, dtype="<i2").tobytes()
    if kind == "state":
        pop_plan = next(p for p in plan.pops if p.pop.name == owner)
        # what the image holds
        optional = {"bias": pop_plan.pop.bias, "leak": pop_plan.pop.leak, "V0": pop_plan.pop.v_init}
        loaded = {name: a for name, a in optional.items() if a is not None}
        if not loaded:
            return None
        block = np.zeros((pop_plan.nvec, len(pop_plan.fields), LANES), "<i2")
        for name, a in loaded.items():
            block[:, pop_plan.fields.index(name), :] = a.reshape(pop_plan.nvec, LANES)
        return block.tobytes()
    return None


def split_rows(words: np.ndarray, bits: int, base: int) -> bytes:
    """Packed ELL rows (int16 [rows, words], word = (w << bits) | 2r) as, per vector, the weights
    (vsrai: w) then the lane-local addresses (vandadd: 2r + base)."""
    rows, width = words.shape
    vectors = words.reshape(rows, width // LANES, 1, LANES).astype(np.int32)
    weights = vectors >> bits
    addresses = (vectors & ((1 << bits) - 1)) + base
    return np.concatenate([weights, addresses], axis=2).astype("<i2").tobytes()
