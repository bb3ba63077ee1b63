"""Directed programs for the SoC RTL: one per instruction of the table, one per trap rule, the DMA
cases of docs/isa.md (error responses of the DDR included) and operand edges the random programs
rarely reach. Each is assembly source; `ddr_model(name)` says how the DDR answers it.

Where it sits: `snnsoc coverage` (`riscv_soc.coverage.collect`) runs them on the coverage build;
tests/hdl/test_soc.py runs them (with FeNN's rule programs, tests/fenn/programs.py) in one
simulator process and compares every final state (cycles included) with the ISS.
"""

from __future__ import annotations

import numpy as np

from riscv_soc.ddr import PLAIN, DdrFault, DdrModel
from riscv_soc.isa.table import INSTRS, OPERANDS

# Operand values that reach the edges of saturation, rounding, shifts and division.
EDGE_WORDS = (0, 1, -1, 7, -7, 0x7FFFFFFF, -0x80000000, 0x8000, -0x8000, 0x12345678, 3, -2)

PRELUDE = """
    vloadr0 0(x0)
    vloadr1 64(x0)
    li x31, 1024
    vloadv v1, 0(x31)
    vloadv v2, 64(x31)
    vloadv v3, 128(x31)
    vloadv v4, 192(x31)
    vloadv v5, 1024(x31)
    nop
"""


def vector_data(seed: int = 0) -> str:
    """RNG seeds at vmem 0, operand vectors at vmem 1024, lane addresses at vmem 2048."""
    rng = np.random.default_rng(seed)
    seeds = rng.integers(0, 1 << 16, 64)
    edges = [-32768, 32767, -1, 0, 1, 2, -2, 16384, -16384, 255, -256, 12345]
    ops = rng.integers(-(1 << 15), 1 << 15, 5 * 32)
    ops[::3] = np.resize(edges, ops[::3].size)
    addr = rng.integers(8, 1000, 32) * 2
    addr[[3, 17]] = -4  # disabled lanes
    lines = [".section .vmem"]
    lines += [f"    .half {', '.join(str(int(s) - (s >= 1 << 15) * 65536) for s in seeds)}"]
    lines += ["    .space 896", f"    .half {', '.join(str(int(v)) for v in ops)}"]
    lines += ["    .space 704", f"    .half {', '.join(str(int(a)) for a in addr)}"]
    lines += [".section .data", "    .word " + ", ".join(str(w) for w in EDGE_WORDS)]
    lines += [".section .llm", "    .space 64, 0x35", "    .half " + ", ".join(map(str, edges))]
    lines += [".section .ddr", "    .space 4096, 0x6b"]
    return "\n".join(lines) + "\n"


def _operands(instr, k: int) -> str:
    """Assembly operands of one use of `instr` (the k-th), registers and immediates varied."""
    out = []
    for slot in (s.strip() for s in instr.syntax.split(",") if s.strip()):
        if "(" in slot:
            imm, base = slot.rstrip(")").split("(")
            if base == "vs1":
                out.append(f"{2 * k}(v5)")
            elif instr.name.startswith("v"):
                out.append(f"{64 * k}(x31)")
            else:
                size = 4 if instr.name[1] == "w" else (2 if instr.name[1] == "h" else 1)
                out.append(f"{size * k}(x30)")
            continue
        op = OPERANDS[slot]
        if slot in ("xd",):
            out.append(f"x{10 + k}")
        elif slot in ("xs1", "xs2"):
            out.append(f"x{1 + (k + (slot == 'xs2') * 3) % 9}")
        elif slot == "vd":
            out.append(f"v{10 + k}")
        elif slot in ("vs1", "vs2"):
            out.append(f"v{1 + (k + (slot == 'vs2') * 2) % 4}")
        elif slot == "csr":
            out.append(
                ("mcycle", "minstret", "dma_mm2s_src", "mhpmcounter3", "dma_s2mm_count")[k % 5]
            )
        elif op.kind == "imm":
            low, high = -(1 << (op.width - 1)), (1 << (op.width - 1)) - 1
            out.append(str((low, high, 0, -1, 5)[k % 5] & ~(op.align - 1)))
        else:
            out.append(str(((1 << op.width) - 1, 0, 1, 3, 8)[k % 5]))
    return ", ".join(out)


def instruction_program(instr) -> str:
    """Set up registers, then run `instr` five times with different operands."""
    body = [f"    li x{r}, {EDGE_WORDS[r % len(EDGE_WORDS)]}" for r in range(1, 10)]
    body += ["    li x30, 0"]
    if instr.name in ("jal", "jalr") or instr.name.startswith("b"):
        return _control_program(instr)
    if instr.name in ("ecall", "ebreak"):
        return PRELUDE + "\n".join(body) + f"\n    {instr.name}\n" + vector_data()
    if (
        instr.name.startswith("csrrw")
        or instr.name.startswith("csrrs")
        or instr.name.startswith("csrrc")
    ):
        return _csr_program(instr) + vector_data()
    for k in range(5):
        body.append(f"    {instr.name} {_operands(instr, k)}".rstrip())
        body.append("    nop")  # a vector load's result is not readable by the next instruction
    return PRELUDE + "\n".join(body) + "\n    ecall\n" + vector_data()


def _control_program(instr) -> str:
    lines = [f"    li x{r}, {EDGE_WORDS[r % len(EDGE_WORDS)]}" for r in range(1, 10)]
    for k in range(5):
        a, b = 1 + k, 2 + (k * 3) % 7
        if instr.name == "jal":
            lines += [f"    jal x{10 + k}, 1f", "    addi x20, x20, 1", "1:"]
        elif instr.name == "jalr":
            lines += [
                "    la x25, 2f",
                f"    jalr x{10 + k}, 0(x25)",
                "    addi x20, x20, 1",
                "2:",
            ]
        else:
            lines += [f"    {instr.name} x{a}, x{b}, 3f", "    addi x20, x20, 1", "3:"]
            lines += [f"    {instr.name} x{a}, x{a}, 4f", "    addi x21, x21, 1", "4:"]
    return "\n".join(lines) + "\n    ecall\n"


def _csr_program(instr) -> str:
    src = "x7" if not instr.name.endswith("i") else "5"
    lines = ["    li x7, 4160"]
    for name in ("dma_mm2s_src", "dma_mm2s_dst", "dma_s2mm_count", "dma_s2mm_src"):
        lines.append(f"    {instr.name} x{10 + len(lines)}, {name}, {src}")
        lines.append(f"    csrr x{20 + len(lines) % 8}, {name}")
    for name in ("mcycle", "minstreth", "mhpmcounter8", "instret", "mhartid", "dma_mm2s_status"):
        zero = "x0" if not instr.name.endswith("i") else "0"
        if instr.name in ("csrrs", "csrrc", "csrrsi", "csrrci"):
            lines.append(f"    {instr.name} x{10 + len(lines) % 16}, {name}, {zero}")
    return "\n".join(lines) + "\n    ecall\n"


def instruction_programs() -> dict[str, str]:
    return {f"instr_{i.name}": instruction_program(i) for i in INSTRS}


# Each trap rule of docs/isa.md, including the order of the checks.
TRAPS = {
    "fetch_beyond_imem": "    li x1, 0x10000\n    jalr x0, 0(x1)\n",
    "illegal_zero_word": "    nop\n    .word 0\n",
    "illegal_fixed_field": "    .word 0x0000707F\n",
    "illegal_round_mode_3": "    .word 0x60004002\n",
    "illegal_unknown_csr": "    csrr x1, 0x7c0\n",
    "illegal_standard_csr_not_implemented": "    csrr x1, mstatus\n",
    "illegal_write_counter": "    li x1, 5\n    csrw mcycle, x1\n",
    "illegal_write_status": "    csrrsi x1, dma_mm2s_status, 1\n",
    "read_counter_with_x0_is_legal_then_ecall": "    csrrs x1, mcycle, x0\n    ecall\n",
    "jump_misaligned": "    li x1, 6\n    jalr x2, 0(x1)\n",
    "branch_misaligned_target": "    li x1, 1\n    bne x1, x0, 2\n",
    "load_misaligned": "    lw x1, 2(x0)\n",
    "load_out_of_range": "    li x1, 0x20000\n    lb x2, 0(x1)\n",
    "load_word_at_end": "    li x1, 0x1fffc\n    lw x2, 0(x1)\n    lw x3, 4(x1)\n",
    "load_word_straddles_end": "    li x1, 0x1fffe\n    lw x2, 0(x1)\n",
    "misaligned_before_range": "    li x1, 0x20001\n    lw x2, 0(x1)\n",
    "store_misaligned": "    sh x1, 1(x0)\n",
    "store_out_of_range": "    li x1, 0x20000\n    sb x1, 0(x1)\n",
    "address_wraps": "    li x1, -4\n    lw x2, 8(x1)\n    lw x3, 0(x1)\n",
    "vload_misaligned": "    vloadv v1, 32(x0)\n",
    "vload_out_of_range": "    li x1, 0x80000\n    vloadv v1, 0(x1)\n",
    "vstore_out_of_range": "    li x1, 0x7ffc0\n    vstorev v1, 64(x1)\n",
    "seed_misaligned": "    vloadr1 2(x0)\n",
    "hazard_vd": "    vloadv v1, 0(x0)\n    vadd v2, v1, v3\n",
    "hazard_write_dest": "    vloadv v1, 0(x0)\n    vlui v1, 3\n",
    "hazard_vsel_reads_vd": "    vloadv v1, 0(x0)\n    vsel v1, x0, v2\n",
    "hazard_vloadl_address": "    vloadl v4, 0(v5)\n    vloadl v6, 0(v4)\n",
    "hazard_before_address_check": "    vloadv v1, 0(x0)\n    vloadv v1, 3(x0)\n",
    "hazard_rng": "    vloadr0 0(x0)\n    vrng v1\n",
    "hazard_rng_rounding": "    vloadr1 64(x0)\n    vmul_rs v1, v2, v3, 4\n",
    "no_hazard_after_gap": "    vloadv v1, 1024(x0)\n    nop\n    vadd v2, v1, v1\n    ecall\n",
    "no_hazard_scalar_next": "    vloadv v1, 1024(x0)\n    addi x1, x0, 1\n"
    "    vadd v2, v1, v1\n    ecall\n",
    "lane_odd_address": "    vlui v6, 3\n    vloadl v1, 0(v6)\n",
    "lane_out_of_range": "    vlui v6, 2048\n    vstorel v1, 0(v6)\n",
    "lane_first_faulting_lane": "    li x5, 0xFFFF0000\n    vlui v6, 2048\n    vlui v7, 5\n"
    "    vsel v6, x5, v7\n    vloadl v1, 0(v6)\n",
    "lane_disabled_lanes_skip": "    vlui v6, -2\n    vloadl v1, 0(v6)\n    nop\n    ecall\n",
    "lane_negative_sum_faults": "    vlui v6, 100\n    vstorel v2, -102(v6)\n    ecall\n",
    "lane_negative_base_disables": "    vlui v6, -2\n    vstorel v2, 4(v6)\n    ecall\n",
    "ebreak": "    addi x1, x0, 1\n    ebreak\n",
}


def trap_programs() -> dict[str, str]:
    return {f"trap_{name}": PRELUDE + text + vector_data() for name, text in TRAPS.items()}


def _dma_wait(ch: str, label: int) -> str:
    return f"{label}:  csrr x25, dma_{ch}_status\n    andi x25, x25, 2\n    beqz x25, {label}b\n"


def _dma_start(ch: str, src: int, dst: int, count: int) -> str:
    return (
        f"    li x26, {src}\n    csrw dma_{ch}_src, x26\n    li x26, {dst}\n"
        f"    csrw dma_{ch}_dst, x26\n    li x26, {count}\n    csrw dma_{ch}_count, x26\n"
        f"    csrwi dma_{ch}_control, 1\n"
    )


DDR_BYTES = 1 << 20  # the test configuration's DDR (riscv_soc.difftest.CONFIG)

DMA = {
    "mm2s_basic": _dma_start("mm2s", 0, 8192, 256)
    + _dma_wait("mm2s", 1)
    + "    li x5, 8192\n    vloadv v1, 0(x5)\n    nop\n    vextract x9, v1, 3\n",
    "s2mm_basic": _dma_start("s2mm", 1024, 4096, 320) + _dma_wait("s2mm", 1),
    "s2mm_crosses_4k": _dma_start("s2mm", 0, 4096 - 128, 1024) + _dma_wait("s2mm", 1),
    "mm2s_crosses_4k": _dma_start("mm2s", 4096 - 64, 16384, 4096) + _dma_wait("mm2s", 1),
    "status_phases": _dma_start("mm2s", 0, 8192, 640)
    + "    csrr x10, dma_mm2s_status\n"
    + "    nop\n" * 8
    + "    csrr x11, dma_mm2s_status\n"
    + "    csrr x12, dma_mm2s_status\n    csrr x13, mhpmcounter7\n"
    + _dma_wait("mm2s", 1)
    + "    csrr x14, dma_mm2s_status\n    csrr x15, mhpmcounter7\n",
    "start_while_busy_ignored": _dma_start("mm2s", 0, 8192, 1024)
    + "    li x26, 64\n    csrw dma_mm2s_count, x26\n    csrwi dma_mm2s_control, 1\n"
    + _dma_wait("mm2s", 1)
    + "    csrr x10, dma_mm2s_count\n    csrr x11, mhpmcounter7\n",
    "misaligned_internal_error": _dma_start("mm2s", 32, 8192, 64)
    + "    csrr x10, dma_mm2s_status\n",
    "count_zero": _dma_start("s2mm", 0, 0, 0) + "    csrr x10, dma_s2mm_status\n",
    "count_too_big": _dma_start("s2mm", 0, 0, (1 << 19)) + "    csrr x10, dma_s2mm_status\n",
    "decode_error_ddr": _dma_start("mm2s", DDR_BYTES - 64, 0, 128)
    + "    csrr x10, dma_mm2s_status\n",
    "decode_error_vmem": _dma_start("s2mm", 0x80000 - 64, 0, 128)
    + "    csrr x10, dma_s2mm_status\n",
    "internal_before_decode": _dma_start("mm2s", DDR_BYTES, 4, 64)
    + "    csrr x10, dma_mm2s_status\n",
    "error_then_ok_clears": _dma_start("mm2s", 32, 0, 64)
    + _dma_start("mm2s", 0, 8192, 64)
    + "    csrr x10, dma_mm2s_status\n"
    + _dma_wait("mm2s", 1)
    + "    csrr x11, dma_mm2s_status\n",
    "both_channels_with_compute": _dma_start("mm2s", 0, 16384, 2048)
    + _dma_start("s2mm", 1024, 8192, 1024)
    + "    li x5, 40\n2:  vadd v6, v1, v2\n    vmul_rn v7, v6, v3, 5\n    div x6, x5, x1\n"
    "    addi x5, x5, -1\n    bnez x5, 2b\n"
    + _dma_wait("mm2s", 1)
    + _dma_wait("s2mm", 3)
    + "    csrr x10, mhpmcounter7\n    csrr x11, mcycle\n",
    "back_to_back": "    li x5, 4\n    li x6, 0\n5:\n"
    + "    csrw dma_mm2s_src, x6\n    li x26, 20480\n    add x26, x26, x6\n"
    "    csrw dma_mm2s_dst, x26\n    li x26, 512\n    csrw dma_mm2s_count, x26\n"
    "    csrwi dma_mm2s_control, 1\n    vadd v6, v6, v1\n"
    + _dma_wait("mm2s", 1)
    + "    addi x6, x6, 512\n    addi x5, x5, -1\n    bnez x5, 5b\n"
    + "    li x5, 20480\n    vloadv v9, 1536(x5)\n    nop\n    vextract x9, v9, 31\n",
    # Both channels at the top of vector memory and the upper half of DDR, 32 KiB each: the high
    # bits of the address and count registers toggle (a larger transfer costs the Python DDR
    # model about 0.2 s per KiB).
    "both_channels_high": _dma_start("mm2s", 0, 0x80000 - 0x8000, 0x8000)
    + _dma_start("s2mm", 0x80000 - 0x10000, DDR_BYTES - 0x8000, 0x8000)
    + _dma_wait("mm2s", 1)
    + _dma_wait("s2mm", 2),
}


# The spin `j .` ends a run as ecall does (docs/isa.md, "How a run ends"), also with a DMA
# transfer still in flight.
SPINS = {
    "flag_then_spin": "    li x1, 1\n    sw x1, 0(x0)\n    j .\n",
    "dma_in_flight": _dma_start("mm2s", 0, 8192, 640) + "    j .\n",
}


# The DDR answers the transfers of these programs with error responses (docs/isa.md, "A DDR that
# stalls or answers with errors"): MM2S reads DDR [0, 1 KiB) and S2MM writes DDR [8 KiB, 9 KiB),
# each across one faulting range, then both status registers are read.
DDR_ERROR_TRANSFERS = (
    _dma_start("mm2s", 0, 16384, 1024)
    + _dma_start("s2mm", 1024, 8192, 1024)
    + _dma_wait("mm2s", 1)
    + _dma_wait("s2mm", 2)
    + "    csrr x10, dma_mm2s_status\n    csrr x11, dma_s2mm_status\n"
)
DDR_ERRORS = {
    response: DdrModel(faults=(DdrFault(256, 384, response), DdrFault(8448, 8512, response)))
    for response in ("slverr", "decerr")
}
DMA |= {f"ddr_{response}": DDR_ERROR_TRANSFERS for response in DDR_ERRORS}


def ddr_model(name: str) -> DdrModel:
    """How the DDR answers the directed program `name` (a DDR that keeps up, unless listed)."""
    response = name.removeprefix("dma_ddr_")
    return DDR_ERRORS[response] if name.startswith("dma_ddr_") else PLAIN


def dma_programs() -> dict[str, str]:
    return {
        f"dma_{name}": PRELUDE + text + "    ecall\n" + vector_data() for name, text in DMA.items()
    }


def spin_programs() -> dict[str, str]:
    return {f"spin_{name}": PRELUDE + text + vector_data() for name, text in SPINS.items()}


# Instruction fetch faults (docs/isa.md, "Traps") the random programs cannot reach: a taken branch
# backwards past address 0 (to address -48: 0xffff_ffd0), and the instruction at the last word
# of the 64 KiB instruction memory falling through to 0x10000 (reached by a jump over the rest).
FETCH = {
    "branch_below_zero": "    li x1, 1\n    bne x1, x0, -48\n",
    "fall_off_the_end": "    li x1, 0xfff8\n    jalr x0, 0(x1)\n    .space 0xfff8 - 12\n"
    "    addi x2, x0, 7\n    addi x3, x0, 9\n",
}


def fetch_programs() -> dict[str, str]:
    """Without the prelude: the second needs its own layout of instruction memory."""
    return {f"trap_fetch_{name}": text for name, text in FETCH.items()}


# Operand classes the random programs rarely reach (holes of `snnsoc coverage`'s functional bins).
EDGE_SLOTS = {
    "xd": "x5",
    "xs1": "x1",
    "xs2": "x1",
    "vd": "v5",
    "vs1": "v2",
    "vs2": "v2",
    "imm12": "1",
    "shamt": "1",
    "nbits": "3",
    "lane": "0",
}
EDGES = {
    "jalr_offset_extremes": "    la x1, 1f\n    addi x1, x1, 2047\n    addi x1, x1, 1\n"
    "    jalr x3, -2048(x1)\n1:  la x1, 2f\n    addi x1, x1, -2047\n    jalr x3, 2047(x1)\n"
    "2:  ecall\n",
    "vloadl_into_its_base": "    vlui v6, 4\n    vloadl v6, 0(v6)\n    nop\n    ecall\n",
    "vstore_misaligned": "    vstorev v1, 32(x0)\n",
}


def edge_programs() -> dict[str, str]:
    """The operand edges above, and every ALU instruction with a scalar source of -2^31."""
    alu = [
        i
        for i in INSTRS
        if "xs1" in i.operands and i.klass in ("scalar", "vec_alu") and "(" not in i.syntax
    ]
    lines = [
        f"    {i.name} " + ", ".join(EDGE_SLOTS[op] for op in i.operands)
        for i in alu
        if set(i.operands) <= set(EDGE_SLOTS)
    ]
    programs = {
        **EDGES,
        "scalar_source_min": "    li x1, 0x80000000\n" + "\n".join(lines) + "\n    ecall\n",
    }
    return {f"edge_{name}": PRELUDE + text + vector_data() for name, text in programs.items()}


def all_programs() -> dict[str, str]:
    return {
        **instruction_programs(),
        **trap_programs(),
        **dma_programs(),
        **spin_programs(),
        **fetch_programs(),
        **edge_programs(),
    }
