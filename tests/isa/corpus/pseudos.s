# Pseudo-instructions, labels and directives, assembled by our assembler and by GNU as
# (-march=rv32im_zicsr_zbb -mno-relax) and compared byte for byte. `la` lines are rewritten to
# `lui %hi` + `addi %lo` for GNU (our `la` is absolute; GNU's is pc-relative).
    .equ COUNT, 12
    .equ MASK, (1 << 8) - 1
    .globl _start
    .text
_start:
    nop
    li a0, 0
    li a0, 1
    li a0, -1
    li a1, 2047
    li a1, -2048
    li a2, 2048
    li a2, -2049
    li a3, 0x800
    li a3, 0xfff
    li a4, 0x1000
    li a4, 0x7ff
    li a5, 0x12345678
    li a5, 0x12345000
    li a6, 0x12345fff
    li a6, 0xdeadbeef
    li a7, 0x7fffffff
    li a7, 0x80000000
    li t0, 0xfffff800
    li t0, 0xffffffff
    li t1, -2147483648
    li t1, 0x7ffff800
    li t2, 0x7ffff7ff
    li t2, 0xfffff7ff
    li s0, 0x00000800 + 0x7ff
    li s1, COUNT
    li s2, MASK
    li s3, 1 + 2 << 3
    li s4, 6 | 1 + 1
    li s5, (7 / -2) * 3 % 5
    li s6, ~0x55 & 0xff ^ 0x0f
    li s7, 'A'
    li s8, 010
    li s9, 0b1011
    li zero, 5
    la a0, table
    la t6, table + 8
    la a1, _start
    mv a0, a1
    mv t6, zero
    not a2, a3
    neg a4, a5
    seqz s0, s1
    snez s2, s3
    sltz t3, t4
    sgtz t5, t6
    zext.b a0, a0
    sext.b a1, a2
    sext.h a3, a4
back:
    beqz a0, back
    bnez a1, back
    blez a2, fwd
    bgez a3, fwd
    bltz a4, back
    bgtz a5, fwd
    bgt a0, a1, back
    ble a2, a3, fwd
    bgtu a4, a5, back
    bleu a6, a7, fwd
    beq a0, a1, .
    bne a0, a1, . + 8
    blt a0, a1, . - 8
1:  j 1b
    j 1f
1:  jal 1b
    jal ra, 1b
    jal t0, fwd
    jr a0
    jr 4(a0)
    jalr a1
    jalr 8(a1)
    jalr t0, a1
    jalr t0, -4(a1)
    jalr t0, a1, 12
    ret
    call back
    call far
    tail back
    tail far
fwd:
    csrr a0, mcycle
    csrr a1, mcycleh
    csrr a2, minstret
    csrr a3, mhartid
    csrr a4, 0xbc0
    csrw mcycle, a0
    csrw 0xbc3, t0
    csrs 0xbc1, a1
    csrc 0xbc2, a2
    csrwi 0xbc3, 1
    csrsi 0xbd3, 31
    csrci 0xbd0, 0
    csrw 0xbc3, 5
    csrs 0xbc3, 7
    csrc 0xbc3, 9
    csrrw a0, 0xbc0, 3
    csrrs a0, 0xbc0, 3
    csrrc a0, 0xbc0, 3
    rdcycle a0
    rdcycleh a1
    rdinstret a2
    rdinstreth a3
    unimp
    fence
    ecall
    ebreak
    .word 0x00000000, 0x12345678, fwd, table
    .half 0x1234, -1
    .byte 1, 2, 255
    .align 3            # an odd gap: a zero byte (GNU as misplaces code after `.align 2` here)
    .half 5
    .align 3            # a gap of 2 mod 4: c.nop, then nop
    addi sp, sp, -16
    .align 4
    addi sp, sp, 16
    .balign 8
    .p2align 3
    add a0, a0, a1
    .zero 8
    .space 4, 0x13
    .skip 4
    lui a0, %hi(table)
    addi a0, a0, %lo(table)
    lw a1, %lo(table)(a0)
    sw a1, %lo(table + 4)(a0)
    .balign 4096
far:
    ret
    .balign 16

    .data
    .word 1, 2, 3
table:
    .word 0x11111111, table, far, COUNT * 4
    .half 7, 0xffff, -32768
    .byte 'x', 0, 255, -128
    .align 2
    .ascii "ab\n"
    .asciz "cd"
    .string "ef\t"
    .balign 4
    .zero 16
