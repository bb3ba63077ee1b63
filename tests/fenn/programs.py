"""Directed programs for the rules FeNN defines (docs/isa.md, "FeNN's rules"), each with the
state it must end in, worked out by hand from the rule (not by running a model).

The ISS and the naive reference run them in tests/iss/test_fenn_rules.py, the RTL in
tests/hdl/test_soc.py. A program is assembly text; `expect` maps `x<n>` to the register's final
value (unsigned 32-bit) and `v<n>` to the 32 lanes of a vector register.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Case:
    source: str
    expect: dict[str, object]
    exit: tuple = ("ecall",)  # or ("trap", cause, tval)
    cycles: int | None = None
    extra: dict[str, object] = field(default_factory=dict)  # csrs / counters pinned


def u32(n: int) -> int:
    return n % 2**32


# ---------------------------------------------------------------- mcountinhibit (0x320)
# A write by the instruction executing in cycle t governs the counting from cycle t + 1: that
# instruction's own cycle and retirement count under the old value.

COUNTERS_STOP_AND_RESUME = Case(
    """
    csrr x10, mcycle            # t0: 0
    csrwi mcountinhibit, 5      # t1: stop mcycle (bit 0) and minstret (bit 2) from t2
    csrr x11, mcycle            # t2: 2 (cycles 0 and 1 counted)
    nop
    nop
    csrr x12, mcycle            # t5: still 2
    csrr x13, minstret          # t6: 2 (the csrwi retired under the old value)
    csrr x14, mcountinhibit     # t7: 5
    csrci mcountinhibit, 5      # t8: counting again from t9
    csrr x15, mcycle            # t9: 2 (cycles 2..8 were not counted)
    csrr x16, minstret          # t10: 3 (the csrci retired while inhibited; the x15 read counts)
    csrr x17, mcountinhibit     # t11: 0
    ecall                       # t12
    """,
    {"x10": 0, "x11": 2, "x12": 2, "x13": 2, "x14": 5, "x15": 2, "x16": 3, "x17": 0},
    cycles=13,
    extra={"instret": 13, "mcountinhibit": 0},
)

# Bits 1 (time) and 9..31 (no such counters) read 0 whatever is written (WARL).
INHIBIT_WARL = Case(
    """
    li x5, -1
    csrrw x10, mcountinhibit, x5    # x10: the reset value 0
    csrr x11, mcountinhibit         # 0x1fd: bits 0, 2..8
    csrrci x12, mcountinhibit, 31   # x12: 0x1fd; clears bits 0..4
    csrr x13, mcountinhibit         # 0x1e0
    csrrsi x0, mcountinhibit, 2     # bit 1 is read-only 0
    csrr x14, mcountinhibit         # 0x1e0
    csrw mcountinhibit, zero
    ecall
    """,
    {"x10": 0, "x11": 0x1FD, "x12": 0x1FD, "x13": 0x1E0, "x14": 0x1E0},
)

# mhpmcounter3 (vec_alu_ops): bit 3. Two vadds while it is set are not counted.
INHIBIT_ACTIVITY = Case(
    """
    vadd v1, v2, v3             # t0, counted: 1
    csrwi mcountinhibit, 8      # t1, from the next cycle
    vadd v1, v2, v3
    vadd v1, v2, v3
    csrci mcountinhibit, 8      # from the next cycle
    vadd v1, v1, v1             # counted: 2
    csrr x10, mhpmcounter3
    csrr x11, mhpmcounter3h
    csrr x12, mcycle            # t8: mcycle still counts
    ecall
    """,
    {"x10": 2, "x11": 0, "x12": 8},
    extra={"vec_alu_ops": 4},  # MachineState reports what the machine did
)

# mhpmcounter8 (stall_cycles): bit 8. The first divide's 32 stall cycles are not counted.
INHIBIT_STALLS = Case(
    """
    li x1, 7                    # t0
    li x2, 2                    # t1
    li x3, 0x100                # t2
    csrw mcountinhibit, x3      # t3: stop stall_cycles from t4
    div x4, x1, x2              # t4..t36: 32 stall cycles, not counted
    csrw mcountinhibit, zero    # t37: counting from t38
    div x5, x1, x2              # t38..t70: 32 stall cycles, counted
    csrr x10, mhpmcounter8      # t71: 32
    csrr x11, mcycle            # t72: 72
    csrr x12, minstret          # t73: 9
    ecall
    """,
    {"x4": 3, "x5": 3, "x10": 32, "x11": 72, "x12": 9},
    extra={"stall_cycles": 64},
)


def _inhibit_dma(write_at: int) -> Case:
    """A 64-byte MM2S transfer started in cycle 7 completes at cycle 7 + 10 + 4 = 21 (idle from
    21); its bytes are counted in cycle 20. Setting bit 7 (dma_bytes) in cycle `write_at` stops
    the count from cycle write_at + 1."""
    nops = write_at - 8
    counted = 64 if write_at + 1 > 20 else 0
    source = (
        "    li x6, 0x80                 # t0: bit 7\n"
        "    li x5, 0                    # t1\n"
        "    csrw dma_mm2s_src, x5       # t2\n"
        "    li x5, 8192                 # t3\n"
        "    csrw dma_mm2s_dst, x5       # t4\n"
        "    li x5, 64                   # t5\n"
        "    csrw dma_mm2s_count, x5     # t6\n"
        "    csrwi dma_mm2s_control, 1   # t7: start\n"
        + "    nop\n"
        * nops
        + f"    csrw mcountinhibit, x6      # t{write_at}\n"
        "1:  csrr x7, dma_mm2s_status\n"
        "    andi x7, x7, 2\n"
        "    beqz x7, 1b\n"
        "    csrr x10, mhpmcounter7\n"
        "    csrr x11, mcountinhibit\n"
        "    ecall\n"
    )
    return Case(source, {"x10": counted, "x11": 0x80}, extra={"dma_bytes": 64})


MCOUNTINHIBIT = {
    "inhibit_stop_and_resume": COUNTERS_STOP_AND_RESUME,
    "inhibit_warl": INHIBIT_WARL,
    "inhibit_activity": INHIBIT_ACTIVITY,
    "inhibit_stalls": INHIBIT_STALLS,
    "inhibit_dma_before_last_cycle": _inhibit_dma(19),  # from cycle 20: bytes not counted
    "inhibit_dma_in_last_cycle": _inhibit_dma(20),  # from cycle 21: bytes counted
}

LANES = 32


def _vectors(*vectors: list[int]) -> str:
    """A .vmem section holding the vectors at 0, 64, 128, ... (lanes past a list's end: 0)."""
    lines = [".section .vmem"]
    lines += ["    .half " + ", ".join(map(str, vec + [0] * (LANES - len(vec)))) for vec in vectors]
    return "\n".join(lines) + "\n"


def _llm(lane_bytes: int = 2048) -> str:
    """Lane l's memory: half-word k (k = 0..3) holds 100 * l + k, the rest 0."""
    lines = [".section .llm"]
    for lane in range(LANES):
        lines.append("    .half " + ", ".join(str(100 * lane + k) for k in range(4)))
        lines.append(f"    .zero {lane_bytes - 8}")
    return "\n".join(lines) + "\n"


def _lanes(first: list[int], rest: int) -> list[int]:
    return first + [rest] * (LANES - len(first))


# ---------------------------------------------------------------- vloadl / vstorel lane enable
# FeNN (instruction_set.pdf: "for local loads, write enable if rs1[i] >= 0"; ISE
# vector_processor.cc: `if(rs1Vec[i] >= 0) ... read(rs1Vec[i] + imm)`): a lane is enabled by its
# base vs1[i] >= 0 before the immediate is added; an enabled lane then accesses vs1[i] + imm.

LANE_BASES = _lanes([-2, 0, 2, -32768, -64], 4)
LANE_ENABLE = Case(
    """
    vloadv v1, 0(x0)            # the bases
    vlui v2, 7
    vlui v3, -9
    vloadl v2, 2(v1)            # lane 0: -2 + 2 = 0, but base -2 < 0: disabled, keeps 7
    nop
    vstorel v3, 62(v1)          # lane 4: -64 + 62 < 0 and disabled anyway; lane 1 -> llm 62
    vloadl v4, 62(v1)           # lanes 1, 2, 5..31: read back what the vstorel wrote
    nop
    ecall
    """
    + _vectors(LANE_BASES)
    + _llm(),
    {
        # enabled lanes read half-word (base + 2) / 2: 1 (lane 1, base 0), 2 (lane 2, base 2),
        # 3 (lanes 5..31, base 4)
        "v2": [7, 101, 202, 7, 7] + [100 * lane + 3 for lane in range(5, LANES)],
        # vstorel wrote -9 at base + 62 on enabled lanes; disabled lanes keep v4's reset 0
        "v4": [0, -9, -9, 0, 0] + [-9] * (LANES - 5),
    },
)

# An enabled lane whose address is negative faults like any other bad address: the address is
# taken modulo 2**32 (tval), even -> access fault, odd -> misaligned; lane 0 (base -2) is
# disabled and never faults although -2 + imm would be as negative.
LANE_NEGATIVE_SUM_FAULTS = Case(
    """
    vloadv v1, 0(x0)
    nop
    vstorel v1, -4(v1)          # lane 1: 2 - 4 = -2
    ecall
    """
    + _vectors(_lanes([-2, 2], 100)),
    {},
    exit=("trap", "store_access_fault", 0xFFFFFFFE),
)
LANE_NEGATIVE_ODD_SUM_FAULTS = Case(
    """
    vloadv v1, 0(x0)
    nop
    vloadl v2, -3(v1)           # lane 1: 2 - 3 = -1: misaligned before out of range
    ecall
    """
    + _vectors(_lanes([-2, 2], 100)),
    {},
    exit=("trap", "load_address_misaligned", 0xFFFFFFFF),
)

# ---------------------------------------------------------------- vsll / vsra amounts
# FeNN's ISE shifts an int (`a << b`, `a >> b` on int16 operands promoted to int) and keeps 16
# bits: amounts 16..31 shift every bit out; its exp() kernels rely on it. Beyond 31 and below 0
# FeNN has no rule (C++ undefined behaviour); ours: the amount is vs2[i] read as an unsigned
# 16-bit number, so any amount >= 16, negative ones included, shifts every bit out.
SHIFT_VALUES = _lanes([1, -1, 0x4000, -32768, 12345, -12345, 7, -7, 1, -1, 3, -3, 5, -5], 100)
SHIFT_AMOUNTS = _lanes([16, 16, 17, 31, 31, 31, 32, 32, -1, -1, 15, 15, 0, 0], 2)
SHIFTS = Case(
    """
    vloadv v1, 0(x0)
    vloadv v2, 64(x0)
    nop
    vsll v3, v1, v2
    vsra v4, v1, v2
    ecall
    """
    + _vectors(SHIFT_VALUES, SHIFT_AMOUNTS),
    {
        # 3 << 15 and -3 << 15 keep bit 15 only: -32768
        "v3": _lanes([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -32768, -32768, 5, -5], 400),
        "v4": _lanes([0, -1, 0, -1, 0, -1, 0, -1, 0, -1, 0, -1, 5, -5], 25),
    },
)

# ---------------------------------------------------------------- choices where FeNN is open
# `_rn` with shift 0: FeNN's ISE computes 1 << -1 (undefined behaviour; 0 on the x86 builds);
# ours: the rounding term is 0, so vmul_rn by 0 is the wrapped product, vsrai_rn by 0 a copy.
ROUND_NEAREST_SHIFT_0 = Case(
    """
    vloadv v1, 0(x0)
    vloadv v2, 64(x0)
    nop
    vmul_rn v3, v1, v2, 0
    vsrai_rn v4, v1, 0
    vmul_s_rn v5, v1, v2, 0
    ecall
    """
    + _vectors(_lanes([3, -3, 200, -1], 1), _lanes([5, 7, 200, -32768], 1)),
    {
        "v3": _lanes([15, -21, 40000 - 65536, -32768], 1),  # -1 * -32768 = 32768 wraps
        "v4": _lanes([3, -3, 200, -1], 1),
        "v5": _lanes([15, -21, 32767, 32767], 1),
    },
)

# The load-use rules. FeNN's ISE traps a read of a vector register the previous instruction
# loaded (readVReg: RAW_HAZARD), which we do too; it does not trap a write of that register or an
# RNG step right after vloadr0/1, and the hardware has no interlock, so FeNN leaves both open.
# Ours: both trap (vector_load_use; tval the register, 32 for the RNG state), as any use does.
# FeNN's code generator leaves an instruction after every such load (it must, for its ISE), so
# its programs never meet these traps.
HAZARD_READ = Case(
    "    vloadv v1, 0(x0)\n    vadd v2, v1, v3\n    ecall\n",
    {},
    exit=("trap", "vector_load_use", 1),
)
HAZARD_WRITE = Case(
    "    vloadv v1, 0(x0)\n    vlui v1, 3\n    ecall\n",
    {},
    exit=("trap", "vector_load_use", 1),
)
HAZARD_RNG = Case(
    "    vloadr0 0(x0)\n    vloadr1 64(x0)\n    vrng v1\n    ecall\n",
    {},
    exit=("trap", "vector_load_use", 32),
)
HAZARD_RNG_ROUNDING = Case(
    "    vloadr1 64(x0)\n    vsrai_rs v1, v2, 3\n    ecall\n",
    {},
    exit=("trap", "vector_load_use", 32),
)
NO_HAZARD_AFTER_GAP = Case(
    """
    vloadr0 0(x0)
    vloadr1 64(x0)
    vloadv v1, 128(x0)
    nop
    vrng v2                     # S0 = 1, S1 = 0 in every lane: output rotl(1, 9) + 1 = 513
    vlui v1, 3
    ecall
    """
    + _vectors([1] * LANES, [0] * LANES, [5] * LANES),
    {"v2": [513 >> 1] * LANES, "v1": [3] * LANES},
)

# Reserved fields of vector encodings: FeNN's ISE ignores them (or runs unassigned opcodes as
# no-ops) and FeNN's assembler always writes them 0; ours: a word with a reserved bit set matches
# no instruction and traps as illegal (tval the word).
RESERVED_VSOP_FUNCT7 = Case(
    "    .word 0x02000002\n    ecall\n", {}, exit=("trap", "illegal_instruction", 0x02000002)
)  # vadd with funct7 = 1
RESERVED_VSLLI_ROUND = Case(
    "    .word 0x01000026\n    ecall\n", {}, exit=("trap", "illegal_instruction", 0x01000026)
)  # vslli with a rounding mode
RESERVED_VRNG_RS1 = Case(
    "    .word 0x00008022\n    ecall\n", {}, exit=("trap", "illegal_instruction", 0x00008022)
)  # vrng with rs1 = 1


# ---------------------------------------------------------------- all the rules in one program
EVERY_RULE = Case(
    """
    csrw mcountinhibit, zero    # t0: what FeNN's kernels do first (here: already 0)
    vloadv v1, 0(x0)            # t1: lane bases
    vloadv v2, 64(x0)           # t2: values
    vloadv v3, 128(x0)          # t3: shift amounts
    csrwi mcountinhibit, 4      # t4: minstret stops from t5
    vsll v4, v2, v3             # t5
    vsra v5, v2, v3             # t6
    vmul_rn v6, v2, v2, 0       # t7: rounding term 0
    vloadl v7, 2(v1)            # t8: enabled by the base, not by base + 2
    nop                         # t9
    vadd v8, v7, v4             # t10
    csrci mcountinhibit, 4      # t11: minstret counts again from t12
    csrr x10, minstret          # t12: 5 (t0..t4 retired while counting)
    csrr x11, mcycle            # t13: 13
    vextract x12, v8, 4         # t14
    ecall                       # t15
    """
    + _vectors(LANE_BASES, SHIFT_VALUES, SHIFT_AMOUNTS)
    + _llm(),
    {
        "x10": 5,
        "x11": 13,
        "x12": 0,  # lane 4: v7 keeps 0 (base -64, disabled), v4 = 12345 << 31 = 0
        "v4": SHIFTS.expect["v3"],
        "v5": SHIFTS.expect["v4"],
        "v6": _lanes(
            [1, 1, 0, 0, (12345 * 12345 + 2**15) % 2**16 - 2**15]
            + [(12345 * 12345 + 2**15) % 2**16 - 2**15]
            + [49, 49, 1, 1, 9, 9, 25, 25],
            10000,
        ),
        "v7": [0, 101, 202, 0, 0] + [100 * lane + 3 for lane in range(5, LANES)],
    },
    cycles=16,
    extra={"instret": 16, "mcountinhibit": 0},
)

CASES: dict[str, Case] = {
    **MCOUNTINHIBIT,
    "lane_enable_by_base": LANE_ENABLE,
    "lane_negative_sum_faults": LANE_NEGATIVE_SUM_FAULTS,
    "lane_negative_odd_sum_faults": LANE_NEGATIVE_ODD_SUM_FAULTS,
    "shift_amounts": SHIFTS,
    "round_nearest_shift_0": ROUND_NEAREST_SHIFT_0,
    "hazard_read": HAZARD_READ,
    "hazard_write": HAZARD_WRITE,
    "hazard_rng": HAZARD_RNG,
    "hazard_rng_rounding": HAZARD_RNG_ROUNDING,
    "no_hazard_after_gap": NO_HAZARD_AFTER_GAP,
    "reserved_vsop_funct7": RESERVED_VSOP_FUNCT7,
    "reserved_vslli_round": RESERVED_VSLLI_ROUND,
    "reserved_vrng_rs1": RESERVED_VRNG_RS1,
    "every_rule": EVERY_RULE,
}


def check(state, case: Case) -> list[str]:
    """Differences between a MachineState and what the case expects (empty when it passes)."""
    out = []
    got_exit = (state.exit,) if state.exit != "trap" else (state.exit, state.cause, state.tval)
    if got_exit != case.exit:
        out.append(f"exit: expected {case.exit}, got {got_exit}")
    for key, want in case.expect.items():
        if key[0] == "x":
            got = int(state.x[int(key[1:])])
            if got != u32(want):
                out.append(f"{key}: expected {u32(want):#x}, got {got:#x}")
        else:
            got = [int(n) for n in state.v[int(key[1:])]]
            if got != list(want):
                out.append(f"{key}: expected {list(want)}, got {got}")
    if case.cycles is not None and state.cycles != case.cycles:
        out.append(f"cycles: expected {case.cycles}, got {state.cycles}")
    for key, want in case.extra.items():
        got = (
            state.instret
            if key == "instret"
            else state.csrs[key]
            if key in state.csrs
            else state.counters[key]
        )
        if got != want:
            out.append(f"{key}: expected {want}, got {got}")
    return out
