"""The testbench's DDR: cocotbext-axi's AXI RAM model, made to stall and to answer with errors as a
`riscv_soc.ddr.DdrModel` says. Runs inside the simulator (imported by `driver.py`).

Stalls: a pause generator on each of the five channels (AW, W, B, AR, R), as cocotbext-axi's own
tests use `set_pause_generator`, drawing pause/go per DDR clock from a generator seeded with
(stall seed, channel). Errors: a read beat from a fault range returns zeros with its range's
response; a written beat in a fault range is dropped and its burst's single write response is the
worst of its beats' (DECERR before SLVERR), as the AXI spec allows one BRESP per burst.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from cocotbext.axi import AxiRamRead, AxiRamWrite
from cocotbext.axi.memory import Memory

from riscv_soc.ddr import OKAY, PLAIN, DdrModel


def _stamp_before_send(channel, stamp) -> None:
    """Make `channel.send(obj)` call `stamp(obj)` first: the library builds a response as OKAY
    before it touches memory, and sends it after."""
    send = channel.send

    async def send_stamped(obj) -> None:
        stamp(obj)
        await send(obj)

    channel.send = send_stamped


class _FaultyWrite(AxiRamWrite):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.model = PLAIN
        self.burst_response = OKAY
        _stamp_before_send(self.b_channel, self._stamp)  # one B per burst, after its beats

    def _stamp(self, b) -> None:
        b.bresp, self.burst_response = self.burst_response, OKAY

    async def _write(self, address, data) -> None:
        response = self.model.response(address)
        if response == OKAY:
            self.write(address % self.size, data)
        self.burst_response = max(self.burst_response, response)


class _FaultyRead(AxiRamRead):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.model = PLAIN
        self.beat_response = OKAY
        _stamp_before_send(self.r_channel, self._stamp)  # each beat read, then sent

    def _stamp(self, r) -> None:
        r.rresp = self.beat_response

    async def _read(self, address, length) -> bytes:
        self.beat_response = self.model.response(address)
        if self.beat_response != OKAY:
            return bytes(length)
        return self.read(address % self.size, length)


def _pauses(seed: int, channel: int, probability: float) -> Iterator[bool]:
    draw = random.Random(seed * 8 + channel).random
    while True:
        yield draw() < probability


class DdrRam(Memory):
    """An AXI4 slave RAM on `bus` (cocotbext-axi's AxiRam, with `configure` per program)."""

    def __init__(self, bus, clock, size: int, mem) -> None:
        super().__init__(size, mem)
        self.write_if = _FaultyWrite(bus.write, clock, mem=self.mem)
        self.read_if = _FaultyRead(bus.read, clock, mem=self.mem)
        w, r = self.write_if, self.read_if
        self.channels = (w.aw_channel, w.w_channel, w.b_channel, r.ar_channel, r.r_channel)

    def configure(self, model: DdrModel) -> None:
        """Behave as `model` says from now on (pauses restart from the model's seed)."""
        self.write_if.model = self.read_if.model = model
        self.write_if.burst_response = OKAY
        for n, channel in enumerate(self.channels):
            channel.clear_pause_generator()
            channel.pause = False
            if model.stall_seed is not None:  # model.stalls, spelt so mypy narrows the seed
                channel.set_pause_generator(_pauses(model.stall_seed, n, model.stall_probability))
