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

CASES: dict[str, Case] = {**MCOUNTINHIBIT}


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
            state.instret if key == "instret"
            else state.csrs[key] if key in state.csrs else state.counters[key]
        )  # fmt: skip
        if got != want:
            out.append(f"{key}: expected {want}, got {got}")
    return out
