# Performance-counter snapshot: the low 32 bits of mcycle, minstret and the six activity
# counters (docs/isa.md, "CSRs"), in that order, to 8 words at a0. Clobbers t6.
# The host takes the difference of two snapshots (modulo 2^32) per sample.

    .text
counters_snapshot:
    csrr    t6, mcycle
    sw      t6, 0(a0)
    csrr    t6, minstret
    sw      t6, 4(a0)
    csrr    t6, mhpmcounter3           # vec_alu_ops
    sw      t6, 8(a0)
    csrr    t6, mhpmcounter4           # vec_mem_ops
    sw      t6, 12(a0)
    csrr    t6, mhpmcounter5           # lane_local_ops
    sw      t6, 16(a0)
    csrr    t6, mhpmcounter6           # scalar_mem_ops
    sw      t6, 20(a0)
    csrr    t6, mhpmcounter7           # dma_bytes
    sw      t6, 24(a0)
    csrr    t6, mhpmcounter8           # stall_cycles
    sw      t6, 28(a0)
    ret
