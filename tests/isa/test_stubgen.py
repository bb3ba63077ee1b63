"""The checked-in builder stub is generated from builder.py and the table, and is current."""

from __future__ import annotations

import ast

from riscv_soc.isa import builder, stubgen


def test_checked_in_stub_is_current():
    assert stubgen.STUB_PATH.read_text() == stubgen.formatted_stub(), (
        "run: python -m riscv_soc.isa.stubgen"
    )


def _top_level_names(tree: ast.Module) -> set[str]:
    names = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    names |= {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets}
    names |= {n.target.id for n in tree.body if isinstance(n, ast.AnnAssign)}
    return {name for name in names if not name.startswith("_")}


def test_the_stub_declares_every_mnemonic_method_and_every_public_name():
    stub = ast.parse(stubgen.STUB_PATH.read_text())
    cls = next(n for n in stub.body if isinstance(n, ast.ClassDef) and n.name == "Builder")
    methods = {n.name for n in cls.body if isinstance(n, ast.FunctionDef)}
    assert {builder.method_name(m) for m in builder.MNEMONICS} <= methods
    source = ast.parse(stubgen.SOURCE.read_text())
    assert _top_level_names(source) == _top_level_names(stub)


def test_each_form_takes_one_positional_parameter_per_operand():
    stub = ast.parse(stubgen.STUB_PATH.read_text())
    cls = next(n for n in stub.body if isinstance(n, ast.ClassDef) and n.name == "Builder")
    lw = next(n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == "lw")
    assert [a.arg for a in lw.args.posonlyargs] == ["self", "xd", "imm12", "xs1"]
    jal = [n for n in cls.body if isinstance(n, ast.FunctionDef) and n.name == "jal"]
    assert len(jal) == 2 and all(ast.unparse(f.decorator_list[0]) == "overload" for f in jal)
