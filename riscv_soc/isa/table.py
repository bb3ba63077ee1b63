"""The one table of instruction encodings.

Everything that knows an encoding derives it from here: the assembler, the disassembler, the ISS
decoder, the generated SystemVerilog package and the tables of docs/isa.md. Each instruction is one
line: its mnemonic, its operand syntax and the bits it fixes; masks, matches and op ids are derived.

Operand syntax names an operand kind per comma-separated slot; a slot `imm(xs1)` is a memory
operand.
Operand kinds and where their bits go are in `OPERANDS`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, overload

if TYPE_CHECKING:
    import numpy as np

# Bit positions of the standard fields.
RD = (11, 7)
RS1 = (19, 15)
RS2 = (24, 20)
FUNCT3 = (14, 12)
FUNCT7 = (31, 25)
OPCODE = (6, 0)


@dataclass(frozen=True)
class Operand:
    """One operand kind: the register class or immediate it holds and how it is encoded."""

    name: str
    kind: str  # "xreg", "vreg", "imm" (signed), "uimm" (unsigned), "csr"
    bits: tuple[tuple[int, int], ...] = ()  # instruction bit ranges, most significant first
    width: int = 0  # immediate width in bits (before any implicit low zero bits)
    align: int = 1  # immediate must be a multiple of this (branch and jump offsets: 2)
    doc: str = ""


def _reg(name: str, kind: str, where: tuple[int, int], doc: str) -> Operand:
    return Operand(name, kind, (where,), 5, doc=doc)


OPERANDS: dict[str, Operand] = {
    op.name: op
    for op in (
        _reg("xd", "xreg", RD, "scalar destination"),
        _reg("xs1", "xreg", RS1, "scalar source 1"),
        _reg("xs2", "xreg", RS2, "scalar source 2"),
        _reg("vd", "vreg", RD, "vector destination"),
        _reg("vs1", "vreg", RS1, "vector source 1"),
        _reg("vs2", "vreg", RS2, "vector source 2"),
        Operand("imm12", "imm", ((31, 20),), 12, doc="signed 12-bit immediate"),
        Operand("simm12", "imm", ((31, 25), (11, 7)), 12, doc="signed 12-bit store offset"),
        Operand("boff", "imm", ((31, 31), (7, 7), (30, 25), (11, 8)), 13, 2, "branch offset"),
        Operand("joff", "imm", ((31, 31), (19, 12), (20, 20), (30, 21)), 21, 2, "jump offset"),
        Operand("uimm20", "uimm", ((31, 12),), 20, doc="upper 20 bits"),
        Operand("shamt", "uimm", ((24, 20),), 5, doc="shift amount 0-31"),
        Operand("csr", "csr", ((31, 20),), 12, doc="CSR number"),
        Operand("uimm5", "uimm", ((19, 15),), 5, doc="CSR immediate 0-31"),
        Operand("imm16", "imm", ((27, 12),), 16, doc="16-bit lane value (VLUI)"),
        Operand("vshift", "uimm", ((28, 25),), 4, doc="VMUL shift 0-15"),
        Operand("ishift", "uimm", ((23, 20),), 4, doc="VSLLI/VSRAI shift 0-15"),
        Operand("lane", "uimm", ((24, 20),), 5, doc="lane 0-31"),
        Operand("nbits", "uimm", ((28, 25),), 4, doc="VANDADD mask width 0-15"),
    )
}

# Classes of instruction: they decide which activity counter an instruction increments.
SCALAR, SCALAR_MEM, VEC_ALU, VEC_MEM, LANE_LOCAL, SYSTEM = (
    "scalar",
    "scalar_mem",
    "vec_alu",
    "vec_mem",
    "lane_local",
    "system",
)


@dataclass(frozen=True)
class Instr:
    """One instruction: mnemonic, operand syntax, fixed bits, timing and class."""

    name: str
    syntax: str  # e.g. "xd, xs1, imm12" or "vd, imm12(xs1)"
    fixed: tuple[tuple[tuple[int, int], int], ...]
    ext: str  # "I", "M", "Zicsr", "Zbb", "FeNN"
    klass: str = SCALAR
    cycles: int = 1
    doc: str = ""
    mask: int = field(init=False)
    match: int = field(init=False)
    operands: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        mask = match = 0
        for (hi, lo), value in self.fixed:
            bits = ((1 << (hi - lo + 1)) - 1) << lo
            if mask & bits:
                raise ValueError(f"{self.name}: fixed bits overlap at [{hi}:{lo}]")
            if value >> (hi - lo + 1):
                raise ValueError(f"{self.name}: value {value:#x} does not fit [{hi}:{lo}]")
            mask |= bits
            match |= value << lo
        ops = tuple(_operand_names(self.syntax))
        for name in ops:
            for hi, lo in OPERANDS[name].bits:
                bits = ((1 << (hi - lo + 1)) - 1) << lo
                if mask & bits:
                    raise ValueError(f"{self.name}: operand {name} overlaps fixed bits")
        object.__setattr__(self, "mask", mask)
        object.__setattr__(self, "match", match)
        object.__setattr__(self, "operands", ops)


def _operand_names(syntax: str) -> list[str]:
    names = []
    for slot in (s.strip() for s in syntax.split(",") if s.strip()):
        if "(" in slot:
            imm, base = slot.rstrip(")").split("(")
            names += [imm, base]
        else:
            names.append(slot)
    return names


def _r(opcode: int, f3: int, f7: int) -> tuple:
    return ((OPCODE, opcode), (FUNCT3, f3), (FUNCT7, f7))


def _i(opcode: int, f3: int) -> tuple:
    return ((OPCODE, opcode), (FUNCT3, f3))


def _scalar() -> list[Instr]:
    out = [
        Instr("lui", "xd, uimm20", ((OPCODE, 0x37),), "I"),
        Instr("auipc", "xd, uimm20", ((OPCODE, 0x17),), "I"),
        Instr("jal", "xd, joff", ((OPCODE, 0x6F),), "I"),
        Instr("jalr", "xd, imm12(xs1)", _i(0x67, 0), "I"),
    ]
    for name, f3 in (("beq", 0), ("bne", 1), ("blt", 4), ("bge", 5), ("bltu", 6), ("bgeu", 7)):
        out.append(Instr(name, "xs1, xs2, boff", _i(0x63, f3), "I"))
    for name, f3 in (("lb", 0), ("lh", 1), ("lw", 2), ("lbu", 4), ("lhu", 5)):
        out.append(Instr(name, "xd, imm12(xs1)", _i(0x03, f3), "I", SCALAR_MEM))
    for name, f3 in (("sb", 0), ("sh", 1), ("sw", 2)):
        out.append(Instr(name, "xs2, simm12(xs1)", _i(0x23, f3), "I", SCALAR_MEM))
    for name, f3 in (("addi", 0), ("slti", 2), ("sltiu", 3), ("xori", 4), ("ori", 6), ("andi", 7)):
        out.append(Instr(name, "xd, xs1, imm12", _i(0x13, f3), "I"))
    for name, f3, f7 in (("slli", 1, 0x00), ("srli", 5, 0x00), ("srai", 5, 0x20)):
        out.append(Instr(name, "xd, xs1, shamt", _r(0x13, f3, f7), "I"))
    for name, f3, f7 in (
        ("add", 0, 0x00),
        ("sub", 0, 0x20),
        ("sll", 1, 0x00),
        ("slt", 2, 0x00),
        ("sltu", 3, 0x00),
        ("xor", 4, 0x00),
        ("srl", 5, 0x00),
        ("sra", 5, 0x20),
        ("or", 6, 0x00),
        ("and", 7, 0x00),
    ):
        out.append(Instr(name, "xd, xs1, xs2", _r(0x33, f3, f7), "I"))
    # fence orders nothing here (one hart, in-order memories): only the iorw,iorw form.
    out.append(Instr("fence", "", (((31, 0), 0x0FF0000F),), "I", SYSTEM))
    out.append(Instr("ecall", "", (((31, 0), 0x00000073),), "I", SYSTEM))
    out.append(Instr("ebreak", "", (((31, 0), 0x00100073),), "I", SYSTEM))
    for f3, name in enumerate(("mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu")):
        out.append(
            Instr(name, "xd, xs1, xs2", _r(0x33, f3, 0x01), "M", cycles=33 if f3 >= 4 else 1)
        )
    for name, f3 in (("csrrw", 1), ("csrrs", 2), ("csrrc", 3)):
        out.append(Instr(name, "xd, csr, xs1", _i(0x73, f3), "Zicsr", SYSTEM))
    for name, f3 in (("csrrwi", 5), ("csrrsi", 6), ("csrrci", 7)):
        out.append(Instr(name, "xd, csr, uimm5", _i(0x73, f3), "Zicsr", SYSTEM))
    for name, sel in (("clz", 0), ("ctz", 1), ("cpop", 2), ("sext.b", 4), ("sext.h", 5)):
        out.append(Instr(name, "xd, xs1", (*_r(0x13, 1, 0x30), (RS2, sel)), "Zbb"))
    return out


# FeNN vector opcodes: quadrant 0b10, major opcode in bits [6:2].
VSOP = 0x02
VLUI = 0x06
VTST = 0x0A
VSEL = 0x0E
VLOAD = 0x12
VSTORE = 0x16
VMOV = 0x1A
VSPC = 0x22
VSOPI = 0x26

ROUND_MODES = {"": 0, "_rn": 1, "_rs": 2}  # floor ("RZ"), round-half-up, stochastic


def _vector() -> list[Instr]:
    v = "FeNN"
    out = []
    for name, f3 in (("vadd", 0), ("vsub", 2)):
        out.append(Instr(name, "vd, vs1, vs2", _r(VSOP, f3, 0x00), v, VEC_ALU))
        out.append(Instr(name + "_s", "vd, vs1, vs2", _r(VSOP, f3, 0x40), v, VEC_ALU))
    for name, f3 in (("vand", 3), ("vsll", 1), ("vsra", 5)):
        out.append(Instr(name, "vd, vs1, vs2", _r(VSOP, f3, 0x00), v, VEC_ALU))
    for sat in ("", "_s"):
        for rnd, code in ROUND_MODES.items():
            top = ((31, 31), 1 if sat else 0), ((30, 29), code)
            out.append(
                Instr(
                    f"vmul{sat}{rnd}",
                    "vd, vs1, vs2, vshift",
                    ((OPCODE, VSOP), (FUNCT3, 4), *top),
                    v,
                    VEC_ALU,
                )
            )
    imm_top = (31, 24)  # imm[11:4] of VSOP-IMM: zero apart from the rounding field
    out.append(Instr("vslli", "vd, vs1, ishift", (*_i(VSOPI, 0), (imm_top, 0x00)), v, VEC_ALU))
    for rnd, code in ROUND_MODES.items():
        fixed = (*_i(VSOPI, 1), ((31, 26), 0), ((25, 24), code))
        out.append(Instr("vsrai" + rnd, "vd, vs1, ishift", fixed, v, VEC_ALU))
    for name, f3 in (("vteq", 0), ("vtne", 2), ("vtlt", 4), ("vtge", 6)):
        out.append(Instr(name, "xd, vs1, vs2", _r(VTST, f3, 0x00), v, VEC_ALU))
    out += [
        Instr("vsel", "vd, xs1, vs2", _r(VSEL, 0, 0x00), v, VEC_ALU),
        Instr("vlui", "vd, imm16", ((OPCODE, VLUI), ((31, 28), 0)), v, VEC_ALU),
        Instr("vfill", "vd, xs1", (*_i(VMOV, 0), ((31, 20), 0)), v, VEC_ALU),
        Instr("vextract", "xd, vs1, lane", (*_i(VMOV, 1), ((31, 25), 0)), v, VEC_ALU),
        Instr("vrng", "vd", (*_r(VSPC, 0, 0x00), (RS1, 0), (RS2, 0)), v, VEC_ALU),
        Instr("vandadd", "vd, vs1, xs2, nbits", (*_i(VSPC, 1), ((31, 29), 0)), v, VEC_ALU),
        Instr("vloadv", "vd, imm12(xs1)", _i(VLOAD, 0), v, VEC_MEM),
        Instr("vloadr0", "imm12(xs1)", (*_i(VLOAD, 1), (RD, 0)), v, VEC_MEM),
        Instr("vloadl", "vd, imm12(vs1)", _i(VLOAD, 2), v, LANE_LOCAL),
        Instr("vloadr1", "imm12(xs1)", (*_i(VLOAD, 5), (RD, 0)), v, VEC_MEM),
        Instr("vstorev", "vs2, simm12(xs1)", _i(VSTORE, 0), v, VEC_MEM),
        Instr("vstorel", "vs2, simm12(vs1)", _i(VSTORE, 2), v, LANE_LOCAL),
    ]
    return out


INSTRS: tuple[Instr, ...] = tuple(_scalar() + _vector())
BY_NAME: dict[str, Instr] = {i.name: i for i in INSTRS}
OP_ID: dict[str, int] = {i.name: n for n, i in enumerate(INSTRS)}
ILLEGAL_OP = len(INSTRS)  # op id of any word no instruction matches


def _check_unambiguous() -> None:
    for a_idx, a in enumerate(INSTRS):
        for b in INSTRS[a_idx + 1 :]:
            common = a.mask & b.mask
            if (a.match & common) == (b.match & common):
                raise ValueError(f"encodings of {a.name} and {b.name} can match the same word")


_check_unambiguous()


def lookup(word: int) -> Instr | None:
    """The instruction that encodes `word`, or None for an illegal word."""
    for instr in INSTRS:
        if word & instr.mask == instr.match:
            return instr
    return None


@overload
def extract(operand: Operand, word: int) -> int: ...
@overload
def extract(operand: Operand, word: np.ndarray) -> np.ndarray: ...
def extract(operand: Operand, word: Any) -> Any:
    """Operand value held in `word` (sign-extended for signed immediates); `word` may be an array
    of words (the ISS decodes a whole image at once)."""
    value = 0
    for hi, lo in operand.bits:
        width = hi - lo + 1
        value = (value << width) | ((word >> lo) & ((1 << width) - 1))
    low_zero_bits = 1 if operand.align == 2 else 0
    value <<= low_zero_bits
    if operand.kind == "imm" and value >> (operand.width - 1):
        value -= 1 << operand.width
    return value


def insert(operand: Operand, value: int) -> int:
    """Bits of `word` that hold `value` for `operand` (the value must already be range-checked)."""
    low_zero_bits = 1 if operand.align == 2 else 0
    raw = (value & ((1 << operand.width) - 1)) >> low_zero_bits
    total = sum(hi - lo + 1 for hi, lo in operand.bits)
    word = 0
    for hi, lo in operand.bits:
        width = hi - lo + 1
        total -= width
        word |= ((raw >> total) & ((1 << width) - 1)) << lo
    return word


def encode(name: str, **values: int) -> int:
    """Machine word for instruction `name` with operand values given by operand kind name."""
    instr = BY_NAME[name]
    word = instr.match
    for op_name in instr.operands:
        word |= insert(OPERANDS[op_name], values[op_name])
    return word


def operand_range(operand: Operand) -> tuple[int, int]:
    """Smallest and largest value an operand can hold."""
    if operand.kind == "imm":
        return -(1 << (operand.width - 1)), (1 << (operand.width - 1)) - 1
    return 0, (1 << operand.width) - 1
