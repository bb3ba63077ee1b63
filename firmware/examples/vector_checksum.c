/* A small C program that drives the FeNN vector unit, for the GNU toolchain.

   Build (tests/firmware/test_gnu_firmware.py does this):
     riscv64-unknown-elf-gcc -march=rv32im_zicsr_zbb -mabi=ilp32 -O2 -ffreestanding -nostdlib \
       -T firmware/link.ld firmware/crt0.S firmware/examples/vector_checksum.c -o checksum.elf

   Vector instructions are emitted as `.word`s: GNU as 2.40 rejects `.insn` for FeNN's major
   opcodes, whose low two bits are 0b10 (it reads them as compressed instructions). The word is an
   assembler expression of the fields (docs/isa.md); scalar operands travel in pinned registers
   (a0 = x10, a1 = x11). The returned checksum is recomputed in Python by the test. */

#include <stdint.h>

#define STR_(x) #x
#define STR(x) STR_(x)

/* Major opcodes and encodings, as in riscv_soc/isa/table.py. */
#define OP_VSOP 0x02
#define OP_VLUI 0x06
#define OP_VLOAD 0x12
#define OP_VSTORE 0x16
#define OP_VMOV 0x1A
#define R_TYPE(op, f3, f7, rd, rs1, rs2) \
    (((f7) << 25) | ((rs2) << 20) | ((rs1) << 15) | ((f3) << 12) | ((rd) << 7) | (op))
#define I_TYPE(op, f3, rd, rs1, imm) \
    ((((imm) & 0xfff) << 20) | ((rs1) << 15) | ((f3) << 12) | ((rd) << 7) | (op))
#define S_TYPE(op, f3, rs1, rs2, imm) \
    (((((imm) >> 5) & 0x7f) << 25) | ((rs2) << 20) | ((rs1) << 15) | ((f3) << 12) \
     | (((imm) & 0x1f) << 7) | (op))
#define INSN(word) ".word " STR(word) "\n\t"

#define A0 10
#define A1 11

/* vfill vd, a0: every lane = x narrowed to int16 (sign kept). */
#define VFILL(vd, x) do { \
    register int32_t a0_ __asm__("a0") = (x); \
    __asm__ volatile(INSN(I_TYPE(OP_VMOV, 0, vd, A0, 0)) : : "r"(a0_)); \
} while (0)
/* vlui vd, imm16 */
#define VLUI(vd, imm16) __asm__ volatile(INSN((((imm16) & 0xffff) << 12) | ((vd) << 7) | OP_VLUI))
/* vadd_s vd, vs1, vs2 (saturating) */
#define VADD_S(vd, vs1, vs2) __asm__ volatile(INSN(R_TYPE(OP_VSOP, 0, 0x40, vd, vs1, vs2)))
/* vmul_rn vd, vs1, vs2, shift: bit 31 saturate (0), bits 30:29 round (1 = nearest), 28:25 shift */
#define VMUL_RN(vd, vs1, vs2, shift) \
    __asm__ volatile(INSN((1 << 29) | ((shift) << 25) | ((vs2) << 20) | ((vs1) << 15) \
                          | (4 << 12) | ((vd) << 7) | OP_VSOP))
/* vstorev vs2, 0(a1), then vloadv vd, 0(a1) and a nop: the next instruction must not use vd. */
#define VSTORE_LOAD(vs2, vd, address) do { \
    register uint32_t a1_ __asm__("a1") = (address); \
    __asm__ volatile(INSN(S_TYPE(OP_VSTORE, 0, A1, vs2, 0)) INSN(I_TYPE(OP_VLOAD, 0, vd, A1, 0)) "nop" \
                     : : "r"(a1_) : "memory"); \
} while (0)
/* vextract a0, vs1, lane */
#define VEXTRACT(vs1, lane) ({ \
    register int32_t a0_ __asm__("a0"); \
    __asm__ volatile(INSN(R_TYPE(OP_VMOV, 1, 0, A0, vs1, lane)) : "=r"(a0_)); \
    a0_; \
})

/* One vector in vector memory (the .uram section: vmem offset 0). */
static int16_t scratch[32] __attribute__((section(".uram"), aligned(64)));
/* Scalar data memory, zeroed by crt0 (.bss); volatile keeps gcc from folding the sum. */
static volatile int32_t squares[10];

int main(void) {
    for (int32_t i = 0; i < 10; i++) {
        squares[i] = (i + 1) * (i + 1);
    }
    int32_t seed = 0;
    for (int32_t i = 0; i < 10; i++) {
        seed += squares[i]; /* 385 */
    }
    VFILL(1, seed);                              /* v1 = 385 */
    VLUI(2, 1000);                               /* v2 = 1000 */
    VADD_S(3, 1, 2);                             /* v3 = 1385 */
    VMUL_RN(4, 3, 2, 6);                         /* v4 = (1385 * 1000 + 32) >> 6 */
    VSTORE_LOAD(4, 5, (uint32_t)(uintptr_t)scratch); /* v5 = v4, through vector memory */
    VADD_S(6, 5, 5);                             /* v6 = 2 * v5, saturated */
    int32_t lane7 = VEXTRACT(5, 7);
    int32_t lane31 = VEXTRACT(6, 31);
    return lane7 + 3 * lane31 + seed;
}
