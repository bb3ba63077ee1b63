"""Layers that only point down: every import of the project's own modules, function-local ones
included, goes to the importer's layer or one below it, and the module graph has no cycle.

The layer order is written once, in docs/architecture.md ("Layers"); this test reads it there.
Run with `-s` to see the layers and every import it checked.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("snnsoc_common", "snn", "riscv_soc")


def layer_table() -> list[tuple[str, list[str]]]:
    """(layer, module prefixes), bottom layer first, from docs/architecture.md."""
    text = (ROOT / "docs" / "architecture.md").read_text()
    section = text.split("## Layers", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| ([^|]+?) \| (.+?) \|$", section, re.MULTILINE)
    table = [(name, re.findall(r"`([\w.]+)`", cells)) for name, cells in rows[1:]]
    return table[::-1]


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _type_only(tree: ast.AST) -> set[ast.AST]:
    """Import statements under `if TYPE_CHECKING:`: annotations only, never run."""
    blocks = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
    ]
    return {inner for block in blocks for stmt in block.body for inner in ast.walk(stmt)}


def imports(
    module: str, path: Path, known: dict[str, Path], runtime_only: bool = False
) -> list[tuple[str, int]]:
    """(imported project module, line) for every import statement anywhere in the file; with
    `runtime_only`, not those under `if TYPE_CHECKING:`."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    tree = ast.parse(path.read_text())
    skipped = _type_only(tree) if runtime_only else set()
    for node in ast.walk(tree):
        if node in skipped:
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            names = [
                f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names
            ]
        else:
            continue
        found += [(name, node.lineno) for name in names if name.split(".")[0] in PACKAGES]
    return found


def rank(module: str, table: list[tuple[str, list[str]]]) -> int:
    """Index of the module's layer: the one with the longest prefix that names it."""
    matches = [
        (len(prefix), index)
        for index, (_, prefixes) in enumerate(table)
        for prefix in prefixes
        if module == prefix or module.startswith(prefix + ".")
    ]
    assert matches, f"{module} is in no layer of docs/architecture.md"
    return max(matches)[1]


def import_graph(runtime_only: bool = False) -> dict[str, dict[str, int]]:
    """module -> {imported project module: line of the first such import}."""
    known = modules()
    graph = {}
    for module, path in known.items():
        targets: dict[str, int] = {}
        for name, line in imports(module, path, known, runtime_only):
            if name != module and name in known:
                targets.setdefault(name, line)
        graph[module] = targets
    return graph


def test_every_import_points_down_or_sideways():
    table, graph = layer_table(), import_graph()
    print("layers, bottom first:", *(f"  {n}: {', '.join(ps)}" for n, ps in table), sep="\n")
    upward = []
    for module, targets in sorted(graph.items()):
        for target, line in sorted(targets.items()):
            here, there = rank(module, table), rank(target, table)
            print(f"{module}:{line} -> {target} ({table[here][0]} -> {table[there][0]})")
            if there > here:
                upward.append(
                    f"{module}:{line} imports {target} ({table[there][0]}), a layer "
                    f"above its own ({table[here][0]})"
                )
    assert len(table) > 10 and sum(map(len, graph.values())) > 300  # the table and files were read
    assert not upward, "\n".join(upward)


def test_module_graph_has_no_cycle():
    """No import cycle at run time (a type-only import back, for annotations, is no cycle)."""
    graph, state, cycles = import_graph(runtime_only=True), {}, []

    def visit(module: str, path: list[str]) -> None:
        state[module] = "open"
        for target in graph[module]:
            if state.get(target) == "open":
                cycles.append(" -> ".join([*path[path.index(target) :], target]))
            elif target not in state:
                visit(target, [*path, target])
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not cycles, "\n".join(cycles)
