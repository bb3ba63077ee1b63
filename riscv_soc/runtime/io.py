"""One sample's inputs into a compiled network's memories, and its outputs back out.

Where it sits: between the runtime (riscv_soc.runtime.run) and a backend. `patches` turns a
sample's input bitfields and RNG seeds into (memory, address, bytes) writes; `read` takes the
memories after the run (the ISS's arrays or an RTL MachineState's) and returns the sample's
outputs, all at the addresses manifest.json gives (riscv_soc.firmware.manifest).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from riscv_soc.soc import LANES

Patch = tuple[str, int, bytes]  # (memory, address, data)


@dataclass
class SampleOutputs:
    readout: np.ndarray  # int16 [n_out]
    record: np.ndarray  # uint32 [T, words per row]: row t = spikes of step t
    state: dict[str, np.ndarray]  # "pop_var" -> int16 [n]
    counters: dict[str, int]  # end - start snapshot, modulo 2**32
    profile: dict[str, int]  # "pop_phase" -> cycles (when compiled with profile=True)


class SampleIO:
    """The input and output addresses of one firmware (its manifest's `io`)."""

    def __init__(self, manifest: dict) -> None:
        self.io = manifest["io"]
        self.steps = self.io["input"]["steps"]

    def patches(self, in_words: np.ndarray, seeds: np.ndarray) -> list[Patch]:
        """in_words: uint32 [T, words per step]; seeds: uint16 [2, 32] (S0, S1)."""
        inp, sd = self.io["input"], self.io["seeds"]
        return [
            (inp["memory"], inp["address"], np.ascontiguousarray(in_words, "<u4").tobytes()),
            (sd["memory"], sd["address"], np.ascontiguousarray(seeds, "<u2").tobytes()),
        ]

    def done(self, memories: dict[str, np.ndarray]) -> bool:
        mb = self.io["mailbox"]
        return int(self._words(memories, mb["memory"], mb["address"], 1)[0]) == mb["done"]

    def read(self, memories: dict[str, np.ndarray]) -> SampleOutputs:
        io = self.io
        rec = io["record"]
        record = self._words(memories, rec["memory"],
                             rec["address"] + 4 * rec["first_row"] * rec["words_per_row"],
                             self.steps * rec["words_per_row"])  # fmt: skip
        state = {}
        for pop, block in io["state"].items():
            for var in ("V", "I", "A"):
                if var in block["fields"]:
                    state[f"{pop}_{var}"] = self._field(memories, block, block["fields"][var])
        ro = io["readout"]
        readout = self._field(memories, {**ro, "address": 0}, ro["address"])
        record = record.reshape(self.steps, rec["words_per_row"])
        return SampleOutputs(readout, record, state,
                             self._counters(memories), self._profile(memories))  # fmt: skip

    def _field(self, memories, block: dict, offset: int) -> np.ndarray:
        """Field at `offset` of every slot of a state block, as int16 [n]."""
        mem = memories[block["memory"]]
        start = block["address"] + offset
        slots = np.lib.stride_tricks.as_strided(
            mem[start:].view(np.uint8),
            shape=(block["vectors"], 2 * LANES),
            strides=(block["slot_bytes"], 1),
        )
        return np.ascontiguousarray(slots).view("<i2").reshape(-1)[: block["n"]].copy()

    def _counters(self, memories) -> dict[str, int]:
        c = self.io["counters"]
        names = c["names"]
        words = self._words(memories, c["memory"], c["address"], 2 * len(names)).astype(np.int64)
        delta = (words[len(names) :] - words[: len(names)]) % (1 << 32)
        return dict(zip(names, (int(d) for d in delta), strict=True))

    def _profile(self, memories) -> dict[str, int]:
        p = self.io.get("profile")
        if p is None:
            return {}
        names = [f"{pop}_{phase}" for pop in p["populations"] for phase in p["phases"]]
        words = self._words(memories, p["memory"], p["address"], len(names))
        return dict(zip(names, (int(w) for w in words), strict=True))

    @staticmethod
    def _words(memories, memory: str, address: int, count: int) -> np.ndarray:
        return memories[memory][address : address + 4 * count].view("<u4").copy()
