"""How the DDR behind the DMA engine answers: stalls and error responses (docs/isa.md, "A DDR that
stalls or answers with errors").

Where it sits: `riscv_soc.rtl` gives a `DdrModel` to the testbench's AXI slave (cocotbext-axi's
RAM model with random pauses on every channel and error responses on address ranges); the ISS
(`riscv_soc.iss`) models the error ranges exactly and takes the one architectural effect of
stalls, how many cycles each DMA transfer completes late, from the RTL's log (`DmaLate`).

    model = DdrModel(stall_seed=7)                                  # every channel pauses
    model = DdrModel(faults=(DdrFault(0x1000, 0x1400, "slverr"),))  # SLVERR on 1 KiB
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from riscv_soc.errors import ConfigError
from riscv_soc.isa import csr

# AXI response codes (AMBA AXI, RRESP/BRESP) and the DMA status bit each error sets.
OKAY, SLVERR, DECERR = 0b00, 0b10, 0b11
RESPONSES = {"slverr": SLVERR, "decerr": DECERR}
STATUS_BITS = {SLVERR: csr.DMA_ERR_SLAVE, DECERR: csr.DMA_ERR_DECODE}
FAULT_ALIGN = csr.DMA_ALIGN  # ranges cover whole vectors: a vector is in a range or out of it

# Per DMA channel (MM2S, S2MM): the cycles each completed transfer finished after its schedule,
# in completion order, as the RTL logged them.
DmaLate = tuple[tuple[int, ...], tuple[int, ...]]


@dataclass(frozen=True)
class DdrFault:
    """DDR bytes [start, end) answer every access with `response` ("slverr" or "decerr")."""

    start: int
    end: int
    response: str

    def __post_init__(self) -> None:
        if self.response not in RESPONSES:
            raise ConfigError(
                f"ddr fault response: expected one of {list(RESPONSES)}, got {self.response!r}"
            )
        for name in ("start", "end"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value % FAULT_ALIGN:
                raise ConfigError(
                    f"ddr fault {name}: expected a multiple of {FAULT_ALIGN}, got {value!r}"
                )
        if not 0 <= self.start < self.end <= 1 << 32:
            raise ConfigError(
                f"ddr fault: expected 0 <= start < end <= 2**32, got "
                f"[{self.start:#x}, {self.end:#x})"
            )


@dataclass(frozen=True)
class DdrModel:
    """Stalls (RTL only) and error ranges (RTL and ISS) of the DDR.

    `stall_seed`: None for a slave that never pauses; else each AXI channel (AW, W, B, AR, R)
    pauses in each DDR cycle with probability `stall_probability`, from a generator seeded with
    (stall_seed, channel), so a run reproduces.
    """

    stall_seed: int | None = None
    stall_probability: float = 0.5
    faults: tuple[DdrFault, ...] = ()

    def __post_init__(self) -> None:
        seed = self.stall_seed
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
            raise ConfigError(f"ddr stall_seed: expected None or an integer >= 0, got {seed!r}")
        if not 0.0 <= self.stall_probability < 1.0:
            raise ConfigError(
                f"ddr stall_probability: expected 0 <= p < 1, got {self.stall_probability!r}"
            )
        if not all(isinstance(f, DdrFault) for f in self.faults):
            raise ConfigError("ddr faults: expected a tuple of DdrFault")

    @property
    def stalls(self) -> bool:
        return self.stall_seed is not None

    def response(self, address: int) -> int:
        """The response to an access at DDR byte `address` (DECERR before SLVERR, then OKAY)."""
        hits = [RESPONSES[f.response] for f in self.faults if f.start <= address < f.end]
        return max(hits, default=OKAY)

    def fault_table(self) -> np.ndarray:
        """int64[k, 3] rows (start, end, DMA status bit) for the ISS kernel."""
        rows = [(f.start, f.end, STATUS_BITS[RESPONSES[f.response]]) for f in self.faults]
        return np.array(rows, np.int64).reshape(-1, 3)


PLAIN = DdrModel()  # a slave that keeps up and never errs


def random_faults(rng: np.random.Generator, start: int, end: int) -> tuple[DdrFault, ...]:
    """Two to six ranges of 1-32 vectors each inside DDR bytes [start, end), SLVERR or DECERR."""
    vectors = (end - start) // FAULT_ALIGN
    faults = []
    for _ in range(int(rng.integers(2, 7))):
        length = int(rng.integers(1, min(32, vectors) + 1))
        first = int(rng.integers(0, vectors - length + 1))
        lo = start + FAULT_ALIGN * first
        kind = "slverr" if rng.random() < 0.5 else "decerr"
        faults.append(DdrFault(lo, lo + FAULT_ALIGN * length, kind))
    return tuple(faults)
