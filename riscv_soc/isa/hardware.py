"""Facts about the FeNN-DMA machine that the Python models and the RTL share, each written once.

The vector unit's shape, how a run ends and the trap causes, by the codes the RTL reports on
fenn_soc's exit_o and cause_o ports and the ISS keeps in its state. `riscv_soc.isa.svgen` writes
each into rtl/fenn_isa_pkg.sv; the ISS kernel, the RTL driver, `riscv_soc.soc` and
`riscv_soc.machine` import them from here. Encodings are `table.py`; CSR numbers, counters and DMA
constants `csr.py`.
"""

from __future__ import annotations

from riscv_soc.isa.table import encode

LANES = 32  # lanes of the vector unit: a vector is LANES x int16
VREGS = 32  # vector registers v0..v31

# How a run ends (docs/isa.md, "How a run ends"), by exit code: the position in this table.
EXITS: dict[str, str] = {
    "none": "still running",
    "ecall": "an ecall retired",
    "ebreak": "an ebreak retired",
    "limit": "the cycle budget ran out, at an instruction boundary",
    "trap": "an instruction trapped (there is no handler)",
    "spin": "the jump to itself `jal x0, 0` retired: nothing can change any more",
}
EXIT_CODES: dict[str, int] = {name: code for code, name in enumerate(EXITS)}
EXIT_NAMES: tuple[str, ...] = tuple(EXITS)

# Trap causes, by the code the ISS and the RTL report (docs/isa.md, "Traps"); 0 is no trap.
TRAP_CAUSES: dict[int, str] = {
    1: "instruction_access_fault",  # pc outside instruction memory
    2: "illegal_instruction",
    3: "instruction_address_misaligned",  # jump or branch target not a multiple of 4
    4: "load_address_misaligned",
    5: "load_access_fault",
    6: "store_address_misaligned",
    7: "store_access_fault",
    8: "vector_load_use",  # a vector load's destination used by the next instruction
}
TRAP_CODES: dict[str, int] = {name: code for code, name in TRAP_CAUSES.items()}

# The spin `j .` that FeNN-DMA firmware ends in: it stops a run as ecall does.
SPIN_WORD = encode("jal", xd=0, joff=0)
