"""How each generated program runs: its cycle limit and its DDR, drawn from (seed, index).

Where it sits: `runner` asks for the conditions of each program before running it on both machines.
One program in LIMIT_SHARE stops at a cycle limit drawn below its natural length, at a point where
no DMA command has been given yet (a transfer in flight when a run stops has no defined outcome;
with stalls, the RTL's timeline only departs from the ISS's at the first transfer). With DDR stalls
every program's DDR pauses at random from its own seed; with DDR errors every program's DDR
answers SLVERR or DECERR on two to six random ranges inside the DMA areas the generator uses.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from riscv_soc import iss
from riscv_soc.ddr import PLAIN, DdrModel, random_faults
from riscv_soc.difftest.generator import DDR_DATA
from riscv_soc.image import Image
from riscv_soc.isa import csr
from riscv_soc.soc import SocConfig

LIMIT_SHARE = 0.1
LIMIT_TRIES = 4
_UNTOUCHED = csr.DMA_IDLE  # a channel's status before its first command


@dataclass(frozen=True)
class Conditions:
    max_cycles: int
    ddr: DdrModel = PLAIN


def draw(
    seed: int,
    index: int,
    image: Image,
    config: SocConfig,
    max_cycles: int,
    stalls: bool = False,
    errors: bool = False,
) -> Conditions:
    """The conditions of program `index` of `seed` (the same in every shard of a run). Every draw
    is made whatever the mode, so a program has the same limit in every mode."""
    rng = _rng(seed, index)
    ddr = _ddr(rng, stalls, errors)
    if rng.random() >= LIMIT_SHARE:
        return Conditions(max_cycles, ddr)
    return Conditions(_limit_before_dma(rng, image, config, max_cycles), ddr)


def ddr_of(seed: int, index: int, stalls: bool, errors: bool) -> DdrModel:
    """The DDR of program `index` of `seed` alone (what `draw` gives it, without the limit)."""
    return _ddr(_rng(seed, index), stalls, errors)


def _rng(seed: int, index: int) -> np.random.Generator:
    return np.random.default_rng([seed, index, 0xDD7])


def _ddr(rng: np.random.Generator, stalls: bool, errors: bool) -> DdrModel:
    """Stall seed and error ranges are both drawn whatever the mode (the limit's draw follows)."""
    stall_seed = int(rng.integers(1 << 31))
    faults = random_faults(rng, 0, 2 * DDR_DATA)
    return DdrModel(stall_seed=stall_seed if stalls else None, faults=faults if errors else ())


def _limit_before_dma(rng, image: Image, config: SocConfig, max_cycles: int) -> int:
    """A cycle limit inside the program's run where neither DMA channel has had a command yet;
    `max_cycles` when a few draws find none."""
    high = iss.run(image, max_cycles, config, memories=()).cycles
    for _ in range(LIMIT_TRIES):
        if high <= 1:
            break
        limit = int(rng.integers(1, high))
        state = iss.run(image, limit, config, memories=())
        if state.exit == "limit" and all(
            state.csrs[f"dma_{ch}_status"] == _UNTOUCHED for ch in ("mm2s", "s2mm")
        ):
            return limit
        high = limit
    return max_cycles
