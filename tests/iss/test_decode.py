"""Pre-decoding against the table, one word at a time, and the kernel's coverage of the table."""

from __future__ import annotations

import ast
import inspect

import numpy as np
import pytest

from riscv_soc.isa import csr, table
from riscv_soc.iss import _kernels, decode
from riscv_soc.iss.decode import ACT, CYC, IMM, OP, RD, RS1, RS2, VUSE


def rows_of(words: list[int]) -> np.ndarray:
    return decode.predecode(np.array(words, "<u4").view(np.uint8))


def sample_words(seed: int = 0) -> list[int]:
    """Every instruction with random operand bits, plus random words."""
    rng = np.random.default_rng(seed)
    words = [int(w) for w in rng.integers(0, 2**32, 2000, dtype=np.uint64)]
    for instr in table.INSTRS:
        free = [int(w) for w in rng.integers(0, 2**32, 20, dtype=np.uint64)]
        words += [(w & ~instr.mask) | instr.match for w in free]
    return words


def test_rows_agree_with_table_lookup_and_extract():
    words = sample_words()
    rows = rows_of(words)
    for word, row in zip(words, rows, strict=True):
        instr = table.lookup(word)
        if instr is None or row[OP] == table.ILLEGAL_OP:
            assert row[OP] == table.ILLEGAL_OP
            assert instr is None or instr.name.startswith("csr")  # only illegal CSR accesses
            continue
        assert row[OP] == table.OP_ID[instr.name]
        assert row[CYC] == instr.cycles
        assert (row[RS1], row[RS2]) == ((word >> 15) & 31, (word >> 20) & 31)
        rd = (word >> 7) & 31
        assert row[RD] == (decode.X_SINK if rd == 0 and "xd" in instr.operands else rd)
        immediates = [n for n in instr.operands if table.OPERANDS[n].kind in ("imm", "uimm")]
        immediates = [n for n in immediates if n != "uimm5"]
        if immediates and not instr.name.startswith("csr"):
            assert row[IMM] == table.extract(table.OPERANDS[immediates[0]], word), instr.name


def test_csr_numbers_become_codes_and_illegal_accesses_illegal():
    mcycle, src = csr.CSRS["mcycle"], csr.CSRS["dma_mm2s_src"]
    words = [
        table.encode("csrrs", xd=1, csr=mcycle, xs1=0),  # read: legal
        table.encode("csrrs", xd=1, csr=mcycle, xs1=3),  # write attempt: illegal
        table.encode("csrrw", xd=0, csr=mcycle, xs1=0),  # csrrw always writes
        table.encode("csrrci", xd=1, csr=mcycle, uimm5=0),  # legal
        table.encode("csrrci", xd=1, csr=mcycle, uimm5=1),  # illegal
        table.encode("csrrw", xd=1, csr=src, xs1=5),  # writable
        table.encode("csrrs", xd=1, csr=0x7C0, xs1=0),  # no such CSR
    ]
    rows = rows_of(words)
    illegal = [bool(r[OP] == table.ILLEGAL_OP) for r in rows]
    assert illegal == [False, True, True, False, True, False, True]
    assert rows[0][IMM] == decode.CSR_CODES[mcycle] == 0
    assert rows[5][IMM] == decode.CSR_CODES[src]


def test_every_csr_has_a_distinct_meaning():
    codes = decode.CSR_CODES
    assert set(codes) == set(csr.CSRS.values())
    aliases = {("cycle", "mcycle"), ("instret", "minstret")}
    for user, machine in aliases:
        for half in ("", "h"):
            assert codes[csr.CSRS[user + half]] == codes[csr.CSRS[machine + half]]
    assert len(set(codes.values())) == len(codes) - 4


@pytest.mark.parametrize(
    ("name", "operands", "vuse"),
    [
        ("vadd", {"vd": 3, "vs1": 4, "vs2": 5}, 0b111000),
        ("vsel", {"vd": 2, "xs1": 7, "vs2": 9}, (1 << 2) | (1 << 9)),
        ("vloadl", {"vd": 1, "imm12": 0, "vs1": 30}, (1 << 1) | (1 << 30)),
        ("vmul_rs", {"vd": 0, "vs1": 0, "vs2": 0, "vshift": 1}, 1 | (1 << decode.RNG_BIT)),
        ("vrng", {"vd": 31}, (1 << 31) | (1 << decode.RNG_BIT)),
        ("vteq", {"xd": 1, "vs1": 2, "vs2": 2}, 1 << 2),
        ("vloadr0", {"imm12": 0, "xs1": 3}, 0),
        ("add", {"xd": 1, "xs1": 2, "xs2": 3}, 0),
    ],
)
def test_vector_use_masks(name, operands, vuse):
    assert rows_of([table.encode(name, **operands)])[0][VUSE] == vuse


def test_activity_counter_slots_follow_the_instruction_class():
    expected = {
        table.VEC_ALU: decode.ACT_INDEX["vec_alu_ops"],
        table.VEC_MEM: decode.ACT_INDEX["vec_mem_ops"],
        table.LANE_LOCAL: decode.ACT_INDEX["lane_local_ops"],
        table.SCALAR_MEM: decode.ACT_INDEX["scalar_mem_ops"],
    }
    words = [instr.match for instr in table.INSTRS if not instr.name.startswith("csr")]
    for word, row in zip(words, rows_of(words), strict=True):
        instr = table.lookup(word)
        assert row[ACT] == expected.get(instr.klass, decode.ACT_NONE), instr.name


def dispatched_op_names() -> list[str]:
    """Names compared against `op` (`op == NAME`, `op in (NAME, ...)`) in the execution loop."""
    source = inspect.getsource(_kernels._build)
    names = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Compare) and isinstance(node.left, ast.Name)):
            continue
        if node.left.id != "op":
            continue
        right = node.comparators[0]
        if isinstance(node.ops[0], ast.Eq) and isinstance(right, ast.Name):
            names.append(right.id)
        elif isinstance(node.ops[0], ast.In) and isinstance(right, ast.Tuple):
            names += [element.id for element in right.elts]
    return names


def test_every_table_instruction_has_exactly_one_branch():
    ids = [getattr(_kernels, name) for name in dispatched_op_names()]
    assert sorted(ids) == list(range(len(table.INSTRS)))  # each op id once, none missing


def test_op_constants_are_the_table_ids():
    for instr in table.INSTRS:
        constant = instr.name.upper().replace(".", "_")
        assert getattr(_kernels, constant) == table.OP_ID[instr.name]
