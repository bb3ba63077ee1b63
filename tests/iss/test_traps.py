"""Traps on the ISS: every cause, tval, check order, what a trapping instruction leaves behind."""

from __future__ import annotations

import pytest
from naive import ref_iss

from riscv_soc import iss
from riscv_soc.isa.hardware import SPIN_WORD
from riscv_soc.isa.table import encode
from riscv_soc.machine import diff_states
from riscv_soc.soc import DEFAULT

ECALL = encode("ecall")


def assert_trap(state, cause: str, tval: int, pc: int | None = None) -> None:
    assert (state.exit, state.cause, state.tval) == ("trap", cause, tval), state.to_json(False)
    if pc is not None:
        assert state.pc == pc


def test_trapping_instruction_writes_nothing_and_does_not_retire(run_asm):
    state = run_asm(
        """
        li a0, 77
        li t0, 3
        lw a0, 0(t0)        # misaligned: a0 keeps 77
        ecall
        """
    )
    assert_trap(state, "load_address_misaligned", 3, pc=8)
    assert state.x[10] == 77
    assert (state.cycles, state.instret) == (3, 2)  # the trap's cycle counts
    assert state.counters["scalar_mem_ops"] == 0
    assert state.counters["stall_cycles"] == 1
    assert state.instr == "lw a0, 0(t0)"


def test_fetch_beyond_instruction_memory(run_asm, small):
    state = run_asm(
        f"""
        li t0, {small.imem_bytes}
        jr t0               # the jump itself does not trap
        """,
        config=small,
    )
    assert_trap(state, "instruction_access_fault", small.imem_bytes, pc=small.imem_bytes)
    assert state.instr == ""
    assert (state.cycles, state.instret) == (3, 2)


def test_running_off_the_end_into_zero_words_is_illegal(run_asm):
    state = run_asm("nop")
    assert_trap(state, "illegal_instruction", 0, pc=4)


def test_illegal_word(run_asm):
    state = run_asm([encode("addi", xd=1, xs1=0, imm12=1), 0xFFFFFFFF, ECALL])
    assert_trap(state, "illegal_instruction", 0xFFFFFFFF, pc=4)
    assert state.x[1] == 1


@pytest.mark.parametrize(
    "line",
    [
        "csrr a0, 0x7c0",  # no such CSR
        "csrw mcycle, a0",  # counters are read-only
        "csrwi minstret, 0",  # csrrwi writes even an immediate 0
        "csrrs a0, mhpmcounter3, t0",  # source field t0 (holding 0) still writes
        "csrrci a0, cycle, 1",
        "csrw dma_mm2s_status, a0",
        "csrrw a0, mhartid, zero",
    ],
)
def test_illegal_csr_access(run_asm, line):
    state = run_asm(f"{line}\necall")
    assert state.exit == "trap"
    assert state.cause == "illegal_instruction"
    assert state.pc == 0


@pytest.mark.parametrize(
    "line",
    ["csrr a0, mcycle", "csrrs a0, instreth, zero", "csrrsi a0, mhartid, 0", "csrrci a0, cycle, 0"],
)
def test_reads_of_read_only_csrs_are_legal(run_asm, line):
    assert run_asm(f"{line}\necall").exit == "ecall"


@pytest.mark.parametrize(
    ("jump", "target"),
    [
        ("jr t0", 6),  # jalr: (t0 + 0) & ~1 = 6
        ("jalr ra, 1(t0)", 6),  # 7 & ~1 = 6
    ],
)
def test_misaligned_jalr(run_asm, jump, target):
    state = run_asm(f"li t0, 6\n{jump}\necall")
    assert_trap(state, "instruction_address_misaligned", target, pc=4)
    assert state.x[1] == 0  # no link on a trapping jump


def test_jalr_clears_bit_0_and_goes(run_asm):
    state = run_asm("li t0, 9\njalr ra, 0(t0)\nnop\necall")  # 9 & ~1 = 8: the ecall
    assert (state.exit, state.x[1]) == ("ecall", 8)


def test_misaligned_jal_and_branches(run_asm):
    jal = encode("jal", xd=1, joff=6)  # 0 + 6 is not a multiple of 4
    assert_trap(run_asm([jal, ECALL]), "instruction_address_misaligned", 6, pc=0)
    assert run_asm([jal, ECALL]).x[1] == 0

    taken = encode("beq", xs1=0, xs2=0, boff=-2)  # at pc 4: target 2
    state = run_asm([encode("addi", xd=0, xs1=0, imm12=0), taken, ECALL])
    assert_trap(state, "instruction_address_misaligned", 2, pc=4)

    not_taken = encode("bne", xs1=0, xs2=0, boff=2)
    assert run_asm([not_taken, ECALL]).exit == "ecall"


SCALAR_ACCESSES = [  # (line, address register value, cause, tval); dmem is 4096 bytes (small)
    ("lh a0, 0(t0)", 1, "load_address_misaligned", 1),
    ("lw a0, 2(t0)", 0, "load_address_misaligned", 2),
    ("lhu a0, 0(t0)", 4095, "load_address_misaligned", 4095),
    ("lw a0, 0(t0)", 4094, "load_address_misaligned", 4094),
    ("lw a0, 0(t0)", 4096, "load_access_fault", 4096),
    ("lb a0, 0(t0)", 4096, "load_access_fault", 4096),
    ("lbu a0, -1(t0)", 0, "load_access_fault", 0xFFFFFFFF),
    ("lh a0, 0(t0)", 4096, "load_access_fault", 4096),
    ("sh a0, 0(t0)", 3, "store_address_misaligned", 3),
    ("sw a0, 0(t0)", 6, "store_address_misaligned", 6),
    ("sw a0, 0(t0)", 4096, "store_access_fault", 4096),
    ("sb a0, 0(t0)", 4096, "store_access_fault", 4096),
    ("sh a0, 0(t0)", 0x10000, "store_access_fault", 0x10000),
]


@pytest.mark.parametrize(("line", "base", "cause", "tval"), SCALAR_ACCESSES)
def test_scalar_access_traps(run_asm, small, line, base, cause, tval):
    state = run_asm(f"li t0, {base}\n{line}\necall", config=small)
    assert state.exit == "trap"
    assert (state.cause, state.tval) == (cause, tval)


def test_last_bytes_of_dmem_are_reachable(run_asm, small):
    state = run_asm("li t0, 4092\nsw t0, 0(t0)\nsb t0, 3(t0)\nlw a0, 0(t0)\necall", config=small)
    assert state.exit == "ecall"
    assert state.x[10] == 0xFC000FFC


VECTOR_ACCESSES = [  # vmem is 8192 bytes (small)
    ("vloadv v1, 0(t0)", 32, "load_address_misaligned", 32),
    ("vloadv v1, 0(t0)", 8192, "load_access_fault", 8192),
    ("vloadv v1, 64(t0)", 8128, "load_access_fault", 8192),
    ("vloadr0 0(t0)", 2, "load_address_misaligned", 2),
    ("vloadr1 0(t0)", 8192 + 64, "load_access_fault", 8256),
    ("vstorev v1, 0(t0)", 96, "store_address_misaligned", 96),
    ("vstorev v1, -64(t0)", 0, "store_access_fault", 0xFFFFFFC0),
]


@pytest.mark.parametrize(("line", "base", "cause", "tval"), VECTOR_ACCESSES)
def test_vector_memory_traps(run_asm, small, line, base, cause, tval):
    state = run_asm(f"li t0, {base}\n{line}\necall", config=small)
    assert state.exit == "trap"
    assert (state.cause, state.tval) == (cause, tval)


def lane_program(addresses: list[int], line: str) -> str:
    return f"""
        vloadv v1, 0(zero)
        nop
        {line}
        ecall
        .section .vmem
        .half {", ".join(str(a) for a in addresses)}
        """


# The lane memory is 256 bytes (small). The first enabled lane that faults decides.
LANE_ACCESSES = [
    ([0] * 31 + [3], "vloadl v2, 0(v1)", "load_address_misaligned", 3),
    ([0] * 5 + [256] + [1] * 26, "vloadl v2, 0(v1)", "load_access_fault", 256),
    ([0, 255] + [256] * 30, "vloadl v2, 0(v1)", "load_address_misaligned", 255),
    ([-1] * 3 + [254] + [7] * 28, "vloadl v2, 1(v1)", "load_address_misaligned", 255),
    ([-3, 600] + [0] * 30, "vstorel v2, 2(v1)", "store_access_fault", 602),
    ([-300, 9] + [0] * 30, "vstorel v2, 0(v1)", "store_address_misaligned", 9),
]


@pytest.mark.parametrize(("addresses", "line", "cause", "tval"), LANE_ACCESSES)
def test_lane_local_traps(run_asm, small, addresses, line, cause, tval):
    state = run_asm(lane_program(addresses, line), config=small)
    assert state.exit == "trap"
    assert (state.cause, state.tval) == (cause, tval)


def test_disabled_lanes_never_fault(run_asm, small):
    # FeNN enables a lane on its base vs1[i] >= 0, before the immediate: negative bases are
    # disabled whatever the immediate makes of them; 254 is the last half-word.
    addresses = [-32768, -3, -1, 254] + [-2048] * 28
    state = run_asm(lane_program(addresses, "vloadl v2, 2046(v1)"), config=small)
    assert_trap(state, "load_access_fault", 254 + 2046)  # lanes 0-2 disabled; lane 3 faults
    state = run_asm(lane_program(addresses, "vloadl v2, 0(v1)"), config=small)
    assert state.exit == "ecall"


@pytest.mark.parametrize(
    ("imm", "cause", "tval"),
    [(-4, "load_access_fault", 0xFFFFFFFE), (-3, "load_address_misaligned", 0xFFFFFFFF)],
)
def test_enabled_lane_with_a_negative_address_faults(run_asm, small, imm, cause, tval):
    # Base 2 >= 0 enables lane 0; 2 + imm < 0 is an address modulo 2**32, beyond the memory.
    state = run_asm(lane_program([2] + [-1] * 31, f"vloadl v2, {imm}(v1)"), config=small)
    assert_trap(state, cause, tval)


def test_trap_leaves_lane_local_memory_untouched(run_asm, small):
    addresses = [0, 2, 4, 7] + [0] * 28  # lane 3 misaligned: nothing is written
    state = run_asm(lane_program(addresses, "vstorel v1, 0(v1)"), config=small)
    assert state.cause == "store_address_misaligned"
    assert not state.memories["llm"].any()


# ---- the vector load-use hazard


@pytest.mark.parametrize(
    ("load", "use", "tval"),
    [
        ("vloadv v1, 0(zero)", "vadd v2, v1, v0", 1),
        ("vloadv v1, 0(zero)", "vadd v2, v0, v1", 1),
        ("vloadv v1, 0(zero)", "vlui v1, 3", 1),  # a write of the destination too
        ("vloadv v1, 0(zero)", "vsel v1, zero, v0", 1),  # vsel reads its vd
        ("vloadv v1, 0(zero)", "vloadl v2, 0(v1)", 1),  # the lane address register
        ("vloadv v1, 0(zero)", "vstorev v1, 64(zero)", 1),
        ("vloadv v1, 0(zero)", "vextract a0, v1, 3", 1),
        ("vloadv v1, 0(zero)", "vloadv v1, 64(zero)", 1),
        ("vloadv v0, 0(zero)", "vteq a0, v5, v0", 0),
        ("vloadl v4, 0(v0)", "vmul_rs v2, v4, v4, 3", 4),
        ("vloadl v4, 0(v0)", "vstorel v4, 0(v1)", 4),
        ("vloadr0 0(zero)", "vrng v2", 32),
        ("vloadr1 0(zero)", "vmul_rs v2, v3, v3, 1", 32),
        ("vloadr0 0(zero)", "vsrai_rs v2, v3, 1", 32),
        ("vloadr0 0(zero)", "vmul_s_rs v2, v3, v3, 1", 32),
    ],
)
def test_vector_load_use_traps(run_asm, load, use, tval):
    state = run_asm(f"{load}\n{use}\necall")
    assert_trap(state, "vector_load_use", tval, pc=4)
    assert (state.cycles, state.instret) == (2, 1)


@pytest.mark.parametrize(
    ("load", "use"),
    [
        ("vloadv v1, 0(zero)", "vadd v2, v3, v4"),  # other registers
        ("vloadr0 0(zero)", "vmul_rn v2, v3, v3, 1"),  # does not step the RNG
        ("vloadr0 0(zero)", "vadd v2, v0, v0"),
        ("vloadv v1, 0(zero)", "vteq a1, v2, v3"),
        ("vloadv v1, 0(zero)", "addi a1, a1, 1"),
    ],
)
def test_no_hazard_without_a_shared_destination(run_asm, load, use):
    assert run_asm(f"{load}\n{use}\necall").exit == "ecall"


def test_one_instruction_between_is_enough(run_asm):
    state = run_asm(
        """
        vloadv v1, 0(zero)
        addi a0, a0, 1
        vadd v2, v1, v1
        vloadr0 0(zero)
        nop
        vrng v3
        ecall
        .section .vmem
        .half 5
        """
    )
    assert state.exit == "ecall"
    assert state.v[2][0] == 10


def test_hazard_follows_the_executed_path(run_asm):
    state = run_asm(
        """
            vloadv v1, 0(zero)
            j use               # the jump separates the load from its use
        use:
            vadd v2, v1, v1
            vloadv v3, 0(zero)
            beqz zero, use2     # taken: the next executed instruction is use2
            nop
        use2:
            vadd v4, v3, v3
            ecall
        """
    )
    assert state.exit == "ecall"
    state = run_asm(
        """
            j load
        use:
            vadd v2, v1, v1     # right after the load in execution order
            ecall
        load:
            vloadv v1, 0(zero)
            j use
        """
    )
    assert state.exit == "ecall"  # the jump is between them
    state = run_asm(
        """
            vloadv v1, 0(zero)
            bnez zero, far      # not taken: falls through to the use
            vadd v2, v1, v1
        far:
            ecall
        """
    )
    assert state.exit == "ecall"  # the branch is between them


def test_the_load_itself_completes_before_the_trap(run_asm):
    state = run_asm(
        """
        vloadv v1, 0(zero)
        vadd v2, v1, v1
        .section .vmem
        .half 9, 8
        """
    )
    assert state.cause == "vector_load_use"
    assert state.v[1][:2].tolist() == [9, 8]
    assert not state.v[2].any()


def test_check_order(run_asm):
    # decode (illegal) before the hazard
    state = run_asm([encode("vloadv", vd=1, xs1=0, imm12=0), 0xFFFFFFFF])
    assert_trap(state, "illegal_instruction", 0xFFFFFFFF)
    # the hazard before the instruction's own address checks
    state = run_asm("vloadv v1, 0(zero)\nvloadv v1, 1(zero)")
    assert_trap(state, "vector_load_use", 1)
    # misaligned before out of range (an odd address beyond the memory)
    state = run_asm("li t0, 0x7fffffff\nlh a0, 0(t0)")
    assert_trap(state, "load_address_misaligned", 0x7FFFFFFF)


def test_the_spin_ends_the_run_as_ecall_does(run_asm):
    body = "li a0, 1\nsw a0, 0(zero)\n"
    spin, ecall = run_asm(body + "j .\n"), run_asm(body + "ecall\n")
    assert (spin.exit, ecall.exit) == ("spin", "ecall")
    assert spin.instr == "j 0x8"
    assert diff_states(spin, ecall) == [
        "exit: 'spin' != 'ecall'",
        "imem: 1 bytes differ, first at 0x8: 0x6f != 0x73",  # the last instruction itself
    ]
    assert (spin.pc, spin.cycles, spin.instret) == (8, 3, 3)


def test_the_reference_interpreter_ends_at_the_spin_too(build):
    image = build("li a0, 1\nsw a0, 0(zero)\nj .\n")
    assert diff_states(ref_iss.run(image, 1000, DEFAULT), iss.run(image, 1000)) == []


@pytest.mark.parametrize("loop", ["jal ra, .", "beq zero, zero, .", "1: nop\nj 1b"])
def test_other_endless_loops_run_to_the_limit(run_asm, loop):
    assert run_asm(loop, max_cycles=50).exit == "limit"


def test_the_spin_is_the_jump_to_itself_with_no_link(build):
    assert build("j .").sections[0].data == SPIN_WORD.to_bytes(4, "little")
