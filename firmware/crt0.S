/* Start-up code for C firmware built with the GNU toolchain and firmware/link.ld.

   Sets the stack pointer to the top of scalar data memory, zeroes .bss, calls main and stops the
   machine with ecall, main's return value in a0. Initialised data needs no copy: the SoC is
   Harvard and the image loads .data straight into dmem. Symbols are absolute memory offsets, so
   they are loaded with lui/addi, not with GNU's pc-relative `la`. */

    .section .text.start, "ax", @progbits
    .globl _start
_start:
    lui     sp, %hi(__stack_top)
    addi    sp, sp, %lo(__stack_top)
    lui     t0, %hi(__bss_start)
    addi    t0, t0, %lo(__bss_start)
    lui     t1, %hi(__bss_end)
    addi    t1, t1, %lo(__bss_end)
1:  bgeu    t0, t1, 2f
    sw      zero, 0(t0)
    addi    t0, t0, 4
    j       1b
2:  call    main
    ecall
