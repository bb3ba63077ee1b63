"""Generates the instruction tables at the end of docs/isa.md from the encoding table.

`python -m riscv_soc.isa.docgen` rewrites the part between the markers; `--check` exits 1 when
the file is stale (tests/isa/test_docgen.py checks the same). Instructions and operand fields come
from `riscv_soc.isa.table`, pseudo-instructions from the builder, directives from the assembler.
"""

from __future__ import annotations

import sys
from pathlib import Path

from riscv_soc.errors import ConfigError
from riscv_soc.isa.asm import DIRECTIVES
from riscv_soc.isa.builder import PSEUDOS
from riscv_soc.isa.csr import COUNTER_OF_CLASS
from riscv_soc.isa.table import (
    INSTRS,
    OPERANDS,
    Operand,
    operand_range,
)
from snnsoc_common.artefacts import write_text

BEGIN = "<!-- BEGIN GENERATED -->"
END = "<!-- END GENERATED -->"
ISA_MD = Path(__file__).resolve().parents[2] / "docs" / "isa.md"


def _bits(operand: Operand) -> str:
    ranges = ", ".join(f"{hi}:{lo}" if hi != lo else str(hi) for hi, lo in operand.bits)
    return ranges + (" (bit 0 implied 0)" if operand.align == 2 else "")


def _range(operand: Operand) -> str:
    if operand.kind in ("xreg", "vreg"):
        return "0-31"
    lo, hi = operand_range(operand)
    if operand.align == 2:
        return f"{lo}..{hi - 1}, even"
    return f"{lo}..{hi}"


def render() -> str:
    """The generated block, markers included."""
    out = [
        BEGIN,
        "",
        "## Instruction tables (generated)",
        "",
        "Generated from `riscv_soc/isa/table.py` by `python -m riscv_soc.isa.docgen`; do not edit.",
        "A word is instruction X when `word & mask == match`. Class names the activity counter an",
        "instruction increments (none for scalar ALU, control and system instructions). Assembly",
        "syntax, expressions and sections: [assembly.md](assembly.md).",
        "",
        "| instruction | syntax | extension | match | mask | class (counter) | cycles |",
        "|---|---|---|---|---|---|---|",
    ]
    for instr in INSTRS:
        counter = COUNTER_OF_CLASS.get(instr.klass)
        klass = f"{instr.klass} (`{counter}`)" if counter else instr.klass
        syntax = f"{instr.name} {instr.syntax}".strip()
        out.append(
            f"| `{instr.name}` | `{syntax}` | {instr.ext} | `{instr.match:#010x}` "
            f"| `{instr.mask:#010x}` | {klass} | {instr.cycles} |"
        )
    out += [
        "",
        "### Operand fields",
        "",
        "| operand | kind | instruction bits (most significant first) | values | meaning |",
        "|---|---|---|---|---|",
    ]
    for op in OPERANDS.values():
        out.append(f"| `{op.name}` | {op.kind} | {_bits(op)} | {_range(op)} | {op.doc} |")
    out += [
        "",
        "`vlui` also accepts `imm16` as 0..65535 (the same 16 bits). Branch and jump operands",
        "are written as target addresses (labels, `.+8`, absolute numbers); the offset from the",
        "instruction's own address is encoded.",
        "",
        "### Pseudo-instructions",
        "",
        "| pseudo-instruction | expands to |",
        "|---|---|",
    ]
    for pseudo in PSEUDOS:
        syntax = f"{pseudo.name} {pseudo.syntax}".strip()
        expansion = pseudo.describe() if pseudo.doc else f"`{pseudo.describe()}`"
        out.append(f"| `{syntax}` | {expansion} |")
    out += [
        "",
        "### Assembler directives",
        "",
        "| directive | meaning |",
        "|---|---|",
    ]
    for name, (syntax, doc) in DIRECTIVES.items():
        out.append(f"| `{f'{name} {syntax}'.strip()}` | {doc} |")
    out += ["", END]
    return "\n".join(out) + "\n"


def updated(text: str) -> str:
    """`text` with its generated block replaced (appended when it has none)."""
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        return head + render().rstrip("\n") + tail
    return text.rstrip("\n") + "\n\n" + render()


def main(argv: list[str]) -> int:
    check = "--check" in argv
    paths = [a for a in argv if a != "--check"]
    path = Path(paths[0]) if paths else ISA_MD
    if not path.exists():
        raise ConfigError(f"{path}: no such file to update")
    text = path.read_text()
    new = updated(text)
    if check:
        if new != text:
            print(f"{path} is stale: run python -m riscv_soc.isa.docgen", file=sys.stderr)
            return 1
        return 0
    if new != text:
        write_text(path, new)
        print(f"updated {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
