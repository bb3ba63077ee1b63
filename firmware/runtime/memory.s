# Memory helpers.

    .text
# Zero lane-local memory bytes [a0, a1) of every lane; a1 - a0 a multiple of 16.
# Needs v0 = 0; clobbers a0, v31.
llm_zero:
    vfill   v31, a0                    # the same lane-local address in every lane
    vstorel v0, 0(v31)
    vstorel v0, 2(v31)
    vstorel v0, 4(v31)
    vstorel v0, 6(v31)
    vstorel v0, 8(v31)
    vstorel v0, 10(v31)
    vstorel v0, 12(v31)
    vstorel v0, 14(v31)
    addi    a0, a0, 16
    bne     a0, a1, llm_zero
    ret
