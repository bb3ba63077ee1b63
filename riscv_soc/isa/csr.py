"""Control and status registers of the FeNN-DMA SoC: numbers, names and DMA status bits.

docs/isa.md describes each; the ISS, the RTL (through the generated package) and the assembler's
CSR names all read this table. `CSRS` lists the CSRs the SoC implements; the assembler also knows
every standard name GNU as knows (`csr_names.GNU_AS`: `mstatus`, `mtvec`, ...), whose accesses
assemble but trap at run time as illegal instructions.
"""

from __future__ import annotations

from riscv_soc.isa import csr_names
from riscv_soc.isa.table import LANE_LOCAL, SCALAR_MEM, VEC_ALU, VEC_MEM

# Activity counters (mhpmcounter3..8): 64-bit, read-only, counted by ISS and RTL alike.
COUNTERS = (
    "vec_alu_ops",  # vector instructions other than memory ones
    "vec_mem_ops",  # vloadv, vstorev, vloadr0, vloadr1
    "lane_local_ops",  # vloadl, vstorel
    "scalar_mem_ops",  # lb ... sw
    "dma_bytes",  # bytes moved by completed DMA transfers, both channels
    "stall_cycles",  # cycles in which no instruction retired
)
FIRST_HPM = 3  # counter k of COUNTERS is mhpmcounter(3 + k)
# The counter an instruction of each class (table.py) increments when it retires.
COUNTER_OF_CLASS = {
    VEC_ALU: "vec_alu_ops",
    VEC_MEM: "vec_mem_ops",
    LANE_LOCAL: "lane_local_ops",
    SCALAR_MEM: "scalar_mem_ops",
}

CSRS: dict[str, int] = {
    "mcycle": 0xB00,
    "minstret": 0xB02,
    "mcycleh": 0xB80,
    "minstreth": 0xB82,
    "cycle": 0xC00,
    "instret": 0xC02,
    "cycleh": 0xC80,
    "instreth": 0xC82,
    "mhartid": 0xF14,
    "mcountinhibit": 0x320,
    # DMA engine (FeNN-DMA): memory-mapped DDR -> vector memory and back.
    "dma_mm2s_src": 0xBC0,
    "dma_mm2s_dst": 0xBC1,
    "dma_mm2s_count": 0xBC2,
    "dma_mm2s_control": 0xBC3,
    "dma_s2mm_src": 0xBD0,
    "dma_s2mm_dst": 0xBD1,
    "dma_s2mm_count": 0xBD2,
    "dma_s2mm_control": 0xBD3,
    "dma_mm2s_status": 0xFC0,
    "dma_s2mm_status": 0xFD0,
}
for _k in range(len(COUNTERS)):
    CSRS[f"mhpmcounter{FIRST_HPM + _k}"] = 0xB00 + FIRST_HPM + _k
    CSRS[f"mhpmcounter{FIRST_HPM + _k}h"] = 0xB80 + FIRST_HPM + _k
CSR_NAMES: dict[int, str] = {num: name for name, num in CSRS.items()}


def _counter_csrs() -> dict[str, tuple[int, bool]]:
    counters = ["mcycle", "minstret"] + [
        f"mhpmcounter{FIRST_HPM + k}" for k in range(len(COUNTERS))
    ]
    out = {}
    for c, name in enumerate(counters):
        out[name], out[name + "h"] = (c, False), (c, True)
    for c, alias in enumerate(("cycle", "instret")):  # the user-level read-only aliases
        out[alias], out[alias + "h"] = (c, False), (c, True)
    return out


# What each counter CSR reads: counter c (0 mcycle, 1 minstret, 2 + k mhpmcounter(3 + k)) and
# whether its upper half. The ISS and the RTL (through the generated package) decode by it.
COUNTER_CSRS: dict[str, tuple[int, bool]] = _counter_csrs()
N_COUNTERS = 2 + len(COUNTERS)  # 64-bit counters: mcycle, minstret, mhpmcounter3..8

# Names the assembler accepts (GNU's standard names and ours) and the disassembler prints (ours,
# else the one GNU objdump prints, else the number).
ASM_NAMES: dict[str, int] = {**csr_names.GNU_AS, **CSRS}
DISASM_NAMES: dict[int, str] = {**csr_names.OBJDUMP, **CSR_NAMES}

# mcountinhibit (RISC-V privileged spec, "Machine Counter-Inhibit CSR"): a set bit stops a
# counter. Bit 0 (CY) mcycle, bit 2 (IR) minstret, bit 3 + k mhpmcounter(3 + k); bit 1 (TM: no
# `time` here) and bits 9-31 (no such counters) read 0 and ignore writes (WARL).
MCOUNTINHIBIT_RESET = 0  # every counter counts from reset
MCOUNTINHIBIT_MASK = 0b101 | (((1 << len(COUNTERS)) - 1) << FIRST_HPM)  # writable bits: 0x1fd

# DMA status register bits (0xFC0 / 0xFD0).
DMA_IDLE = 1 << 1
DMA_STARTING = 1 << 2  # the first DMA_SETUP_CYCLES cycles of a transfer
DMA_TRANSFERRING = 1 << 3
DMA_ERR_SLAVE = 1 << 4  # the DDR answered SLVERR (docs/isa.md, "A DDR that stalls ...")
DMA_ERR_DECODE = 1 << 5  # a range outside DDR or vector memory, or the DDR answered DECERR
DMA_ERR_INTERNAL = 1 << 6  # misaligned address or count, count 0 or >= DMA_MAX_BYTES
DMA_OK = 1 << 7  # the last transfer completed without error

DMA_ALIGN = 64  # bytes: addresses and counts are whole vectors
DMA_MAX_BYTES = (1 << 19) - 1  # counts must stay below this
DMA_SETUP_CYCLES = 10  # fixed latency of a transfer
DMA_CYCLES_PER_VECTOR = 4  # 16 bytes per cycle


def dma_cycles(count: int) -> int:
    """Cycles from the start of a transfer of `count` bytes until it reports idle."""
    return DMA_SETUP_CYCLES + DMA_CYCLES_PER_VECTOR * (count // DMA_ALIGN)
