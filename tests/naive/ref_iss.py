"""A slow, obviously correct pure-Python interpreter of the machine in docs/isa.md.

The differential tests run random programs on it and on `riscv_soc.iss` and compare the final
`MachineState`s. It decodes words with the encoding table (`lookup`/`extract`: the one definition
of encodings) and names CSRs with `riscv_soc.isa.csr`, but shares no code with the ISS: semantics,
numerics (wrapping, saturation, rounding), hazards, counters and DMA timing are written here again
from docs/isa.md and docs/semantics.md, with plain Python integers, and the RNG is
`naive.xoroshiro`.
"""

from __future__ import annotations

import functools
from fractions import Fraction

import numpy as np

from naive.xoroshiro import Xoroshiro32pp
from riscv_soc.image import Image
from riscv_soc.isa.csr import COUNTERS, CSRS, FIRST_HPM
from riscv_soc.isa.hardware import TRAP_CODES
from riscv_soc.isa.table import OPERANDS, extract, lookup
from riscv_soc.machine import MachineState
from riscv_soc.soc import DEFAULT, SocConfig

M32 = 2**32
SPIN = 0x0000006F  # jal x0, 0: the jump to itself that ends a run (docs/isa.md)
LANES = 32
WRITABLE_CSRS = {
    f"dma_{ch}_{reg}" for ch in ("mm2s", "s2mm") for reg in ("src", "dst", "count", "control")
} | {"mcountinhibit"}
# mcountinhibit (docs/isa.md): reset value, and the bit that stops each counter.
INHIBIT_RESET = 0
INHIBIT_BIT = {"mcycle": 0, "minstret": 2}
INHIBIT_BIT.update({f"mhpmcounter{FIRST_HPM + k}": FIRST_HPM + k for k in range(len(COUNTERS))})

# Activity counters by instruction (docs/isa.md, CSRs); other FeNN instructions: vec_alu_ops.
ACTIVITY = {
    **dict.fromkeys(("lb", "lh", "lw", "lbu", "lhu", "sb", "sh", "sw"), "scalar_mem_ops"),
    **dict.fromkeys(("vloadv", "vstorev", "vloadr0", "vloadr1"), "vec_mem_ops"),
    **dict.fromkeys(("vloadl", "vstorel"), "lane_local_ops"),
}


@functools.cache
def decode(word: int):
    """(instruction, operand values by name), or (None, None) for an illegal word."""
    instr = lookup(word)
    if instr is None:
        return None, None
    return instr, {name: extract(OPERANDS[name], word) for name in instr.operands}


class Trap(Exception):
    def __init__(self, cause: str, tval: int) -> None:
        super().__init__(cause)
        self.code, self.tval = TRAP_CODES[cause], tval


def signed32(u: int) -> int:
    u %= M32
    return u - M32 if u >= 2**31 else u


def wrap16(n: int) -> int:
    return (n + 2**15) % 2**16 - 2**15


def sat16(n: int) -> int:
    return max(-(2**15), min(2**15 - 1, n))


def shift_right(n: int, shift: int) -> int:
    """Arithmetic shift right: floor division by 2**shift."""
    return n // 2**shift


class DmaChannel:
    def __init__(self, name: str) -> None:
        self.name = name
        self.regs = {"src": 0, "dst": 0, "count": 0}
        self.last = 0  # status bits 4-7 of the last command that finished
        self.transfer = None  # (t0, end, src, dst, count) while in flight


class RefMachine:
    def __init__(self, image: Image, config: SocConfig = DEFAULT) -> None:
        self.config = config
        self.mem = {n: bytearray(a.tobytes()) for n, a in image.memory_arrays(config).items()}
        self.x = [0] * 32  # unsigned 32-bit values
        self.v = [[0] * LANES for _ in range(32)]
        self.rng = [Xoroshiro32pp(0, 0) for _ in range(LANES)]
        self.pc = image.entry
        self.cycle = 0
        self.instret = 0
        self.activity = dict.fromkeys(COUNTERS, 0)
        # What the counter CSRs read: they count only while their mcountinhibit bit is clear.
        self.inhibit = INHIBIT_RESET
        self.new_inhibit = None  # written by the current instruction: in effect from the next
        self.csr_counts = dict.fromkeys(INHIBIT_BIT, 0)
        self.dma = {"mm2s": DmaChannel("mm2s"), "s2mm": DmaChannel("s2mm")}
        self.last_load = set()  # what the previous instruction, a vector load, writes late

    # ---- running

    def run(self, max_cycles: int) -> MachineState:
        exit_kind, cause, tval = "limit", None, 0
        while True:
            self.finish_dma()
            if self.cycle >= max_cycles:
                break
            try:
                name = self.step()
            except Trap as trap:
                self.cycle += 1
                self.count("mcycle", 1)
                self.count(f"mhpmcounter{FIRST_HPM + COUNTERS.index('stall_cycles')}", 1)
                exit_kind, cause, tval = "trap", trap.code, trap.tval
                break
            if name in ("ecall", "ebreak", "spin"):
                exit_kind = name
                break
        self.finish_dma()
        return self.state(exit_kind, cause, tval)

    def step(self) -> str:
        """Execute one instruction; return its name, or "spin" for `jal x0, 0`, which ends a
        run as ecall does. Raises Trap."""
        if not 0 <= self.pc < self.config.imem_bytes:
            raise Trap("instruction_access_fault", self.pc)
        word = int.from_bytes(self.mem["imem"][self.pc : self.pc + 4], "little")
        instr, ops = decode(word)
        if instr is None:
            raise Trap("illegal_instruction", word)
        if instr.name.startswith("csr"):
            self.check_csr_access(instr.name, ops, word)
        used = {("v", ops[n]) for n in ("vd", "vs1", "vs2") if n in ops}
        if instr.name == "vrng" or instr.name.endswith("_rs"):
            used.add(("rng", 32))
        clash = used & self.last_load
        if clash:
            raise Trap("vector_load_use", min(reg for _, reg in clash))
        self.last_load = set()
        self.next_pc = (self.pc + 4) % M32
        getattr(self, "op_" + instr.name.replace(".", "_"))(**ops)
        self.cycle += instr.cycles
        self.instret += 1
        self.count("mcycle", instr.cycles)
        self.count("minstret", 1)
        self.count(f"mhpmcounter{FIRST_HPM + COUNTERS.index('stall_cycles')}", instr.cycles - 1)
        counter = ACTIVITY.get(instr.name, "vec_alu_ops" if instr.ext == "FeNN" else None)
        if counter:
            self.activity[counter] += 1
            self.count(f"mhpmcounter{FIRST_HPM + COUNTERS.index(counter)}", 1)
        if self.new_inhibit is not None:
            # The write governs the cycles after this instruction: transfers that complete by
            # then have had their bytes counted (in the cycle before) under the old value.
            self.finish_dma()
            self.inhibit, self.new_inhibit = self.new_inhibit, None
        if instr.name not in ("ecall", "ebreak"):
            self.pc = self.next_pc
        return "spin" if word == SPIN else instr.name

    def count(self, counter: str, n: int) -> None:
        """n events for a counter CSR, unless mcountinhibit stops it."""
        if not (self.inhibit >> INHIBIT_BIT[counter]) & 1:
            self.csr_counts[counter] += n

    def state(self, exit_kind: str, cause: int | None, tval: int) -> MachineState:
        counters = dict(self.activity)
        counters["stall_cycles"] = self.cycle - self.instret
        csrs = {
            name: self.csr_value(name)
            for name in CSRS
            if name.startswith("dma_") or name == "mcountinhibit"
        }
        return MachineState(
            exit=exit_kind,
            pc=self.pc,
            x=np.array(self.x, np.uint32),
            v=np.array(self.v, np.int16),
            cycles=self.cycle,
            instret=self.instret,
            counters=counters,
            cause={code: name for name, code in TRAP_CODES.items()}.get(cause),
            tval=tval,
            csrs=csrs,
            rng=np.array([[g.s0 for g in self.rng], [g.s1 for g in self.rng]], np.uint16),
            memories={name: np.frombuffer(bytes(m), np.uint8) for name, m in self.mem.items()},
        )

    # ---- registers and memory

    def wx(self, r: int, value: int) -> None:
        if r != 0:
            self.x[r] = value % M32

    def address(self, base: int, offset: int) -> int:
        return (self.x[base] + offset) % M32

    def check(self, memory: str, address: int, size: int, kind: str) -> None:
        if address % size != 0:
            raise Trap(f"{kind}_address_misaligned", address)
        if address + size > len(self.mem[memory]):
            raise Trap(f"{kind}_access_fault", address)

    def read(self, memory: str, address: int, size: int, signed: bool) -> int:
        self.check(memory, address, size, "load")
        raw = self.mem[memory][address : address + size]
        return int.from_bytes(raw, "little", signed=signed)

    def write(self, memory: str, address: int, size: int, value: int) -> None:
        self.check(memory, address, size, "store")
        data = (value % 2 ** (8 * size)).to_bytes(size, "little")
        self.mem[memory][address : address + size] = data

    def jump(self, target: int) -> None:
        if target % 4 != 0:
            raise Trap("instruction_address_misaligned", target)
        self.next_pc = target

    # ---- RV32I

    def op_lui(self, xd, uimm20):
        self.wx(xd, uimm20 * 2**12)

    def op_auipc(self, xd, uimm20):
        self.wx(xd, self.pc + uimm20 * 2**12)

    def op_jal(self, xd, joff):
        self.jump((self.pc + joff) % M32)
        self.wx(xd, self.pc + 4)

    def op_jalr(self, xd, imm12, xs1):
        target = self.address(xs1, imm12)
        self.jump(target - target % 2)
        self.wx(xd, self.pc + 4)

    def branch(self, taken: bool, boff: int) -> None:
        if taken:
            self.jump((self.pc + boff) % M32)

    def op_beq(self, xs1, xs2, boff):
        self.branch(self.x[xs1] == self.x[xs2], boff)

    def op_bne(self, xs1, xs2, boff):
        self.branch(self.x[xs1] != self.x[xs2], boff)

    def op_blt(self, xs1, xs2, boff):
        self.branch(signed32(self.x[xs1]) < signed32(self.x[xs2]), boff)

    def op_bge(self, xs1, xs2, boff):
        self.branch(signed32(self.x[xs1]) >= signed32(self.x[xs2]), boff)

    def op_bltu(self, xs1, xs2, boff):
        self.branch(self.x[xs1] < self.x[xs2], boff)

    def op_bgeu(self, xs1, xs2, boff):
        self.branch(self.x[xs1] >= self.x[xs2], boff)

    def load(self, xd, imm12, xs1, size, signed):
        self.wx(xd, self.read("dmem", self.address(xs1, imm12), size, signed))

    def op_lb(self, xd, imm12, xs1):
        self.load(xd, imm12, xs1, 1, True)

    def op_lh(self, xd, imm12, xs1):
        self.load(xd, imm12, xs1, 2, True)

    def op_lw(self, xd, imm12, xs1):
        self.load(xd, imm12, xs1, 4, True)

    def op_lbu(self, xd, imm12, xs1):
        self.load(xd, imm12, xs1, 1, False)

    def op_lhu(self, xd, imm12, xs1):
        self.load(xd, imm12, xs1, 2, False)

    def op_sb(self, xs2, simm12, xs1):
        self.write("dmem", self.address(xs1, simm12), 1, self.x[xs2])

    def op_sh(self, xs2, simm12, xs1):
        self.write("dmem", self.address(xs1, simm12), 2, self.x[xs2])

    def op_sw(self, xs2, simm12, xs1):
        self.write("dmem", self.address(xs1, simm12), 4, self.x[xs2])

    def op_addi(self, xd, xs1, imm12):
        self.wx(xd, self.x[xs1] + imm12)

    def op_slti(self, xd, xs1, imm12):
        self.wx(xd, int(signed32(self.x[xs1]) < imm12))

    def op_sltiu(self, xd, xs1, imm12):
        self.wx(xd, int(self.x[xs1] < imm12 % M32))

    def op_xori(self, xd, xs1, imm12):
        self.wx(xd, self.x[xs1] ^ (imm12 % M32))

    def op_ori(self, xd, xs1, imm12):
        self.wx(xd, self.x[xs1] | (imm12 % M32))

    def op_andi(self, xd, xs1, imm12):
        self.wx(xd, self.x[xs1] & (imm12 % M32))

    def op_slli(self, xd, xs1, shamt):
        self.wx(xd, self.x[xs1] * 2**shamt)

    def op_srli(self, xd, xs1, shamt):
        self.wx(xd, self.x[xs1] // 2**shamt)

    def op_srai(self, xd, xs1, shamt):
        self.wx(xd, shift_right(signed32(self.x[xs1]), shamt))

    def op_add(self, xd, xs1, xs2):
        self.wx(xd, self.x[xs1] + self.x[xs2])

    def op_sub(self, xd, xs1, xs2):
        self.wx(xd, self.x[xs1] - self.x[xs2])

    def op_sll(self, xd, xs1, xs2):
        self.wx(xd, self.x[xs1] * 2 ** (self.x[xs2] % 32))

    def op_slt(self, xd, xs1, xs2):
        self.wx(xd, int(signed32(self.x[xs1]) < signed32(self.x[xs2])))

    def op_sltu(self, xd, xs1, xs2):
        self.wx(xd, int(self.x[xs1] < self.x[xs2]))

    def op_xor(self, xd, xs1, xs2):
        self.wx(xd, self.x[xs1] ^ self.x[xs2])

    def op_srl(self, xd, xs1, xs2):
        self.wx(xd, self.x[xs1] // 2 ** (self.x[xs2] % 32))

    def op_sra(self, xd, xs1, xs2):
        self.wx(xd, shift_right(signed32(self.x[xs1]), self.x[xs2] % 32))

    def op_or(self, xd, xs1, xs2):
        self.wx(xd, self.x[xs1] | self.x[xs2])

    def op_and(self, xd, xs1, xs2):
        self.wx(xd, self.x[xs1] & self.x[xs2])

    def op_fence(self):
        pass

    def op_ecall(self):
        pass

    def op_ebreak(self):
        pass

    # ---- M

    def op_mul(self, xd, xs1, xs2):
        self.wx(xd, self.x[xs1] * self.x[xs2])

    def op_mulh(self, xd, xs1, xs2):
        self.wx(xd, (signed32(self.x[xs1]) * signed32(self.x[xs2])) // M32)

    def op_mulhsu(self, xd, xs1, xs2):
        self.wx(xd, (signed32(self.x[xs1]) * self.x[xs2]) // M32)

    def op_mulhu(self, xd, xs1, xs2):
        self.wx(xd, (self.x[xs1] * self.x[xs2]) // M32)

    def op_div(self, xd, xs1, xs2):
        a, b = signed32(self.x[xs1]), signed32(self.x[xs2])
        self.wx(xd, -1 if b == 0 else int(Fraction(a, b)))  # int() truncates toward zero

    def op_divu(self, xd, xs1, xs2):
        a, b = self.x[xs1], self.x[xs2]
        self.wx(xd, M32 - 1 if b == 0 else a // b)

    def op_rem(self, xd, xs1, xs2):
        a, b = signed32(self.x[xs1]), signed32(self.x[xs2])
        self.wx(xd, a if b == 0 else a - b * int(Fraction(a, b)))

    def op_remu(self, xd, xs1, xs2):
        a, b = self.x[xs1], self.x[xs2]
        self.wx(xd, a if b == 0 else a % b)

    # ---- Zicsr

    def check_csr_access(self, name: str, ops: dict, word: int) -> None:
        csr_name = {num: n for n, num in CSRS.items()}.get(ops["csr"])
        source = ops.get("xs1", ops.get("uimm5"))
        writes = name in ("csrrw", "csrrwi") or source != 0
        if csr_name is None or (writes and csr_name not in WRITABLE_CSRS):
            raise Trap("illegal_instruction", word)

    def csr_value(self, name: str) -> int:
        counters = dict(self.csr_counts)
        counters.update({"cycle": counters["mcycle"], "instret": counters["minstret"]})
        if name == "mcountinhibit":
            return self.inhibit
        if name in counters:
            return counters[name] % M32
        if name.endswith("h") and name[:-1] in counters:
            return counters[name[:-1]] // M32 % M32
        if name == "mhartid":
            return 0
        channel, reg = self.dma[name.split("_")[1]], name.split("_")[2]
        if reg == "status":
            return self.dma_status(channel)
        if reg == "control":
            return 0
        return channel.regs[reg]

    def csr_write(self, name: str, value: int) -> None:
        if name == "mcountinhibit":
            self.new_inhibit = value & 0x1FD  # bits 0, 2 and 3-8; the others read 0
            return
        channel, reg = self.dma[name.split("_")[1]], name.split("_")[2]
        if reg == "control":
            if value % 2 == 1:
                self.dma_start(channel)
        else:
            channel.regs[reg] = value % M32

    def csr_op(self, xd, csr, value, how, writes):
        name = {num: n for n, num in CSRS.items()}[csr]
        old = self.csr_value(name)
        if writes:
            new = {"w": value, "s": old | value, "c": old & ~value}[how]
            self.csr_write(name, new % M32)
        self.wx(xd, old)

    def op_csrrw(self, xd, csr, xs1):
        self.csr_op(xd, csr, self.x[xs1], "w", True)

    def op_csrrs(self, xd, csr, xs1):
        self.csr_op(xd, csr, self.x[xs1], "s", xs1 != 0)

    def op_csrrc(self, xd, csr, xs1):
        self.csr_op(xd, csr, self.x[xs1], "c", xs1 != 0)

    def op_csrrwi(self, xd, csr, uimm5):
        self.csr_op(xd, csr, uimm5, "w", True)

    def op_csrrsi(self, xd, csr, uimm5):
        self.csr_op(xd, csr, uimm5, "s", uimm5 != 0)

    def op_csrrci(self, xd, csr, uimm5):
        self.csr_op(xd, csr, uimm5, "c", uimm5 != 0)

    # ---- Zbb

    def op_clz(self, xd, xs1):
        self.wx(xd, 32 - self.x[xs1].bit_length())

    def op_ctz(self, xd, xs1):
        u = self.x[xs1]
        self.wx(xd, 32 if u == 0 else (u & -u).bit_length() - 1)

    def op_cpop(self, xd, xs1):
        self.wx(xd, bin(self.x[xs1]).count("1"))

    def op_sext_b(self, xd, xs1):
        b = self.x[xs1] % 2**8
        self.wx(xd, b - 2**8 if b >= 2**7 else b)

    def op_sext_h(self, xd, xs1):
        h = self.x[xs1] % 2**16
        self.wx(xd, h - 2**16 if h >= 2**15 else h)

    # ---- vector ALU

    def lanes(self, vd, fn):
        """vd[i] = fn(i) for every lane (all lanes computed before any is written)."""
        self.v[vd] = [fn(i) for i in range(LANES)]

    def op_vadd(self, vd, vs1, vs2):
        self.lanes(vd, lambda i: wrap16(self.v[vs1][i] + self.v[vs2][i]))

    def op_vadd_s(self, vd, vs1, vs2):
        self.lanes(vd, lambda i: sat16(self.v[vs1][i] + self.v[vs2][i]))

    def op_vsub(self, vd, vs1, vs2):
        self.lanes(vd, lambda i: wrap16(self.v[vs1][i] - self.v[vs2][i]))

    def op_vsub_s(self, vd, vs1, vs2):
        self.lanes(vd, lambda i: sat16(self.v[vs1][i] - self.v[vs2][i]))

    def op_vand(self, vd, vs1, vs2):
        self.lanes(vd, lambda i: self.v[vs1][i] & self.v[vs2][i])

    def op_vsll(self, vd, vs1, vs2):
        # The amount is vs2[i] as an unsigned 16-bit number; shifting an int16 by 16 or more
        # leaves no bit of it (FeNN: amounts 16..31; docs/isa.md: every amount).
        amounts = [self.v[vs2][i] % 2**16 for i in range(LANES)]
        self.lanes(vd, lambda i: wrap16(self.v[vs1][i] * 2 ** min(amounts[i], 16)))

    def op_vsra(self, vd, vs1, vs2):
        amounts = [self.v[vs2][i] % 2**16 for i in range(LANES)]
        self.lanes(vd, lambda i: shift_right(self.v[vs1][i], min(amounts[i], 16)))

    def rounding_terms(self, shift: int, mode: str) -> list[int]:
        """Per-lane addend before a shift; stochastic rounding steps every lane's RNG."""
        if mode == "rn":
            return [2 ** (shift - 1) if shift > 0 else 0] * LANES
        if mode == "rs":
            return [g.next() % 2**shift for g in self.rng]
        return [0] * LANES

    def vmul(self, vd, vs1, vs2, vshift, mode, saturate):
        r = self.rounding_terms(vshift, mode)
        limit = sat16 if saturate else wrap16
        a, b = self.v[vs1], self.v[vs2]
        self.lanes(vd, lambda i: limit(shift_right(a[i] * b[i] + r[i], vshift)))

    def op_vmul(self, vd, vs1, vs2, vshift):
        self.vmul(vd, vs1, vs2, vshift, "floor", False)

    def op_vmul_rn(self, vd, vs1, vs2, vshift):
        self.vmul(vd, vs1, vs2, vshift, "rn", False)

    def op_vmul_rs(self, vd, vs1, vs2, vshift):
        self.vmul(vd, vs1, vs2, vshift, "rs", False)

    def op_vmul_s(self, vd, vs1, vs2, vshift):
        self.vmul(vd, vs1, vs2, vshift, "floor", True)

    def op_vmul_s_rn(self, vd, vs1, vs2, vshift):
        self.vmul(vd, vs1, vs2, vshift, "rn", True)

    def op_vmul_s_rs(self, vd, vs1, vs2, vshift):
        self.vmul(vd, vs1, vs2, vshift, "rs", True)

    def op_vslli(self, vd, vs1, ishift):
        self.lanes(vd, lambda i: wrap16(self.v[vs1][i] * 2**ishift))

    def vsrai(self, vd, vs1, ishift, mode):
        r = self.rounding_terms(ishift, mode)
        a = self.v[vs1]
        self.lanes(vd, lambda i: wrap16(shift_right(a[i] + r[i], ishift)))

    def op_vsrai(self, vd, vs1, ishift):
        self.vsrai(vd, vs1, ishift, "floor")

    def op_vsrai_rn(self, vd, vs1, ishift):
        self.vsrai(vd, vs1, ishift, "rn")

    def op_vsrai_rs(self, vd, vs1, ishift):
        self.vsrai(vd, vs1, ishift, "rs")

    def vtest(self, xd, vs1, vs2, holds):
        bits = [holds(self.v[vs1][i], self.v[vs2][i]) for i in range(LANES)]
        self.wx(xd, sum(2**i for i, bit in enumerate(bits) if bit))

    def op_vteq(self, xd, vs1, vs2):
        self.vtest(xd, vs1, vs2, lambda a, b: a == b)

    def op_vtne(self, xd, vs1, vs2):
        self.vtest(xd, vs1, vs2, lambda a, b: a != b)

    def op_vtlt(self, xd, vs1, vs2):
        self.vtest(xd, vs1, vs2, lambda a, b: a < b)

    def op_vtge(self, xd, vs1, vs2):
        self.vtest(xd, vs1, vs2, lambda a, b: a >= b)

    def op_vsel(self, vd, xs1, vs2):
        mask = self.x[xs1]
        old = self.v[vd]
        self.lanes(vd, lambda i: self.v[vs2][i] if (mask >> i) % 2 else old[i])

    def op_vlui(self, vd, imm16):
        self.lanes(vd, lambda i: wrap16(imm16))

    def op_vfill(self, vd, xs1):
        u = self.x[xs1]
        low = u % 2**15
        value = low - 2**15 if u >= 2**31 else low  # sign from bit 31, bits 14:0 kept
        self.lanes(vd, lambda i: value)

    def op_vextract(self, xd, vs1, lane):
        self.wx(xd, self.v[vs1][lane])

    def op_vrng(self, vd):
        outs = [g.next() for g in self.rng]
        self.lanes(vd, lambda i: outs[i] // 2)

    def op_vandadd(self, vd, vs1, xs2, nbits):
        addend = wrap16(self.x[xs2])
        self.lanes(vd, lambda i: wrap16(self.v[vs1][i] % 2**nbits + addend))

    # ---- vector memory

    def vector_address(self, xs1, imm12, kind):
        a = self.address(xs1, imm12)
        self.check("vmem", a, 64, kind)
        return a

    def read_vector(self, a):
        return [self.read("vmem", a + 2 * i, 2, True) for i in range(LANES)]

    def op_vloadv(self, vd, imm12, xs1):
        self.v[vd] = self.read_vector(self.vector_address(xs1, imm12, "load"))
        self.last_load = {("v", vd)}

    def op_vloadr0(self, imm12, xs1):
        values = self.read_vector(self.vector_address(xs1, imm12, "load"))
        for g, value in zip(self.rng, values, strict=True):
            g.s0 = value % 2**16
        self.last_load = {("rng", 32)}

    def op_vloadr1(self, imm12, xs1):
        values = self.read_vector(self.vector_address(xs1, imm12, "load"))
        for g, value in zip(self.rng, values, strict=True):
            g.s1 = value % 2**16
        self.last_load = {("rng", 32)}

    def op_vstorev(self, vs2, simm12, xs1):
        a = self.vector_address(xs1, simm12, "store")
        for i in range(LANES):
            self.write("vmem", a + 2 * i, 2, self.v[vs2][i])

    def lane_addresses(self, vs1, imm, kind):
        """Lane addresses (None for disabled lanes), after checking every enabled lane in order."""
        size = self.config.llm_lane_bytes
        addresses = []
        for i in range(LANES):
            if self.v[vs1][i] < 0:  # FeNN: the lane is enabled by its base, before the offset
                addresses.append(None)
                continue
            a = (self.v[vs1][i] + imm) % M32  # a negative address lies beyond the memory
            if a % 2:
                raise Trap(f"{kind}_address_misaligned", a)
            if a + 2 > size:
                raise Trap(f"{kind}_access_fault", a)
            addresses.append(i * size + a)
        return addresses

    def op_vloadl(self, vd, imm12, vs1):
        addresses = self.lane_addresses(vs1, imm12, "load")
        llm = self.mem["llm"]
        old = self.v[vd]
        self.lanes(
            vd,
            lambda i: (
                old[i]
                if addresses[i] is None
                else int.from_bytes(llm[addresses[i] : addresses[i] + 2], "little", signed=True)
            ),
        )
        self.last_load = {("v", vd)}

    def op_vstorel(self, vs2, simm12, vs1):
        for i, a in enumerate(self.lane_addresses(vs1, simm12, "store")):
            if a is not None:
                self.mem["llm"][a : a + 2] = (self.v[vs2][i] % 2**16).to_bytes(2, "little")

    # ---- DMA engine

    def dma_status(self, channel: DmaChannel) -> int:
        if channel.transfer is None:
            return 2 | channel.last  # idle
        t0 = channel.transfer[0]
        return (4 if self.cycle < t0 + 10 else 8) | channel.last

    def dma_start(self, channel: DmaChannel) -> None:
        if channel.transfer is not None:
            return  # busy: the start is ignored
        src, dst, n = channel.regs["src"], channel.regs["dst"], channel.regs["count"]
        if src % 64 or dst % 64 or n % 64 or n == 0 or n >= 2**19 - 1:
            channel.last = 1 << 6
            return
        src_mem, dst_mem = ("ddr", "vmem") if channel.name == "mm2s" else ("vmem", "ddr")
        if src + n > len(self.mem[src_mem]) or dst + n > len(self.mem[dst_mem]):
            channel.last = 1 << 5
            return
        channel.transfer = (self.cycle, self.cycle + 10 + 4 * (n // 64), src, dst, n)

    def finish_dma(self) -> None:
        """Complete every transfer due at or before the current cycle."""
        for channel in self.dma.values():
            if channel.transfer is not None and channel.transfer[1] <= self.cycle:
                _, _, src, dst, n = channel.transfer
                src_mem, dst_mem = ("ddr", "vmem") if channel.name == "mm2s" else ("vmem", "ddr")
                self.mem[dst_mem][dst : dst + n] = self.mem[src_mem][src : src + n]
                self.activity["dma_bytes"] += n
                self.count(f"mhpmcounter{FIRST_HPM + COUNTERS.index('dma_bytes')}", n)
                channel.last = 1 << 7
                channel.transfer = None


def run(image: Image, max_cycles: int, config: SocConfig = DEFAULT) -> MachineState:
    return RefMachine(image, config).run(max_cycles)
