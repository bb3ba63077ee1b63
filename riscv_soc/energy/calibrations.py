"""The two documented calibrations of the energy model, BOARD and CORE, and FeNN's SHD anchor.

Where it sits: riscv_soc.energy.model defines the per-event model; this module gives it numbers.
Every constant carries its source; docs/energy.md shows the same tables (`constants_table`, kept
current by a test) and explains each derivation.

- BOARD: the KV260 at the wall, fitted to FeNN's SHD measurement (research/fenn.md 5.1 and 6).
  One anchor fixes one parameter, the net energy per retired instruction; the idle power of the
  board is the static term.
- CORE: the FPGA fabric bottom-up: published per-operation energies of a 45 nm process (Horowitz)
  times the FPGA/ASIC gap (Kuon & Rose) and a process factor, per access of the memory blocks
  FeNN-DMA uses (URAM, BRAM, LUTRAM), plus DDR4 per byte. Dynamic energy of the SoC only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from riscv_soc.energy.model import Constant, EnergyModel
from riscv_soc.soc import LANES
from snnsoc_common.tables import markdown_table


@dataclass(frozen=True)
class ShdAnchor:
    """FeNN v1 (one core, KV260) on the SHD classifier: the published point we calibrate to."""

    n_inputs: int = 700
    n_hidden: int = 256  # recurrent ALIF layer
    n_outputs: int = 20
    steps: int = 1170
    samples: int = 2264  # the SHD test set
    clock_hz: float = 164e6  # research/fenn.md 1.6
    time_s: float = 12.6e-3  # measured per inference: 28.6 s / 2264 (research/fenn.md 5.1)
    net_energy_j: float = 19.2e-3  # per inference, net of idle (plug meter; fenn.md 5.1)
    idle_w: float = 8.0  # board at the wall, bitstream loaded
    running_w: float = 9.51  # mean while simulating
    instructions: float = 3.91e9  # all samples, from the ISE heatmap (fenn.md 5.1)
    ise_cycles: float = 3.82e9  # all samples, predicted by FeNN's ISE
    input_spikes: float = 8229  # per sample
    hidden_spikes: float = (
        11874  # per sample (inferred by fenn.md from per-spike instruction counts)
    )

    @property
    def instructions_per_inference(self) -> float:
        return self.instructions / self.samples

    @property
    def ise_time_s(self) -> float:
        """The ISE's predicted time per inference at `clock_hz` (no host overhead)."""
        return self.ise_cycles / self.samples / self.clock_hz


FENN_SHD = ShdAnchor()
FENN = "research/fenn.md"

# ---- Published per-operation energies used by CORE (all in joules) ----
# Short citations; docs/energy.md ("References") gives each in full.
HOROWITZ = "Horowitz 2014"  # 45 nm at 0.9 V
ADD8_J, ADD32_J = 0.03e-12, 0.1e-12  # integer adders
SRAM_8KB_64BIT_J = 10e-12  # one 64-bit read of an 8 KB SRAM
SRAM_32KB_64BIT_J = 20e-12  # one 64-bit read of a 32 KB SRAM
RISC_INSTRUCTION_J = 70e-12  # per-instruction overhead of a RISC core: fetch, control, clocking
FETCH_J = SRAM_8KB_64BIT_J / 2  # one 32-bit word from an 8 KB memory (anchors.md: "32-bit ~ 5")
KUON_ROSE = "Kuon & Rose 2007"  # FPGA/ASIC dynamic power ~14x for LUT logic, less for hard blocks
FPGA_LOGIC_GAP = 14.0
# 45 nm at 0.9 V -> the K26's 16 nm FinFET at VCCINT 0.85 V, scaling C with the node and V^2.
PROCESS_SCALE = (16 / 45) * (0.85 / 0.9) ** 2
PROCESS = "45 -> 16 nm, ours"
DDR4_BIT_J = 15e-12
DDR4 = (
    "DDR4 ~14 pJ/bit (O'Connor 2017); DRAM 20-40 pJ/bit (Horowitz 2014); we take 15 pJ/bit, "
    "x8 bits; the PS interconnect is not counted"
)

VECTOR_BITS = 16 * LANES
URAM_DATA_BITS = 64  # a URAM288 word is 72 bits: 64 data + 8 parity/ECC
URAMS_PER_VECTOR = VECTOR_BITS // URAM_DATA_BITS  # one 512-bit vector spans 8 URAMs side by side
LANE_RF_BYTES = 32 * 2  # one lane's slice of the vector register file: 32 registers x int16


def add_j(bits: int) -> float:
    """Integer add at 45 nm, linear in width between Horowitz's 8- and 32-bit points."""
    return ADD8_J + (ADD32_J - ADD8_J) * (bits - 8) / (32 - 8)


def sram_bit_j(capacity_bytes: int) -> float:
    """One bit read from an SRAM of this size at 45 nm: 8 KB's 10 pJ/64 bit scaled by
    sqrt(capacity), which is how Horowitz's 8 KB -> 32 KB -> 1 MB points grow."""
    return SRAM_8KB_64BIT_J / 64 * math.sqrt(capacity_bytes / 8192)


def _fabric(logic_j: float = 0.0, hard_j: float = 0.0) -> float:
    """45 nm ASIC energy -> the K26 fabric: LUT/FF logic pays the FPGA gap, hard blocks do not."""
    return (logic_j * FPGA_LOGIC_GAP + hard_j) * PROCESS_SCALE


_RF_LANE_BIT_J = sram_bit_j(LANE_RF_BYTES)  # LUTRAM: logic, so it pays the gap
_UNSPLIT = "not separable at board level: one anchor fits one parameter (see instr_j)"

BOARD = EnergyModel(
    name="board",
    description="KV260 at the wall, fitted to FeNN's SHD measurement; energies net of idle",
    clock_hz=Constant(FENN_SHD.clock_hz, f"FeNN v1 clock, about 164 MHz ({FENN} 1.6)"),
    static_w=Constant(
        FENN_SHD.idle_w,
        f"KV260 idle at the wall with the bitstream loaded, plug meter ({FENN} 5.1); FeNN's "
        "19.2 mJ excludes it, so compare net (dynamic) energy with the anchor",
    ),
    cycle_j=Constant(0.0, _UNSPLIT),
    instr_j=Constant(
        FENN_SHD.net_energy_j / FENN_SHD.instructions_per_inference,
        f"fitted: 19.2 mJ net per SHD inference / (3.91e9 / 2264) instructions ({FENN} 5.1, 6)",
    ),
    vec_alu_op_j=Constant(0.0, _UNSPLIT),
    vec_mem_op_j=Constant(0.0, _UNSPLIT),
    lane_local_op_j=Constant(0.0, _UNSPLIT),
    scalar_mem_op_j=Constant(0.0, _UNSPLIT),
    dma_byte_j=Constant(0.0, _UNSPLIT),
)

_SCALE = f"x{FPGA_LOGIC_GAP:g} FPGA gap ({KUON_ROSE}), x{PROCESS_SCALE:.3f} process ({PROCESS})"
_HARD = f"x{PROCESS_SCALE:.3f} process ({PROCESS})"

CORE = EnergyModel(
    name="core",
    description="FPGA fabric bottom-up from per-operation energies; dynamic energy of the SoC",
    clock_hz=Constant(175e6, f"FeNN-DMA clock for its benchmarks ({FENN} 1.6)"),
    static_w=Constant(
        0.0,
        "not modelled: no public figure for the design's share of K26 static power; the board's "
        "idle power (BOARD.static_w) contains it",
        estimated=True,
    ),
    cycle_j=Constant(
        _fabric(logic_j=RISC_INSTRUCTION_J - FETCH_J),
        f"~70 pJ per-instruction overhead of a RISC core (fetch, control, clocking: {HOROWITZ}) "
        f"less the 5 pJ fetch, as LUT/FF logic {_SCALE}; charged every cycle, since the "
        "pipeline clocks whether or not it retires",
        estimated=True,
    ),
    instr_j=Constant(
        _fabric(logic_j=ADD32_J, hard_j=FETCH_J),
        f"32-bit fetch from instruction BRAM (8 KB SRAM, 5 pJ per 32 bits, hard block, {_HARD}) "
        f"+ 32-bit add (0.1 pJ, logic {_SCALE}); {HOROWITZ}",
        estimated=True,
    ),
    vec_alu_op_j=Constant(
        LANES * _fabric(logic_j=add_j(16) + 3 * 16 * _RF_LANE_BIT_J),
        f"32 lanes x (16-bit add, interpolated from 8 and 32 bits, + 2 reads and 1 write of a "
        f"16-bit register in the lane's 64-byte LUTRAM: 8 KB SRAM per bit x sqrt(64 / 8192)); "
        f"{HOROWITZ}, logic {_SCALE}. A DSP48E2 multiply (hard) costs about the add's energy, "
        "so the counter need not tell them apart",
        estimated=True,
    ),
    vec_mem_op_j=Constant(
        _fabric(logic_j=VECTOR_BITS * _RF_LANE_BIT_J, hard_j=URAMS_PER_VECTOR * SRAM_32KB_64BIT_J),
        f"8 URAM288 reads (512 bits in 64-bit words; 36 KiB each, so a 32 KB SRAM 64-bit read, "
        f"20 pJ, hard block, {_HARD}) + a 512-bit register access in LUTRAM (logic {_SCALE}); "
        f"{HOROWITZ}",
        estimated=True,
    ),
    lane_local_op_j=Constant(
        LANES * _fabric(logic_j=16 * _RF_LANE_BIT_J, hard_j=16 * sram_bit_j(2048)),
        f"32 lanes x (16 bits of the lane's 2 KiB BRAM: 8 KB SRAM per bit x sqrt(2048 / 8192), "
        f"hard, {_HARD}; + a 16-bit register access in LUTRAM, logic {_SCALE}); {HOROWITZ}",
        estimated=True,
    ),
    scalar_mem_op_j=Constant(
        _fabric(hard_j=FETCH_J),
        f"one 32-bit access of a BRAM36 (8 KB SRAM, 5 pJ per 32 bits: {HOROWITZ}), hard, {_HARD}",
        estimated=True,
    ),
    dma_byte_j=Constant(8 * DDR4_BIT_J, DDR4, estimated=True),
)

MODELS: dict[str, EnergyModel] = {m.name: m for m in (BOARD, CORE)}


def constants_table(model: EnergyModel) -> str:
    """The model's constants as a Markdown table (docs/energy.md embeds it)."""
    rows = [
        [
            f"`{name}`",
            _engineering(name, const.value),
            "yes" if const.estimated else "",
            const.source,
        ]
        for name, const in model.constants().items()
    ]
    return markdown_table(["constant", "value", "estimated", "source"], rows)


def _engineering(name: str, value: float) -> str:
    if name.endswith("_hz"):
        return f"{value / 1e6:g} MHz"
    if name.endswith("_w"):
        return f"{value:g} W"
    if value == 0:
        return "0"
    for unit, scale in (("nJ", 1e-9), ("pJ", 1e-12)):
        if value >= scale:
            return f"{value / scale:.3g} {unit}"
    return f"{value / 1e-15:.3g} fJ"
