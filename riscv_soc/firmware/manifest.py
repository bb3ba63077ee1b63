"""manifest.json of exported firmware: the memory map and where the runtime finds every input and
output of a sample.

Where it sits: written by `riscv_soc.firmware.export` from a compiled network's placement,
read back by `load_firmware` and used by `riscv_soc.runtime` (which patches `io.input` and
`io.seeds`, and reads `io.mailbox`, `io.readout`, `io.record`, `io.state`, `io.counters`).
docs/compiler.md, "manifest.json", lists every field.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from dataclasses import asdict

from riscv_soc.compiler import lane_record
from riscv_soc.compiler.placement import DONE, PROFILE_PHASES, SNAPSHOTS, Plan
from riscv_soc.errors import ImageError
from riscv_soc.quant.bundle import PER_NEURON, Bundle
from riscv_soc.soc import SocConfig

FORMAT = "snnsoc-firmware"
VERSION = 1


def bundle_digest(bundle: Bundle) -> str:
    """sha256 of a bundle's content: its header fields (less the report) and every array."""
    h = hashlib.sha256()
    pops = [{k: v for k, v in asdict(p).items() if k not in PER_NEURON} for p in bundle.populations]
    projs = [{k: v for k, v in asdict(p).items() if k != "words"} for p in bundle.projections]
    top = {
        k: getattr(bundle, k)
        for k in ("n_inputs", "output", "readout", "readout_shift", "dt", "num_steps", "encoding")
    }
    h.update(json.dumps([top, pops, projs], sort_keys=True, default=str).encode())
    for pop in bundle.populations:
        for name in PER_NEURON:
            h.update(name.encode())
            if getattr(pop, name) is not None:
                h.update(getattr(pop, name).astype("<i2").tobytes())
    for proj in bundle.projections:
        h.update(proj.words.astype("<i2").tobytes())
    return h.hexdigest()


def build_manifest(plan: Plan, entry: int, code_bytes: int) -> dict:
    bundle = plan.bundle
    return {
        "format": FORMAT,
        "version": VERSION,
        "tool": {"name": "snnsoc", "version": _tool_version()},
        "bundle": {
            "sha256": bundle_digest(bundle),
            "n_inputs": bundle.n_inputs,
            "num_steps": bundle.num_steps,
            "encoding": bundle.encoding,
            "output": bundle.output,
            "readout": bundle.readout,
            "populations": [{"name": p.name, "kind": p.kind, "n": p.n} for p in bundle.populations],
        },
        "soc": asdict(plan.config),
        "options": asdict(plan.options),
        "image": {"entry": entry, "code_bytes": code_bytes},
        "memory_map": plan.report(),
        "io": _io(plan),
    }


def _tool_version() -> str:
    try:
        return importlib.metadata.version("snnsoc")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _io(plan: Plan) -> dict:
    bundle = plan.bundle
    reg = plan.region
    out = {
        "mailbox": {"memory": "dmem", "address": reg("mailbox").address, "done": DONE},
        "input": {
            "memory": "dmem",
            "address": reg("input").address,
            "steps": bundle.num_steps,
            "words_per_step": plan.input_words,
        },
        "seeds": {"memory": "vmem", "address": reg("seeds").address},
        "counters": {
            "memory": "dmem",
            "address": reg("counters").address,
            "names": list(plan.target.counters),
            "snapshots": list(SNAPSHOTS),
        },
        "record": {
            "memory": "dmem",
            "address": reg("record").address if plan.record_words else 0,
            "words_per_row": plan.record_words,
            "first_row": 1,
            "populations": {
                pop_plan.pop.name: {
                    "word": pop_plan.record_word,
                    "words": pop_plan.nvec,
                    "n": pop_plan.pop.n,
                }
                for pop_plan in plan.pops
                if pop_plan.recorded
            },
            "not_recorded": [
                pop_plan.pop.name
                for pop_plan in plan.pops
                if pop_plan.pop.spiking and not pop_plan.recorded
            ],
        },
        "state": {},
    }
    _lane_record(plan, out["record"])
    for pop_plan in plan.pops:
        block = reg(f"state.{pop_plan.pop.name}").address
        fields = {name: pop_plan.field_offset(name) for name in pop_plan.fields}
        out["state"][pop_plan.pop.name] = {
            "memory": "vmem",
            "address": block,
            "n": pop_plan.pop.n,
            "vectors": pop_plan.nvec,
            "slot_bytes": pop_plan.slot_bytes,
            "fields": fields,
        }
        if pop_plan.is_output:
            out["readout"] = {
                "memory": "vmem",
                "population": pop_plan.pop.name,
                "n": pop_plan.pop.n,
                "address": block + fields["acc"],
                "vectors": pop_plan.nvec,
                "slot_bytes": pop_plan.slot_bytes,
            }
    if plan.options.profile:
        out["profile"] = {
            "memory": "dmem",
            "address": reg("profile").address,
            "phases": list(PROFILE_PHASES),
            "populations": [pop_plan.pop.name for pop_plan in plan.pops],
        }
    return out


def _lane_record(plan: Plan, record: dict) -> None:
    """Populations recorded through DDR: their words follow the dmem record's in each row the
    runtime decodes (io.record.lanes says where the blocks are)."""
    pops = lane_record.recorded(plan)
    if not pops:
        return
    record["lanes"] = lane_record.manifest(plan)
    for pp in pops:
        word = plan.record_words + lane_record.first_vector(plan, pp)
        record["populations"][pp.pop.name] = {"word": word, "words": pp.nvec, "n": pp.pop.n}
        record["not_recorded"].remove(pp.pop.name)


def check_manifest(manifest: dict, where: str) -> None:
    """Raise ImageError for another format or version, or a missing section."""
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        got = manifest.get("format") if isinstance(manifest, dict) else type(manifest).__name__
        raise ImageError(f"{where}: format {got!r}, expected {FORMAT!r}")
    if manifest.get("version") != VERSION:
        raise ImageError(
            f"{where}: manifest version {manifest.get('version')!r}; this snnsoc "
            f"reads version {VERSION}"
        )
    for key in ("bundle", "soc", "io", "image"):
        if key not in manifest:
            raise ImageError(f"{where}: no {key!r} entry")


def config_of(manifest: dict) -> SocConfig:
    return SocConfig(**manifest["soc"])
