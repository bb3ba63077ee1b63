"""Directed tests of the scalar instructions (RV32I, M, the Zbb subset) on the ISS."""

from __future__ import annotations

import pytest

from riscv_soc import iss

M32 = 0xFFFFFFFF


def results(run_asm, op: str, cases: list[tuple], form: str) -> list[int]:
    """Run `op` on each case in one program; the unsigned 32-bit results in case order."""
    lines = []
    for k, case in enumerate(cases):
        lines += [f"li a0, {case[0]}"]
        if form == "rr":
            lines += [f"li a1, {case[1]}", f"{op} a2, a0, a1"]
        elif form == "ri":
            lines += [f"{op} a2, a0, {case[1]}"]
        else:  # unary
            lines += [f"{op} a2, a0"]
        lines += [f"sw a2, {4 * k}(zero)"]
    state = run_asm("\n".join([*lines, "ecall"]))
    assert state.exit == "ecall", state.to_json(False)
    return state.memories["dmem"].view("<u4")[: len(cases)].tolist()


R_CASES = {
    "add": [(0x7FFFFFFF, 1, 0x80000000), (-1, 1, 0), (-5, -7, -12)],
    "sub": [(0, 1, -1), (0x80000000, 1, 0x7FFFFFFF), (5, 7, -2)],
    "sll": [(1, 31, 0x80000000), (1, 32, 1), (3, -31, 6), (-1, 0, -1)],  # amount: low 5 bits
    "slt": [(-1, 0, 1), (0, -1, 0), (5, 5, 0), (0x80000000, 0x7FFFFFFF, 1)],
    "sltu": [(-1, 0, 0), (0, -1, 1), (5, 5, 0), (0x7FFFFFFF, 0x80000000, 1)],
    "xor": [(0xF0F0F0F0, 0xFF00FF00, 0x0FF00FF0)],
    "srl": [(0x80000000, 31, 1), (-1, 4, 0x0FFFFFFF), (-1, 0, -1), (-1, 33, 0x7FFFFFFF)],
    "sra": [(0x80000000, 31, -1), (-16, 2, -4), (0x7FFFFFFF, 36, 0x07FFFFFF)],
    "or": [(0xF0, 0x0F, 0xFF)],
    "and": [(0xF0F0, 0xFF00, 0xF000)],
    "mul": [(0x7FFFFFFF, 2, -2), (-3, 5, -15), (0x10000, 0x10000, 0)],
    "mulh": [
        (0x80000000, 0x80000000, 0x40000000),
        (-1, -1, 0),
        (-1, 1, -1),
        (0x7FFFFFFF, 0x7FFFFFFF, 0x3FFFFFFF),
    ],
    "mulhsu": [(-1, 0xFFFFFFFF, -1), (0x80000000, 0xFFFFFFFF, 0x80000000), (2, 0x80000000, 1)],
    "mulhu": [(0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFE), (0x80000000, 2, 1), (-1, 1, 0)],
    # RISC-V division: truncation toward zero; x/0 = -1 and x%0 = x; -2^31/-1 overflows.
    "div": [(7, 2, 3), (-7, 2, -3), (7, -2, -3), (-7, -2, 3), (5, 0, -1), (0, 0, -1)]
    + [(0x80000000, -1, 0x80000000)],
    "divu": [(7, 2, 3), (0xFFFFFFFF, 2, 0x7FFFFFFF), (5, 0, 0xFFFFFFFF)],
    "rem": [(7, 2, 1), (-7, 2, -1), (7, -2, 1), (-7, -2, -1), (5, 0, 5), (-5, 0, -5)]
    + [(0x80000000, -1, 0)],
    "remu": [(7, 2, 1), (0xFFFFFFFF, 10, 5), (5, 0, 5), (-5, 0, -5)],
}

I_CASES = {
    "addi": [(0x7FFFFFFF, 1, 0x80000000), (0, -2048, -2048), (5, 2047, 2052)],
    "slti": [(-1, 0, 1), (0, -1, 0), (-2048, -2047, 1)],
    "sltiu": [(0, -1, 1), (-1, -1, 0), (5, 6, 1), (0x7FF, 0x7FF, 0)],  # imm as unsigned 32-bit
    "xori": [(0x12345678, -1, 0xEDCBA987), (0xFF, 0x0F, 0xF0)],
    "ori": [(0x100, -2048, 0xFFFFF900)],
    "andi": [(-1, 0x7FF, 0x7FF), (0x12345678, -16, 0x12345670)],
    "slli": [(1, 31, 0x80000000), (-1, 0, -1), (3, 30, 0xC0000000)],
    "srli": [(0x80000000, 31, 1), (-1, 0, -1), (-1, 28, 0xF)],
    "srai": [(0x80000000, 31, -1), (-1024, 3, -128), (0x40000000, 30, 1)],
}

UNARY_CASES = {
    "clz": [(0, 32), (1, 31), (0x80000000, 0), (0x00010000, 15)],
    "ctz": [(0, 32), (1, 0), (0x80000000, 31), (0x00010000, 16)],
    "cpop": [(0, 0), (-1, 32), (0x80000001, 2), (0xF0F0, 8)],
    "sext.b": [(0x80, -128), (0x7F, 0x7F), (0x12345681, -127)],
    "sext.h": [(0x8000, -32768), (0x12347FFF, 0x7FFF), (-1, -1)],
}


@pytest.mark.parametrize("op", sorted(R_CASES))
def test_register_register(run_asm, op):
    cases = R_CASES[op]
    assert results(run_asm, op, cases, "rr") == [c[2] & M32 for c in cases]


@pytest.mark.parametrize("op", sorted(I_CASES))
def test_register_immediate(run_asm, op):
    cases = I_CASES[op]
    assert results(run_asm, op, cases, "ri") == [c[2] & M32 for c in cases]


@pytest.mark.parametrize("op", sorted(UNARY_CASES))
def test_zbb_unary(run_asm, op):
    cases = UNARY_CASES[op]
    assert results(run_asm, op, cases, "unary") == [c[1] & M32 for c in cases]


def test_lui_auipc(run_asm):
    state = run_asm(
        """
        lui a0, 0xfffff
        nop
        auipc a1, 1          # at pc 8
        auipc a2, 0xfffff    # at pc 12: wraps below zero
        ecall
        """
    )
    assert state.x[10] == 0xFFFFF000
    assert state.x[11] == 0x1008
    assert state.x[12] == (12 + 0xFFFFF000) & M32


def test_jal_and_jalr_link_values(build):
    image = build(
        """
            jal ra, over         # pc 0: ra = 4
            li a0, 99            # skipped
        over:
            la t0, target + 1    # jalr clears bit 0 of the sum
            jalr t1, 0(t0)       # links target - 4
            li a1, 99            # skipped
        target:
            la t2, done
            jalr t2, 0(t2)       # rd == rs1: jumps to the old value, links done - 4
            li a2, 99            # skipped
        done:
            ecall
        """
    )
    state = iss.run(image)
    target, done = image.symbols["target"].address, image.symbols["done"].address
    assert (state.exit, state.pc) == ("ecall", done)
    assert (state.x[1], state.x[6], state.x[7]) == (4, target - 4, done - 4)
    assert state.x[10] == state.x[11] == state.x[12] == 0


BRANCHES = [  # (op, a, b, taken)
    ("beq", 5, 5, True),
    ("beq", 5, 6, False),
    ("bne", 5, 6, True),
    ("bne", -1, -1, False),
    ("blt", -1, 0, True),
    ("blt", 0, -1, False),
    ("blt", 3, 3, False),
    ("bge", 0, -1, True),
    ("bge", 3, 3, True),
    ("bge", -1, 0, False),
    ("bltu", 0, -1, True),
    ("bltu", -1, 0, False),
    ("bgeu", -1, 0, True),
    ("bgeu", 3, 3, True),
    ("bgeu", 0, -1, False),
]


@pytest.mark.parametrize(("op", "a", "b", "taken"), BRANCHES)
def test_branch_both_ways(run_asm, op, a, b, taken):
    state = run_asm(
        f"""
            li a0, {a}
            li a1, {b}
            {op} a0, a1, skip
            li a2, 1
        skip:
            ecall
        """
    )
    assert state.x[12] == (0 if taken else 1)
    assert state.cycles == state.instret == (4 if taken else 5)


def test_backward_branch_loop(run_asm):
    state = run_asm(
        """
            li a0, 10
        loop:
            addi a1, a1, 3
            addi a0, a0, -1
            bnez a0, loop
            ecall
        """
    )
    assert state.x[11] == 30
    assert state.instret == 1 + 3 * 10 + 1


def test_loads_extend(run_asm):
    state = run_asm(
        """
            lb t0, 0(zero)
            lb t1, 1(zero)
            lb t2, 2(zero)
            lb s0, 3(zero)
            lbu s1, 3(zero)
            lh a0, 0(zero)
            lh a1, 2(zero)
            lhu a2, 2(zero)
            lw a3, 0(zero)
            li a4, 8
            lw a5, -4(a4)       # negative offset
            ecall
        .data
            .word 0x80FF7F01
            .word 0xCAFEF00D
        """
    )
    got = [state.x[r] for r in (5, 6, 7, 8, 9, 10, 11, 12, 13, 15)]
    want = [1, 0x7F, 0xFFFFFFFF, 0xFFFFFF80, 0x80, 0x7F01, 0xFFFF80FF, 0x80FF, 0x80FF7F01]
    assert got == [*want, 0xCAFEF00D]


def test_stores_write_only_their_bytes(run_asm):
    state = run_asm(
        """
            li t0, 0x123456AB
            sb t0, 1(zero)
            sh t0, 6(zero)
            sw t0, 8(zero)
            li t1, 16
            sw t0, -4(t1)
            ecall
        .data
            .word 0x11111111, 0x22222222, 0, 0
        """
    )
    assert state.memories["dmem"].view("<u4")[:4].tolist() == [
        0x1111AB11,
        0x56AB2222,
        0x123456AB,
        0x123456AB,
    ]


def test_address_wraps_modulo_2_32(run_asm):
    state = run_asm(
        """
            li t0, -4
            lw a0, 8(t0)        # (0xfffffffc + 8) mod 2^32 = 4
            ecall
        .data
            .word 1, 42
        """
    )
    assert state.exit == "ecall"
    assert state.x[10] == 42


def test_x0_ignores_writes(run_asm):
    state = run_asm(
        """
            addi zero, zero, 5
            lui zero, 1
            lw zero, 0(zero)
            jal zero, next
        next:
            csrr zero, mcycle
            vlui v1, 7
            vteq zero, v1, v1
            vextract zero, v1, 0
            add a0, zero, zero
            ecall
        .data
            .word 0xffffffff
        """
    )
    assert state.exit == "ecall"
    assert state.x[0] == 0
    assert state.x[10] == 0


def test_fence_does_nothing_but_retire(run_asm):
    state = run_asm("fence\nfence\necall")
    assert (state.exit, state.cycles, state.instret) == ("ecall", 3, 3)
    assert not state.x.any()


def test_ebreak_stops_the_run(run_asm):
    state = run_asm("li a0, 1\nebreak\nli a0, 2\necall")
    assert (state.exit, state.pc, state.instr) == ("ebreak", 4, "ebreak")
    assert state.x[10] == 1
    assert state.cycles == state.instret == 2
