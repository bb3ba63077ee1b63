"""Counters and CSRs on the ISS: values at known cycles, 64-bit halves, read-only rules."""

from __future__ import annotations

from riscv_soc import iss
from riscv_soc.iss import _kernels


def test_cycle_and_instret_at_known_points(run_asm):
    state = run_asm(
        """
        csrr a0, mcycle         # cycle 0
        csrr a1, minstret       # cycle 1: 1 retired before it
        li t0, 7
        li t1, 2
        div t2, t0, t1          # cycles 4..36
        csrr a2, mcycle         # cycle 37
        csrr a3, minstret       # 6 retired
        csrr a4, mhpmcounter8   # stall_cycles: 39 - 7
        csrr a5, cycle          # user aliases
        csrr a6, instret
        csrr a7, mcycleh
        ecall                   # cycle 43
        """
    )
    assert [state.x[r] for r in range(10, 18)] == [0, 1, 37, 6, 32, 40, 9, 0]
    assert state.x[7] == 3
    assert (state.cycles, state.instret) == (44, 12)
    assert state.counters["stall_cycles"] == 32


def test_every_divider_op_takes_33_cycles(run_asm):
    for op in ("div", "divu", "rem", "remu"):
        state = run_asm(f"{op} a0, a1, a2\necall")
        assert (state.cycles, state.instret) == (34, 2), op


def test_activity_counters(run_asm):
    state = run_asm(
        """
        vlui v1, 1              # vec_alu 1
        vadd v2, v1, v1         # vec_alu 2
        vteq a0, v1, v1         # vec_alu 3
        vextract a0, v1, 2      # vec_alu 4
        vstorev v2, 0(zero)     # vec_mem 1
        vloadv v3, 0(zero)      # vec_mem 2
        vloadr0 64(zero)        # vec_mem 3
        vloadr1 64(zero)        # vec_mem 4
        vstorel v1, 0(v0)       # lane_local 1
        vloadl v4, 0(v0)        # lane_local 2
        lw a1, 0(zero)          # scalar_mem 1
        sb a1, 8(zero)          # scalar_mem 2
        lhu a1, 2(zero)         # scalar_mem 3
        csrr a2, mhpmcounter3
        csrr a3, mhpmcounter4
        csrr a4, mhpmcounter5
        csrr a5, mhpmcounter6
        csrr a6, mhpmcounter7
        csrr a7, mhpmcounter3h
        ecall
        """
    )
    assert [state.x[r] for r in range(12, 18)] == [4, 4, 2, 3, 0, 0]
    assert state.counters == {
        "vec_alu_ops": 4,
        "vec_mem_ops": 4,
        "lane_local_ops": 2,
        "scalar_mem_ops": 3,
        "dma_bytes": 0,
        "stall_cycles": 0,
    }


def test_counters_are_64_bit(build):
    """Start counters near 2^32 (set in the state arrays) and read both halves across carries."""
    machine = iss.Iss(
        build(
            """
            csrr a0, mcycle
            csrr a1, mcycleh
            nop
            nop
            csrr a2, mcycle
            csrr a3, mcycleh
            csrr a4, minstreth
            csrr a5, cycleh
            csrr a6, mhpmcounter8h
            csrr a7, mhpmcounter3
            csrr s0, mhpmcounter3h
            ecall
            """
        )
    )
    machine._core[_kernels.CYCLES] = 2**33 - 2  # as if the machine had run that long
    machine._core[_kernels.INSTRET] = 2**32 - 3
    machine._counters[0] = 2**32 + 3  # vec_alu_ops
    state = machine.run(max_cycles=2**34, memories=())
    got = [state.x[r] for r in (10, 11, 12, 13, 14, 15, 16, 17, 8)]
    assert got == [0xFFFFFFFE, 1, 2, 2, 1, 2, 1, 3, 1]
    assert state.cycles == 2**33 + 10
    assert state.counters["stall_cycles"] == 2**33 + 10 - (2**32 - 3 + 12)


def test_machine_id_and_unknown_reads(run_asm):
    state = run_asm("li a0, 5\ncsrr a0, mhartid\necall")
    assert state.x[10] == 0


def test_dma_registers_read_back(run_asm):
    state = run_asm(
        """
        li t0, 0x12345678
        csrw dma_mm2s_src, t0
        csrr a0, dma_mm2s_src
        csrrsi a1, dma_s2mm_dst, 5      # old 0, now 5
        csrrs a2, dma_s2mm_dst, t0      # old 5, now 5 | t0
        csrrci a3, dma_s2mm_dst, 4      # clear bit 2
        csrrc a4, dma_s2mm_dst, t0      # old ..., now what t0 did not set
        csrr a5, dma_s2mm_dst
        csrrwi a6, dma_mm2s_count, 17
        csrr a7, dma_mm2s_count
        csrw dma_mm2s_control, zero     # no start: bit 0 clear
        csrr s0, dma_mm2s_control       # reads 0
        csrr s1, dma_mm2s_status        # idle at reset
        csrr s2, dma_s2mm_status
        ecall
        """
    )
    t0 = 0x12345678
    got = [state.x[r] for r in (10, 11, 12, 13, 14, 15, 16, 17, 8, 9, 18)]
    assert got == [t0, 0, 5, 5 | t0, (5 | t0) & ~4, 1, 0, 17, 0, 2, 2]
    assert state.csrs["dma_mm2s_src"] == t0
    assert state.csrs["dma_mm2s_count"] == 17
    assert state.csrs["dma_s2mm_dst"] == 1
    assert state.csrs["dma_mm2s_status"] == 2
