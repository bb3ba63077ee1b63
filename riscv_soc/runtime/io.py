"""One sample's inputs into a compiled network's memories, and the outputs of many samples back.

Where it sits: between the runtime (riscv_soc.runtime.run) and a backend. `patches` turns a
sample's input bitfields and RNG seeds into (memory, address, bytes) writes; after each sample's
run `capture` copies the few memory spans that hold its outputs (the ISS reuses its memories for
the next sample), and `decode` turns the captures of all samples into stacked arrays at once, all
at the addresses manifest.json gives (riscv_soc.firmware.manifest).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from riscv_soc.soc import LANES, VECTOR_BYTES

STATE_VARIABLES = ("V", "I", "A", "I2", "R")  # state-block fields reported as final state

Patch = tuple[str, int, bytes]  # (memory, address, data)
Span = tuple[str, int, int]  # (memory, start, end): bytes copied from each sample


@dataclass
class Outputs:
    """The outputs of a run's samples, stacked along axis 0."""

    readout: np.ndarray  # int16 [S, n_out]
    record: np.ndarray  # uint32 [S, T, words per row]: row t = spikes of step t
    state: dict[str, np.ndarray]  # "pop_var" -> int16 [S, n]
    counters: dict[str, np.ndarray]  # int64 [S]: end - start snapshot, modulo 2**32
    profile: dict[str, np.ndarray]  # "pop_phase" -> int64 [S] (when compiled with profile=True)


class SampleIO:
    """The input and output addresses of one firmware (its manifest's `io`)."""

    def __init__(self, manifest: dict) -> None:
        self.io = manifest["io"]
        self.steps = self.io["input"]["steps"]
        self.spans = _output_spans(self.io, self.steps)
        # The memories a run must return: the mailbox's and those of the output spans.
        self.memories = tuple(
            sorted({self.io["mailbox"]["memory"]} | {m for m, _, _ in self.spans})
        )

    def patches(self, in_words: np.ndarray, seeds: np.ndarray) -> list[Patch]:
        """in_words: uint32 [T, words per step]; seeds: uint16 [2, 32] (S0, S1)."""
        inp, sd = self.io["input"], self.io["seeds"]
        return [
            (inp["memory"], inp["address"], np.ascontiguousarray(in_words, "<u4").tobytes()),
            (sd["memory"], sd["address"], np.ascontiguousarray(seeds, "<u2").tobytes()),
        ]

    def done(self, memories: dict[str, np.ndarray]) -> bool:
        mb = self.io["mailbox"]
        at = mb["address"]
        return int(memories[mb["memory"]][at : at + 4].view("<u4")[0]) == mb["done"]

    def captured_done(self, capture: list[np.ndarray]) -> bool:
        """`done` on one sample's captured spans (the mailbox lies in the first dmem span)."""
        mb = self.io["mailbox"]
        word = _Captured(self.spans, [capture]).words(mb["memory"], mb["address"], 1)
        return int(word[0, 0]) == mb["done"]

    def capture(self, memories: dict[str, np.ndarray]) -> list[np.ndarray]:
        """Copies of the memory spans that hold one sample's outputs."""
        return [memories[memory][start:end].copy() for memory, start, end in self.spans]

    def decode(self, captures: list[list[np.ndarray]]) -> Outputs:
        """The outputs of every captured sample, in capture order."""
        spans = _Captured(self.spans, captures)
        io = self.io
        rec = io["record"]
        per_row = rec["words_per_row"]
        first = rec["address"] + 4 * rec["first_row"] * per_row
        record = spans.words(rec["memory"], first, self.steps * per_row)
        record = record.reshape(len(captures), self.steps, per_row)
        if "lanes" in rec:
            record = np.concatenate([record, self._lane_words(spans, rec["lanes"])], axis=2)
        state = {}
        for pop, block in io["state"].items():
            for var in STATE_VARIABLES:
                if var in block["fields"]:
                    state[f"{pop}_{var}"] = spans.field(
                        block, block["address"] + block["fields"][var]
                    )
        readout = spans.field(io["readout"], io["readout"]["address"])
        c = io["counters"]
        names = c["names"]
        words = spans.words(c["memory"], c["address"], 2 * len(names)).astype(np.int64)
        delta = (words[:, len(names) :] - words[:, : len(names)]) % (1 << 32)
        counters = {name: delta[:, i] for i, name in enumerate(names)}
        profile = {}
        p = io.get("profile")
        if p is not None:
            phases = [f"{pop}_{phase}" for pop in p["populations"] for phase in p["phases"]]
            words = spans.words(p["memory"], p["address"], len(phases)).astype(np.int64)
            profile = {name: words[:, i] for i, name in enumerate(phases)}
        return Outputs(readout, record, state, counters, profile)

    def _lane_words(self, spans: _Captured, lanes: dict) -> np.ndarray:
        """The DDR record's blocks (int16 lanes, bit s = step s of the block) as spike words
        uint32 [S, T, vectors]: bit l of word k = lane l of vector k."""
        per_block, vectors = lanes["block_steps"], lanes["vectors"]
        blocks = -(-self.steps // per_block)
        raw = spans.bytes(lanes["memory"], lanes["address"], blocks * vectors * VECTOR_BYTES)
        halves = np.ascontiguousarray(raw).view("<u2").reshape(-1, blocks, vectors, LANES)
        bits = (halves[..., None] >> np.arange(per_block, dtype=np.uint16)) & 1
        steps = bits.transpose(0, 1, 4, 2, 3).reshape(-1, blocks * per_block, vectors, LANES)
        packed = np.packbits(steps[:, : self.steps].astype(np.uint8), axis=3, bitorder="little")
        return np.ascontiguousarray(packed).view("<u4")[..., 0]


def _output_spans(io: dict, steps: int) -> list[Span]:
    """dmem: mailbox, counters and profile (low addresses), the record rows 1..T; vmem: the state
    blocks (readout included). The input raster between them is not copied."""
    c = io["counters"]
    ends = [io["mailbox"]["address"] + 4, c["address"] + 4 * len(c["names"]) * len(c["snapshots"])]
    if "profile" in io:
        p = io["profile"]
        ends.append(p["address"] + 4 * len(p["populations"]) * len(p["phases"]))
    spans = [("dmem", 0, max(ends))]
    rec = io["record"]
    if rec["words_per_row"]:
        start = rec["address"] + 4 * rec["first_row"] * rec["words_per_row"]
        spans.append((rec["memory"], start, start + 4 * steps * rec["words_per_row"]))
    if "lanes" in rec:
        lanes = rec["lanes"]
        size = -(-steps // lanes["block_steps"]) * lanes["vectors"] * VECTOR_BYTES
        spans.append((lanes["memory"], lanes["address"], lanes["address"] + size))
    blocks = io["state"].values()
    spans.append(
        (
            "vmem",
            min(b["address"] for b in blocks),
            max(b["address"] + b["vectors"] * b["slot_bytes"] for b in blocks),
        )
    )
    return spans


class _Captured:
    """Captured spans of all samples, stacked: uint8 [S, span bytes] per span."""

    def __init__(self, spans: list[Span], captures: list[list[np.ndarray]]) -> None:
        self.spans = spans
        self.data = [
            np.stack([c[i] for c in captures]) if captures else np.zeros((0, end - start), np.uint8)
            for i, (_, start, end) in enumerate(spans)
        ]

    def bytes(self, memory: str, address: int, count: int) -> np.ndarray:
        for (mem, start, end), data in zip(self.spans, self.data, strict=True):
            if mem == memory and start <= address and address + count <= end:
                return data[:, address - start : address - start + count]
        raise ValueError(f"{memory} {address:#x}+{count} lies outside the captured outputs")

    def words(self, memory: str, address: int, count: int) -> np.ndarray:
        """uint32 [S, count]."""
        return np.ascontiguousarray(self.bytes(memory, address, 4 * count)).view("<u4")

    def field(self, block: dict, address: int) -> np.ndarray:
        """The vector at `address` of every slot of a state block, as int16 [S, n]."""
        vectors, stride = block["vectors"], block["slot_bytes"]
        raw = np.ascontiguousarray(
            self.bytes(block["memory"], address, (vectors - 1) * stride + VECTOR_BYTES)
        )
        slots = np.lib.stride_tricks.as_strided(
            raw, shape=(len(raw), vectors, VECTOR_BYTES), strides=(raw.strides[0], stride, 1)
        )
        values = np.ascontiguousarray(slots).view("<i2").reshape(len(raw), vectors * LANES)
        return values[:, : block["n"]].copy()
