# One LIF population of 32 neurons (one vector), stepped STEPS times on the vector unit.
#
#   v <- round_nearest(v * ALPHA >> 15) + i     (vmul_rn, then saturating vadd_s)
#   spike where v >= threshold (vtge: one bit per lane), then v <- 0 on those lanes (vsel)
#
# Assemble and run it:  snnsoc asm firmware/examples/lif_step.s -o lif.elf
# At ecall: a0 = spikes over all steps, a1 = spike mask of the last step, a2 = v of lane 0,
# a3 = v of lane 31, a4 = mcycle; the final membrane vector is in vector memory at v_out.
# tests/firmware/test_examples.py recomputes all of it with riscv_soc.isa.numerics.

    .equ STEPS, 8
    .equ ALPHA, 29491              # 0.9 in s0_15
    .equ THRESHOLD, 1000

    .text
_start:
    la      t3, v_init
    vloadv  v1, 0(t3)              # v: membrane potentials
    la      t3, i_in
    vloadv  v2, 0(t3)              # i: input current
    li      t0, THRESHOLD
    vfill   v3, t0                 # threshold in every lane
    vlui    v4, ALPHA
    vlui    v5, 0                  # reset value
    li      t1, STEPS
    li      a0, 0
step:
    vmul_rn v1, v1, v4, 15         # leak
    vadd_s  v1, v1, v2             # integrate
    vtge    a1, v1, v3             # fire: bit i set when lane i reached the threshold
    vsel    v1, a1, v5             # reset the lanes that fired
    cpop    t2, a1
    add     a0, a0, t2
    addi    t1, t1, -1
    bnez    t1, step
    la      t3, v_out
    vstorev v1, 0(t3)
    vextract a2, v1, 0
    vextract a3, v1, 31
    csrr    a4, mcycle
    ecall

    .section .uram
v_init:
    .half 0, 37, 74, 111, 148, 185, 222, 259, 296, 333, 370, 407, 444, 481, 518, 555
    .half 592, 629, 666, 703, 740, 777, 814, 851, 888, 925, 962, 999, 1036, 1073, 1110, 1147
i_in:
    .half 50, 63, 76, 89, 102, 115, 128, 141, 154, 167, 180, 193, 206, 219, 232, 245
    .half 258, 271, 284, 297, 310, 323, 336, 349, 362, 375, 388, 401, 414, 427, 440, 453
v_out:
    .zero 64
