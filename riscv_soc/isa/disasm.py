"""The disassembler: machine words back to assembler text.

Output re-assembles to the same word (`riscv_soc.isa.asm`); scalar instructions use GNU objdump's
spelling, including its aliases (`li`, `mv`, `ret`, `beqz`, `csrr`, ...), but canonical mnemonics
where objdump 2.40 prints `add`/`sll` for `addi`/`slli`. The ISS uses it to name a trapping
instruction; listings and `snnsoc disasm` use it for images.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from riscv_soc.image import Image
from riscv_soc.isa.csr import ASM_NAMES, DISASM_NAMES
from riscv_soc.isa.registers import vreg_name, xreg_name
from riscv_soc.isa.table import OPERANDS, Instr, extract, lookup

Values = dict[str, int]

# GNU objdump's aliases: (mnemonic, condition on the operand values, alias). First match wins.
_READ_COUNTERS = {
    ASM_NAMES[n]: "rd" + n for n in ("cycle", "cycleh", "time", "timeh", "instret", "instreth")
}
ALIASES: tuple[tuple[str, Callable[[Values], bool], str], ...] = (
    ("addi", lambda v: v["xd"] == v["xs1"] == v["imm12"] == 0, "nop"),
    ("addi", lambda v: v["xs1"] == 0, "li xd, imm12"),
    ("addi", lambda v: v["imm12"] == 0, "mv xd, xs1"),
    ("xori", lambda v: v["imm12"] == -1, "not xd, xs1"),
    ("sub", lambda v: v["xs1"] == 0, "neg xd, xs2"),
    ("sltiu", lambda v: v["imm12"] == 1, "seqz xd, xs1"),
    ("sltu", lambda v: v["xs1"] == 0, "snez xd, xs2"),
    ("slt", lambda v: v["xs2"] == 0, "sltz xd, xs1"),
    ("slt", lambda v: v["xs1"] == 0, "sgtz xd, xs2"),
    ("andi", lambda v: v["imm12"] == 255, "zext.b xd, xs1"),
    ("beq", lambda v: v["xs2"] == 0, "beqz xs1, boff"),
    ("bne", lambda v: v["xs2"] == 0, "bnez xs1, boff"),
    ("bge", lambda v: v["xs1"] == 0, "blez xs2, boff"),
    ("bge", lambda v: v["xs2"] == 0, "bgez xs1, boff"),
    ("blt", lambda v: v["xs2"] == 0, "bltz xs1, boff"),
    ("blt", lambda v: v["xs1"] == 0, "bgtz xs2, boff"),
    ("jal", lambda v: v["xd"] == 0, "j joff"),
    ("jal", lambda v: v["xd"] == 1, "jal joff"),
    ("jalr", lambda v: v["xd"] == 0 and v["xs1"] == 1 and v["imm12"] == 0, "ret"),
    ("jalr", lambda v: v["xd"] == 0 and v["imm12"] == 0, "jr xs1"),
    ("jalr", lambda v: v["xd"] == 0, "jr imm12(xs1)"),
    ("jalr", lambda v: v["xd"] == 1 and v["imm12"] == 0, "jalr xs1"),
    ("jalr", lambda v: v["xd"] == 1, "jalr imm12(xs1)"),
    ("csrrw", lambda v: v["xd"] == v["xs1"] == 0 and v["csr"] == ASM_NAMES["cycle"], "unimp"),
    *(
        ("csrrs", lambda v, n=num: v["xs1"] == 0 and v["csr"] == n, f"{name} xd")
        for num, name in _READ_COUNTERS.items()
    ),
    ("csrrs", lambda v: v["xs1"] == 0, "csrr xd, csr"),
    ("csrrw", lambda v: v["xd"] == 0, "csrw csr, xs1"),
    ("csrrs", lambda v: v["xd"] == 0, "csrs csr, xs1"),
    ("csrrc", lambda v: v["xd"] == 0, "csrc csr, xs1"),
    ("csrrwi", lambda v: v["xd"] == 0, "csrwi csr, uimm5"),
    ("csrrsi", lambda v: v["xd"] == 0, "csrsi csr, uimm5"),
    ("csrrci", lambda v: v["xd"] == 0, "csrci csr, uimm5"),
)
_HEX_OPERANDS = {"uimm20", "shamt"}  # objdump prints these in hex
_NAME_RE = re.compile(r"[a-z][a-z0-9]*")


def decode(word: int) -> tuple[Instr, Values] | None:
    """The instruction of `word` and its operand values by operand kind, or None if illegal."""
    instr = lookup(word)
    if instr is None:
        return None
    return instr, {name: extract(OPERANDS[name], word) for name in instr.operands}


def disassemble(word: int, pc: int | None = None, aliases: bool = True) -> str:
    """`word` in assembler syntax. Branch and jump targets are absolute (`0x1c`) when `pc` is
    given, else relative (`.+8`); an illegal word is `.word 0x...`."""
    decoded = decode(word)
    if decoded is None:
        return f".word {word:#010x}"
    instr, values = decoded
    mnemonic, syntax = instr.name, instr.syntax
    if aliases:
        for name, condition, spelling in ALIASES:
            if name == instr.name and condition(values):
                mnemonic, _, syntax = spelling.partition(" ")
                break
    operands = _NAME_RE.sub(lambda m: _format(m.group(0), values, pc), syntax)
    return f"{mnemonic} {operands}".strip()


def _format(kind: str, values: Values, pc: int | None) -> str:
    value = values[kind]
    operand = OPERANDS[kind]
    if operand.kind == "xreg":
        return xreg_name(value)
    if operand.kind == "vreg":
        return vreg_name(value)
    if operand.kind == "csr":
        return DISASM_NAMES.get(value, f"{value:#x}")
    if operand.align == 2:
        return f"{(pc + value) & 0xFFFFFFFF:#x}" if pc is not None else f".{value:+d}"
    if kind in _HEX_OPERANDS:
        return f"{value:#x}"
    return str(value)


def disassemble_image(image: Image) -> str:
    """Every word of instruction memory the image fills: address, word in hex, instruction, with
    the image's imem labels on lines of their own."""
    labels: dict[int, list[str]] = {}
    for sym in image.symbols.values():
        if sym.memory == "imem":
            labels.setdefault(sym.address, []).append(sym.name)
    lines = []
    for sec in sorted((s for s in image.sections if s.memory == "imem"), key=lambda s: s.address):
        lines.append(f"section {sec.name} (imem {sec.address:#x}..{sec.end:#x}):")
        data = sec.data + bytes(sec.size - len(sec.data))
        for offset in range(0, len(data) - len(data) % 4, 4):
            address = sec.address + offset
            lines.extend(f"{name}:" for name in sorted(labels.get(address, ())))
            word = int.from_bytes(data[offset : offset + 4], "little")
            lines.append(f"  {address:08x}:  {word:08x}  {disassemble(word, address)}")
    return "\n".join(lines) + "\n"
