"""Our assembler against GNU as byte for byte, and our disassembler against GNU objdump."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from elftools.elf.elffile import ELFFile

from riscv_soc.isa.asm import assemble
from riscv_soc.isa.csr import CSRS
from riscv_soc.isa.disasm import disassemble
from riscv_soc.isa.table import INSTRS, OPERANDS

pytestmark = pytest.mark.gnu

CORPUS = Path(__file__).parent / "corpus" / "pseudos.s"
REGISTERS = ("zero", "ra", "sp", "a0", "s11", "t6", "t0")
VALUES = {
    "imm12": (-2048, -1, 0, 1, 2047),
    "simm12": (2047, -2048, 0, -1, 1),
    "shamt": (0, 1, 31, 17),
    "uimm20": (0, 1, 0x80000, 0xFFFFF),
    "csr": ("mcycle", "cycle", "mhpmcounter8h", "0xbc0", "0xfd0", "0xfff", "mhartid"),
    "uimm5": (0, 17, 31, 1),
}
TARGETS = {
    "boff": ("behind", "ahead", ". + 4094", ". - 4096"),
    "joff": ("behind", "ahead", ". + 1048574", ". - 1048576"),
}


def scalar_corpus() -> str:
    """Every scalar instruction of the table, four operand combinations each, with immediates at
    their range edges and branches to labels behind and ahead and to the farthest offsets."""
    lines = ["_start:", "behind:"]
    for instr in INSTRS:
        if instr.ext == "FeNN":
            continue
        for k in range(4):
            values = {}
            for n, slot in enumerate(instr.operands):
                if OPERANDS[slot].kind == "xreg":
                    values[slot] = REGISTERS[(3 * k + n) % len(REGISTERS)]
                elif slot in TARGETS:
                    values[slot] = TARGETS[slot][k]
                else:
                    values[slot] = str(VALUES[slot][k % len(VALUES[slot])])
            operands = re.sub(r"[a-z]+[0-9]*", lambda m, v=values: v[m.group(0)], instr.syntax)
            lines.append(f"    {instr.name} {operands}")
    lines += ["ahead:", "    ecall", ""]
    return "\n".join(lines)


def gnu_form(source: str) -> str:
    """Our `la` is absolute: GNU as gets the equivalent lui %hi / addi %lo pair."""
    return re.sub(
        r"^(\s*)la\s+(\w+),\s*(.+)$",
        r"\1lui \2, %hi(\3)\n\1addi \2, \2, %lo(\3)",
        source,
        flags=re.MULTILINE,
    )


def elf_section(path: Path, name: str) -> bytes:
    with path.open("rb") as f:
        section = ELFFile(f).get_section_by_name(name)
        return section.data() if section is not None else b""


def image_section(image, name: str) -> bytes:
    return next(s.data for s in image.sections if s.name == name)


def first_difference(ours: bytes, theirs: bytes) -> str:
    for offset in range(0, max(len(ours), len(theirs)), 4):
        a, b = ours[offset : offset + 4], theirs[offset : offset + 4]
        if a != b:
            wa, wb = int.from_bytes(a, "little"), int.from_bytes(b, "little")
            return (
                f"at {offset:#x}: ours {wa:08x} ({disassemble(wa, offset)}), "
                f"GNU {wb:08x} ({disassemble(wb, offset)})"
            )
    return "no difference"


def assert_same(ours: bytes, theirs: bytes) -> None:
    assert ours == theirs, first_difference(ours, theirs)


def test_corpus_covers_every_scalar_instruction():
    source = scalar_corpus()
    names = {line.split()[0] for line in source.splitlines() if line.startswith("    ")}
    assert names >= {i.name for i in INSTRS if i.ext != "FeNN"}


def test_scalar_instructions_match_gnu(gnu):
    source = scalar_corpus()
    ours = image_section(assemble(source, "scalar.s"), ".text")
    assert_same(ours, elf_section(gnu.link(source), ".text"))


def test_pseudo_instructions_labels_and_directives_match_gnu(gnu):
    source = CORPUS.read_text()
    image = assemble(source, str(CORPUS))
    elf = gnu.link(gnu_form(source))
    assert_same(image_section(image, ".text"), elf_section(elf, ".text"))
    assert_same(image_section(image, ".data"), elf_section(elf, ".data"))


def objdump_text(line: str) -> str:
    text = line.split("#")[0].strip()
    text = re.sub(r"\b([0-9a-f]+) <[^>]*>", lambda m: f"{int(m.group(1), 16):#x}", text)
    text = text.replace("fence\tiorw,iorw", "fence")  # our only fence: no operands
    return re.sub(r"\s+", " ", text).replace(", ", ",")


def ours_text(word: int, pc: int) -> str:
    text = disassemble(word, pc, aliases=False).replace(", ", ",")
    # objdump knows the standard CSRs by name and ours by number only.
    for name, number in CSRS.items():
        if name.startswith("dma_"):
            text = re.sub(rf"\b{name}\b", f"{number:#x}", text)
    return text


def test_disassembler_matches_objdump_without_aliases(gnu):
    elf = gnu.link(scalar_corpus())
    dump = gnu.run("objdump", "-d", "-M", "no-aliases", elf)
    checked = 0
    for line in dump.splitlines():
        m = re.match(r"\s*([0-9a-f]+):\s+([0-9a-f]{8})\s+(.*)$", line)
        if m is None or m.group(2) == "c0001073":  # objdump spells this one `unimp` regardless
            continue
        pc, word = int(m.group(1), 16), int(m.group(2), 16)
        assert ours_text(word, pc) == objdump_text(m.group(3)), f"{pc:#x}: {word:08x}"
        checked += 1
    assert checked > 200


def test_every_gnu_csr_name_assembles_as_gnu_does(gnu):
    """Every CSR name GNU as knows, standard or alias, gives GNU's word (csr_names.GNU_AS)."""
    from riscv_soc.isa.csr_names import GNU_AS

    lines = ["_start:"]
    for name in GNU_AS:
        lines += [f"    csrrs a0, {name}, a1", f"    csrrsi x0, {name}, 1"]
    source = "\n".join(lines) + "\n"
    assert_same(
        image_section(assemble(source, "csrs.s"), ".text"), elf_section(gnu.link(source), ".text")
    )


def test_gnu_as_rejects_what_we_do_not_list(gnu, tmp_path):
    """GNU as knows no CSR name that csr_names lacks: names close to ours are refused by both."""
    from riscv_soc.isa.csr_names import GNU_AS

    for name in ("mcountinhibitx", "mhpmcounter32", "pmpaddr64", "foo"):
        assert name not in GNU_AS
        src = tmp_path / "bad.s"
        src.write_text(f"    csrr a0, {name}\n")
        done = subprocess.run(
            ["riscv64-unknown-elf-as", "-o", tmp_path / "bad.o", src],
            capture_output=True,
            text=True,
        )
        assert "unknown CSR" in done.stderr, name


def test_disassembler_names_every_csr_number_as_objdump(gnu):
    """All 4096 CSR numbers: objdump's name (or number) for each, ours the same except for the
    DMA registers, which objdump does not know."""
    source = "_start:\n" + "".join(f"    .word {(n << 20) | 0x2073:#x}\n" for n in range(4096))
    source += "".join(f"    .word {(n << 20) | (5 << 15) | 0x2573:#x}\n" for n in range(4096))
    elf = gnu.link(source)
    dump = gnu.run("objdump", "-D", "-j", ".text", elf)
    checked = 0
    for line in dump.splitlines():
        m = re.match(r"\s*([0-9a-f]+):\s+([0-9a-f]{8})\s+(.*)$", line)
        if m is None:
            continue
        pc, word = int(m.group(1), 16), int(m.group(2), 16)
        ours = disassemble(word, pc).replace(", ", ",")
        for name, number in CSRS.items():
            if name.startswith("dma_"):
                ours = re.sub(rf"\b{name}\b", f"{number:#x}", ours)
        assert ours == objdump_text(m.group(3)), f"{pc:#x}: {word:08x}"
        checked += 1
    assert checked == 8192
