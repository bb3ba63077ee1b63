"""Register names of the scalar core and the vector unit.

The assembler and builder turn names into numbers here; the disassembler turns numbers back into the
ABI names GNU objdump prints.
"""

from __future__ import annotations

XREG_ABI: tuple[str, ...] = (
    *("zero", "ra", "sp", "gp", "tp"),  # x0-x4
    *(f"t{n}" for n in range(3)),  # x5-x7
    *("s0", "s1"),  # x8-x9
    *(f"a{n}" for n in range(8)),  # x10-x17
    *(f"s{n}" for n in range(2, 12)),  # x18-x27
    *(f"t{n}" for n in range(3, 7)),  # x28-x31
)

XREGS: dict[str, int] = {
    **{f"x{n}": n for n in range(32)},
    **{name: n for n, name in enumerate(XREG_ABI)},
    "fp": 8,
}
VREGS: dict[str, int] = {f"v{n}": n for n in range(32)}

# Operand kinds of the encoding table that name a register class, and how errors describe them.
REGISTER_CLASSES = {"xreg": ("a scalar register", XREGS), "vreg": ("a vector register", VREGS)}


def register_class(name: str) -> str | None:
    """ "xreg", "vreg" or None: which register file `name` belongs to."""
    name = name.lower()
    if name in XREGS:
        return "xreg"
    if name in VREGS:
        return "vreg"
    return None


def is_register(name: str) -> bool:
    return register_class(name) is not None


def xreg_name(number: int) -> str:
    return XREG_ABI[number]


def vreg_name(number: int) -> str:
    return f"v{number}"
