"""docs/isa.md carries the current generated instruction tables."""

from __future__ import annotations

from riscv_soc.isa import docgen
from riscv_soc.isa.builder import PSEUDOS
from riscv_soc.isa.table import INSTRS


def test_docs_isa_md_is_current():
    text = docgen.ISA_MD.read_text()
    assert docgen.BEGIN in text and docgen.END in text
    assert docgen.updated(text) == text, "run: python -m riscv_soc.isa.docgen"
    assert docgen.main(["--check"]) == 0


def test_tables_list_every_instruction_and_pseudo_instruction():
    block = docgen.render()
    for instr in INSTRS:
        syntax = f"{instr.name} {instr.syntax}".strip()
        assert f"| `{instr.name}` | `{syntax}` |" in block, instr.name
        assert f"`{instr.match:#010x}` | `{instr.mask:#010x}`" in block
    for pseudo in PSEUDOS:
        assert f"| `{f'{pseudo.name} {pseudo.syntax}'.strip()}` |" in block


def test_update_replaces_only_the_generated_block(tmp_path):
    path = tmp_path / "isa.md"
    path.write_text("# Title\n\nhand-written\n")
    assert docgen.main([str(path), "--check"]) == 1
    assert docgen.main([str(path)]) == 0
    once = path.read_text()
    assert once.startswith("# Title\n\nhand-written\n") and once.endswith(docgen.END + "\n")
    path.write_text(once.replace("hand-written", "edited"))
    docgen.main([str(path)])
    assert path.read_text() == once.replace("hand-written", "edited")
