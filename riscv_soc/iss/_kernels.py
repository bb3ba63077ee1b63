"""The ISS execution loop: one compiled call runs pre-decoded instructions until the machine stops.

Private to `riscv_soc.iss`, whose wrapper validates the image, allocates the state arrays below and
turns them into a `MachineState`. Rows come from `decode.predecode`; the lane arithmetic and the RNG
are `riscv_soc.isa.numerics`. docs/isa.md is the specification of everything here: trap order,
the load-use hazard, the cycle model, CSRs and the DMA engine.

State arrays (all owned by the caller, updated in place, so a run can be resumed):

- `x`: int64[33], x0..x31 as signed 32-bit values, then the sink that absorbs writes to x0.
- `v`: int16[32, 32] (register, lane); `rng`: int64[2, 32] (S0, S1 per lane, 0..65535).
- `counters`: int64[ACT_NONE + 1], the activity counters in csr.COUNTERS order plus a sink slot
  (`stall_cycles` is not kept: it is always cycles - instret).
- `core`: int64[N_CORE]: pc, cycles, instret, the pending vector-load mask, exit kind, trap cause
  and tval (indices below); then mcountinhibit and, per counter (mcycle, minstret, mhpmcounter3..8),
  the count at which it was last inhibited and the total of the counts it missed while inhibited.
  `cycles`, `instret` and `counters` are what the machine did; a counter CSR reads that less what
  mcountinhibit kept it from counting (see `_counter_value`).
- `dma`: int64[2, N_DMA] per channel (MM2S, S2MM): the registers as written, the result bits of the
  last finished command, the transfer in flight (captured registers and its end cycle) and how
  many transfers the channel started.
- `model`: the DDR's behaviour (`riscv_soc.ddr`), a pair of int64 arrays: `late` [2, m], the cycles
  the k-th transfer of each channel completes after its schedule (column min(k, m - 1); m = 0:
  never late), and `faults` [f, 3], DDR ranges [start, end) and the status bit their error
  response sets.
- memories: uint8 arrays (dmem, vmem, llm lane-major, ddr); instruction words as uint32.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
from numba import njit

from riscv_soc import commit, soc
from riscv_soc.isa import csr, hardware, numerics, table
from riscv_soc.isa.numerics import (
    ROUND_FLOOR,
    ROUND_NEAREST,
    ROUND_STOCHASTIC,
    add_lane,
    fill_narrow,
    mul_lane,
    rng_advance,
    rng_output,
    sll_lane,
    sra_lane,
    srai_lane,
    sub_lane,
    wrap16,
)
from riscv_soc.iss import decode
from riscv_soc.iss.decode import ACT, CYC, IMM, OP, RD, RS1, RS2, VUSE

# Op ids: compile-time constants from the table (one branch each in `_run`).
_ID = table.OP_ID
LUI, AUIPC, JAL, JALR = _ID["lui"], _ID["auipc"], _ID["jal"], _ID["jalr"]
BEQ, BNE, BLT, BGE, BLTU, BGEU = (_ID[n] for n in ("beq", "bne", "blt", "bge", "bltu", "bgeu"))
LB, LH, LW, LBU, LHU = (_ID[n] for n in ("lb", "lh", "lw", "lbu", "lhu"))
SB, SH, SW = _ID["sb"], _ID["sh"], _ID["sw"]
ADDI, SLTI, SLTIU, XORI, ORI, ANDI = (
    _ID[n] for n in ("addi", "slti", "sltiu", "xori", "ori", "andi")
)
SLLI, SRLI, SRAI = _ID["slli"], _ID["srli"], _ID["srai"]
ADD, SUB, SLL, SLT, SLTU = (_ID[n] for n in ("add", "sub", "sll", "slt", "sltu"))
XOR, SRL, SRA, OR, AND = (_ID[n] for n in ("xor", "srl", "sra", "or", "and"))
FENCE, ECALL, EBREAK = _ID["fence"], _ID["ecall"], _ID["ebreak"]
MUL, MULH, MULHSU, MULHU = (_ID[n] for n in ("mul", "mulh", "mulhsu", "mulhu"))
DIV, DIVU, REM, REMU = (_ID[n] for n in ("div", "divu", "rem", "remu"))
CSRRW, CSRRS, CSRRC = _ID["csrrw"], _ID["csrrs"], _ID["csrrc"]
CSRRWI, CSRRSI, CSRRCI = _ID["csrrwi"], _ID["csrrsi"], _ID["csrrci"]
CLZ, CTZ, CPOP, SEXT_B, SEXT_H = (_ID[n] for n in ("clz", "ctz", "cpop", "sext.b", "sext.h"))
VADD, VADD_S, VSUB, VSUB_S = (_ID[n] for n in ("vadd", "vadd_s", "vsub", "vsub_s"))
VAND, VSLL, VSRA = _ID["vand"], _ID["vsll"], _ID["vsra"]
VMUL, VMUL_RN, VMUL_RS = _ID["vmul"], _ID["vmul_rn"], _ID["vmul_rs"]
VMUL_S, VMUL_S_RN, VMUL_S_RS = _ID["vmul_s"], _ID["vmul_s_rn"], _ID["vmul_s_rs"]
VSLLI, VSRAI, VSRAI_RN, VSRAI_RS = (_ID[n] for n in ("vslli", "vsrai", "vsrai_rn", "vsrai_rs"))
VTEQ, VTNE, VTLT, VTGE = (_ID[n] for n in ("vteq", "vtne", "vtlt", "vtge"))
VSEL, VLUI, VFILL, VEXTRACT = _ID["vsel"], _ID["vlui"], _ID["vfill"], _ID["vextract"]
VRNG, VANDADD = _ID["vrng"], _ID["vandadd"]
VLOADV, VLOADR0, VLOADR1, VLOADL = (_ID[n] for n in ("vloadv", "vloadr0", "vloadr1", "vloadl"))
VSTOREV, VSTOREL = _ID["vstorev"], _ID["vstorel"]

# core[] indices and exit kinds.
PC, CYCLES, INSTRET, PENDING, EXIT, CAUSE, TVAL, INHIBIT = range(8)
N_COUNTERS = decode.N_COUNTERS
INH_START = 8  # core[INH_START + c]: counter c's total when it was last inhibited
INH_MISSED = INH_START + N_COUNTERS  # core[INH_MISSED + c]: counts c missed while inhibited
N_CORE = INH_MISSED + N_COUNTERS
_EXIT = hardware.EXIT_CODES
EXIT_NONE, EXIT_ECALL, EXIT_EBREAK = _EXIT["none"], _EXIT["ecall"], _EXIT["ebreak"]
EXIT_LIMIT, EXIT_TRAP, EXIT_SPIN = _EXIT["limit"], _EXIT["trap"], _EXIT["spin"]

# Trap causes (docs/isa.md, hardware.TRAP_CAUSES).
_CAUSE = hardware.TRAP_CODES
FETCH_FAULT, ILLEGAL = _CAUSE["instruction_access_fault"], _CAUSE["illegal_instruction"]
JUMP_MISALIGNED = _CAUSE["instruction_address_misaligned"]
LOAD_MISALIGNED, LOAD_FAULT = _CAUSE["load_address_misaligned"], _CAUSE["load_access_fault"]
STORE_MISALIGNED, STORE_FAULT = _CAUSE["store_address_misaligned"], _CAUSE["store_access_fault"]
LOAD_USE = _CAUSE["vector_load_use"]

# dma[channel] fields.
D_SRC, D_DST, D_COUNT, D_RESULT, D_BUSY, D_T0, D_END, D_CSRC, D_CDST, D_CCOUNT, D_STARTED = range(
    11
)
N_DMA = 11
MM2S = 0  # channel 0; channel 1 is S2MM
NEVER = 1 << 62  # end cycle of no transfer

LANES, VECTOR_BYTES = hardware.LANES, soc.VECTOR_BYTES
M32 = 0xFFFFFFFF
CSR_WRITE, CSR_SET, CSR_CLEAR = range(3)
DMA_BYTES = decode.ACT_INDEX["dma_bytes"]
RNG_BIT = decode.RNG_BIT
STALL = decode.ACT_INDEX["stall_cycles"]
N_COUNTER_CODES = decode.N_COUNTER_CODES
X_SINK = decode.X_SINK  # the rd of an instruction whose xd is x0
CSR_MHARTID, CSR_DMA_BASE = decode.CSR_MHARTID, decode.CSR_DMA_BASE
CSR_MCOUNTINHIBIT = decode.CSR_MCOUNTINHIBIT
MCOUNTINHIBIT_MASK = csr.MCOUNTINHIBIT_MASK
N_DMA_REGS = len(decode.DMA_REGS)
DMA_CONTROL, DMA_STATUS = decode.DMA_CONTROL, decode.DMA_STATUS
DMA_IDLE, DMA_STARTING, DMA_TRANSFERRING = csr.DMA_IDLE, csr.DMA_STARTING, csr.DMA_TRANSFERRING
DMA_ERR_DECODE, DMA_ERR_INTERNAL, DMA_OK = csr.DMA_ERR_DECODE, csr.DMA_ERR_INTERNAL, csr.DMA_OK
DMA_ERR_SLAVE = csr.DMA_ERR_SLAVE
BURST_BYTES = 4096  # the RTL's AXI bursts end at 4 KiB boundaries (one write response each)
DMA_ALIGN, DMA_MAX_BYTES = csr.DMA_ALIGN, csr.DMA_MAX_BYTES
DMA_SETUP_CYCLES = csr.DMA_SETUP_CYCLES
_dma_cycles = njit(inline="always")(csr.dma_cycles)  # the transfer time, compiled

# Op classes that say which writes a commit record (riscv_soc.commit.COMMIT) holds.
C_NONE, C_X, C_V, C_STORE, C_VSTORE, C_LSTORE, C_CSR = range(7)


@njit(inline="always")
def _s32(value):
    """Wrap to a signed 32-bit value (how x registers are held)."""
    return ((value + 0x80000000) & M32) - 0x80000000


@njit(inline="always")
def _u32(value):
    return value & M32


@njit
def _clz32(value):
    value &= M32
    n = 0
    bit = 1 << 31
    while n < 32 and not value & bit:
        n += 1
        bit >>= 1
    return n


@njit
def _ctz32(value):
    value &= M32
    n = 0
    while n < 32 and not (value >> n) & 1:
        n += 1
    return n


@njit
def _cpop32(value):
    value &= M32
    n = 0
    while value:
        value &= value - 1
        n += 1
    return n


@njit
def _div(a, b):
    """RISC-V div: truncating; x/0 = -1; overflow (-2^31 / -1) wraps to -2^31."""
    if b == 0:
        return -1
    q = abs(a) // abs(b)
    return _s32(-q if (a < 0) != (b < 0) else q)


@njit
def _rem(a, b):
    """RISC-V rem: sign of the dividend; x % 0 = x; overflow gives 0."""
    if b == 0:
        return a
    r = abs(a) % abs(b)
    return -r if a < 0 else r


@njit
def _mulhu(a, b):
    product = np.uint64(_u32(a)) * np.uint64(_u32(b))  # up to 2^64 - 2^33 + 1: needs uint64
    return _s32(np.int64(product >> np.uint64(32)))


@njit(inline="always")
def _access_fault(a, size, mem_bytes, misaligned_cause):
    """0 for an aligned access of `size` bytes wholly inside memory, else the trap cause.

    The access-fault cause is always the misaligned cause + 1 (docs/isa.md numbering).
    """
    if a % size:
        return misaligned_cause
    if a + size > mem_bytes:
        return misaligned_cause + 1
    return 0


# ---------------------------------------------------------------- memories


@njit
def _load(x, rd, view, address, size):
    """A scalar load through a typed view of dmem: 0, or the trap cause."""
    cause = _access_fault(address, size, view.size * size, LOAD_MISALIGNED)
    if not cause:
        x[rd] = view[address // size]
    return cause


@njit
def _store(view, address, size, value):
    cause = _access_fault(address, size, view.size * size, STORE_MISALIGNED)
    if not cause:
        view[address // size] = value & ((1 << (8 * size)) - 1) if size < 4 else value
    return cause


@njit
def _vload(lanes, memory, address):
    """One vector (or RNG-state half) from vector memory (an int16/uint16 view)."""
    cause = _access_fault(address, VECTOR_BYTES, memory.size * 2, LOAD_MISALIGNED)
    if not cause:
        base = address >> 1
        for lane in range(LANES):
            lanes[lane] = memory[base + lane]
    return cause


@njit
def _vstore(lanes, memory, address):
    cause = _access_fault(address, VECTOR_BYTES, memory.size * 2, STORE_MISALIGNED)
    if not cause:
        base = address >> 1
        for lane in range(LANES):
            memory[base + lane] = lanes[lane]
    return cause


@njit
def _lane_access(data, addresses, imm, llm, lane_halves, store):
    """vloadl (data <- llm) or vstorel (llm <- data) on the lanes whose base vs1[i] is >= 0.

    An enabled lane accesses vs1[i] + imm modulo 2**32 (a negative sum is beyond the memory).
    Every enabled lane is checked, from lane 0, before anything moves: (cause, tval) of the first
    that faults, else (0, 0).
    """
    misaligned = STORE_MISALIGNED if store else LOAD_MISALIGNED
    for lane in range(LANES):
        if addresses[lane] >= 0:
            a = _u32(np.int64(addresses[lane]) + imm)
            cause = _access_fault(a, 2, lane_halves * 2, misaligned)
            if cause:
                return cause, a
    for lane in range(LANES):
        if addresses[lane] >= 0:
            a = np.int64(addresses[lane]) + imm
            if store:
                llm[lane * lane_halves + (a >> 1)] = data[lane]
            else:
                data[lane] = llm[lane * lane_halves + (a >> 1)]
    return 0, 0


# ---------------------------------------------------------------- vector unit


@njit
def _vadd(v, rd, rs1, rs2, saturate):
    for lane in range(LANES):
        v[rd, lane] = add_lane(np.int64(v[rs1, lane]), np.int64(v[rs2, lane]), saturate)


@njit
def _vsub(v, rd, rs1, rs2, saturate):
    for lane in range(LANES):
        v[rd, lane] = sub_lane(np.int64(v[rs1, lane]), np.int64(v[rs2, lane]), saturate)


@njit
def _vmul(v, rng, rd, rs1, rs2, shift, mode, saturate):
    for lane in range(LANES):
        out = 0
        if mode == ROUND_STOCHASTIC:
            out = rng_output(rng[0, lane], rng[1, lane])
            rng[0, lane], rng[1, lane] = rng_advance(rng[0, lane], rng[1, lane])
        a = np.int64(v[rs1, lane])
        b = np.int64(v[rs2, lane])
        v[rd, lane] = mul_lane(a, b, shift, mode, saturate, out)


@njit
def _vsrai(v, rng, rd, rs1, shift, mode):
    for lane in range(LANES):
        out = 0
        if mode == ROUND_STOCHASTIC:
            out = rng_output(rng[0, lane], rng[1, lane])
            rng[0, lane], rng[1, lane] = rng_advance(rng[0, lane], rng[1, lane])
        v[rd, lane] = srai_lane(np.int64(v[rs1, lane]), shift, mode, out)


@njit
def _vtest(v, rs1, rs2, kind):
    """Lane mask of a vector compare (bit i: lane i); kind 0 eq, 1 ne, 2 lt, 3 ge."""
    mask = 0
    for lane in range(LANES):
        a = v[rs1, lane]
        b = v[rs2, lane]
        if kind == 0:
            hit = a == b
        elif kind == 1:
            hit = a != b
        elif kind == 2:
            hit = a < b
        else:
            hit = a >= b
        if hit:
            mask |= 1 << lane
    return _s32(mask)


# ---------------------------------------------------------------- CSRs and the DMA engine


@njit
def _dma_next_end(dma):
    end = NEVER
    for ch in range(2):
        if dma[ch, D_BUSY] and dma[ch, D_END] < end:
            end = dma[ch, D_END]
    return end


@njit
def _fault_bit(faults, address):
    """The status bit of the error response to DDR `address` (decode before slave), else 0."""
    bit = 0
    for f in range(faults.shape[0]):
        if faults[f, 0] <= address < faults[f, 1]:
            bit = max(bit, faults[f, 2])
    return bit


@njit
def _dma_complete(dma, t, vmem, ddr, counters, model):
    """Finish every transfer whose end cycle is at or before cycle t: move its data.

    A vector whose DDR address lies in a fault range is not moved; MM2S reports each such vector's
    error, S2MM one response per 4 KiB burst, the decode error if any of its vectors has one.
    """
    faults = model[1]
    for ch in range(2):
        if dma[ch, D_BUSY] and dma[ch, D_END] <= t:
            src, dst, n = dma[ch, D_CSRC], dma[ch, D_CDST], dma[ch, D_CCOUNT]
            source, target = (ddr, vmem) if ch == MM2S else (vmem, ddr)
            result, burst = 0, 0
            for vec in range(0, n, VECTOR_BYTES):
                bit = _fault_bit(faults, (src if ch == MM2S else dst) + vec)
                if bit == 0:
                    for b in range(vec, vec + VECTOR_BYTES):  # a loop: slices compile slowly
                        target[dst + b] = source[src + b]
                burst = max(burst, bit)
                end = vec + VECTOR_BYTES
                if ch == MM2S or (dst + end) % BURST_BYTES == 0 or end == n:  # a response
                    result |= burst
                    burst = 0
            counters[DMA_BYTES] += n
            dma[ch, D_RESULT] = result if result else DMA_OK
            dma[ch, D_BUSY] = 0
            dma[ch, D_END] = NEVER


@njit
def _dma_start(dma, ch, t, vmem_bytes, ddr_bytes, model):
    """A control write with bit 0 set in cycle t: reject, ignore (busy) or start a transfer."""
    if dma[ch, D_BUSY]:
        return
    src, dst, n = dma[ch, D_SRC], dma[ch, D_DST], dma[ch, D_COUNT]
    if src % DMA_ALIGN or dst % DMA_ALIGN or n % DMA_ALIGN or n == 0 or n >= DMA_MAX_BYTES:
        dma[ch, D_RESULT] = DMA_ERR_INTERNAL
        return
    src_limit, dst_limit = (ddr_bytes, vmem_bytes) if ch == MM2S else (vmem_bytes, ddr_bytes)
    if src + n > src_limit or dst + n > dst_limit:
        dma[ch, D_RESULT] = DMA_ERR_DECODE
        return
    dma[ch, D_CSRC], dma[ch, D_CDST], dma[ch, D_CCOUNT] = src, dst, n
    dma[ch, D_BUSY] = 1
    dma[ch, D_T0] = t
    late = model[0]
    delay = late[ch, min(dma[ch, D_STARTED], late.shape[1] - 1)] if late.shape[1] else 0
    dma[ch, D_STARTED] += 1
    end = t + _dma_cycles(n) + delay
    dma[ch, D_END] = min(NEVER, end)


@njit
def _dma_status(dma, ch, t):
    if not dma[ch, D_BUSY]:
        return DMA_IDLE | dma[ch, D_RESULT]
    phase = DMA_STARTING if t < dma[ch, D_T0] + DMA_SETUP_CYCLES else DMA_TRANSFERRING
    return phase | dma[ch, D_RESULT]


@njit(inline="always")
def _inhibit_bit(c):
    """mcountinhibit bit of counter c (0 mcycle, 1 minstret, 2 + k mhpmcounter(3 + k))."""
    return 0 if c == 0 else c + 1


@njit
def _counter_total(c, t, instret, counters):
    """What counter c has counted before cycle t, mcountinhibit aside."""
    if c == 0:
        return t
    if c == 1:
        return instret
    if c - 2 == STALL:
        return t - instret
    return counters[c - 2]


@njit
def _counter_value(c, t, instret, counters, core):
    """Counter c as a CSR read in cycle t sees it: its total less what mcountinhibit stopped."""
    if (core[INHIBIT] >> _inhibit_bit(c)) & 1:
        total = core[INH_START + c]  # frozen since it was inhibited
    else:
        total = _counter_total(c, t, instret, counters)
    return total - core[INH_MISSED + c]


@njit
def _set_inhibit(core, value, t, instret, counters):
    """mcountinhibit = value from cycle t on; `instret` and `counters` are final up to cycle t."""
    old = core[INHIBIT]
    for c in range(N_COUNTERS):
        bit = _inhibit_bit(c)
        was, now = (old >> bit) & 1, (value >> bit) & 1
        if now and not was:
            core[INH_START + c] = _counter_total(c, t, instret, counters)
        elif was and not now:
            core[INH_MISSED + c] += _counter_total(c, t, instret, counters) - core[INH_START + c]
    core[INHIBIT] = value


@njit
def _csr_read(code, t, instret, counters, dma, core):
    """Value (unsigned 32-bit) a CSR access executing in cycle t reads."""
    if code < N_COUNTER_CODES:
        value = _counter_value(code >> 1, t, instret, counters, core)
        return (value >> 32) & M32 if code & 1 else value & M32
    if code == CSR_MHARTID:
        return 0
    if code == CSR_MCOUNTINHIBIT:
        return core[INHIBIT]
    ch, reg = divmod(code - CSR_DMA_BASE, N_DMA_REGS)
    if reg == DMA_STATUS:
        return _dma_status(dma, ch, t)
    if reg == DMA_CONTROL:
        return 0
    return dma[ch, D_SRC + reg]


@njit
def _csr_write(code, value, t, dma, sizes, model):
    """Write a writable CSR (decode made every other write illegal)."""
    ch, reg = divmod(code - CSR_DMA_BASE, N_DMA_REGS)
    if reg == DMA_CONTROL:
        if value & 1:
            _dma_start(dma, ch, t, sizes[0], sizes[1], model)
    else:
        dma[ch, D_SRC + reg] = value & M32


@njit
def _csr_access(code, write, value, mode, t, instret, counters, dma, sizes, core, vmem, ddr, model):
    """One Zicsr instruction in cycle t: the old value (sign-extended), after an optional write.

    A write to mcountinhibit governs the counting from cycle t + 1: this instruction's own cycle
    and retirement, and the bytes of DMA transfers that complete by cycle t + 1 (counted in the
    cycle before: docs/isa.md), count under the old value.
    """
    old = _csr_read(code, t, instret, counters, dma, core)
    if write:
        if mode == CSR_SET:
            value = old | value
        elif mode == CSR_CLEAR:
            value = old & ~value
        if code == CSR_MCOUNTINHIBIT:
            _dma_complete(dma, t + 1, vmem, ddr, counters, model)
            _set_inhibit(core, value & MCOUNTINHIBIT_MASK, t + 1, instret + 1, counters)
        else:
            _csr_write(code, value, t, dma, sizes, model)
    return _s32(old)


@njit
def _zicsr(op, code, rs1, x, t, instret, counters, dma, sizes, core, vmem, ddr, model):
    """One Zicsr instruction: the immediate forms take the rs1 field itself (uimm5); csrrw(i)
    always writes, set and clear only with a non-zero source field (the privileged spec's rule)."""
    immediate = op in (CSRRWI, CSRRSI, CSRRCI)
    value = rs1 if immediate else x[rs1]
    if op in (CSRRW, CSRRWI):
        return _csr_access(
            code, True, value, CSR_WRITE, t, instret, counters, dma, sizes, core, vmem, ddr, model
        )
    mode = CSR_SET if op in (CSRRS, CSRRSI) else CSR_CLEAR
    return _csr_access(
        code, rs1 != 0, value, mode, t, instret, counters, dma, sizes, core, vmem, ddr, model
    )


# ---------------------------------------------------------------- the commit trace


def trace_classes() -> np.ndarray:
    """Per op id (and ILLEGAL_OP), the C_* class that says what a trace row records."""
    classes = np.full(table.ILLEGAL_OP + 1, C_NONE, np.int64)
    for ins in table.INSTRS:
        op = table.OP_ID[ins.name]
        if ins.name in ("sb", "sh", "sw"):
            classes[op] = C_STORE
        elif ins.name == "vstorev":
            classes[op] = C_VSTORE
        elif ins.name == "vstorel":
            classes[op] = C_LSTORE
        elif ins.name.startswith("csr"):
            classes[op] = C_CSR
        elif ins.operands[:1] == ("xd",):
            classes[op] = C_X
        elif ins.operands[:1] == ("vd",):
            classes[op] = C_V
    return classes


@njit
def _csr_written(word, old, x):
    """The value a Zicsr instruction writes, from the CSR's `old` value and x before it
    executes; -1 when it does not write."""
    mode = ((word >> 12) & 3) - 1  # funct3 1/5 write, 2/6 set, 3/7 clear
    src_field = (word >> 15) & 31
    src = src_field if (word >> 14) & 1 else _u32(x[src_field])
    if mode == CSR_WRITE:
        return src
    if src_field == 0:
        return -1
    return (old | src) if mode == CSR_SET else (old & ~src & M32)


@njit
def _trace_row(rec, klass, pc, word, x, v, imm, csr_value):
    """Fill the (zeroed) record of the instruction at pc that has just retired."""
    rec.pc, rec.word = pc, word
    rd, rs1, rs2 = (word >> 7) & 31, (word >> 15) & 31, (word >> 20) & 31
    kind = 0
    if klass in (C_X, C_CSR) and rd != 0:
        kind |= commit.WRITES_X
        rec.rd, rec.x = rd, _u32(x[rd])
    if klass == C_V:
        kind |= commit.WRITES_V
        rec.vd = rd
        rec.vec[:] = v[rd]
    elif klass == C_STORE:
        kind |= commit.STORE
        size = 1 << ((word >> 12) & 3)
        a = _u32(x[rs1] + imm)
        shift = 8 * (a & 3)
        rec.mem_addr, rec.mem_mask = a & ~3, ((1 << size) - 1) << (a & 3)
        rec.mem_data = (_u32(x[rs2]) << shift) & (M32 & ((1 << (8 * size)) - 1) << shift)
    elif klass == C_VSTORE:
        kind |= commit.VSTORE
        rec.mem_addr, rec.mem_mask = _u32(x[rs1] + imm), M32
        rec.vec[:] = v[rs2]
    elif klass == C_LSTORE:
        kind |= commit.LSTORE
        mask = 0
        for lane in range(LANES):
            if v[rs1, lane] >= 0:  # enabled on its base, as `_lane_access` stores
                mask |= 1 << lane
        rec.mem_addr, rec.mem_mask = _u32(imm), mask
        rec.vec[:] = v[rs2]
    elif klass == C_CSR and csr_value >= 0:
        kind |= commit.CSR
        rec.csr, rec.csr_data = word >> 20, csr_value
    rec.kind = kind


# ---------------------------------------------------------------- the loop


def _build(fingerprint: int, traced: bool):
    # `fingerprint` hashes the modules whose constants and functions this kernel freezes in:
    # Numba's cache key includes closure values, so a change there recompiles (numba#6845).
    # `traced` is a compile-time constant: the kernel without a trace has no trace code at all.
    # With one, it fills the zeroed COMMIT records of `trace` from `tn[0]` on and returns
    # (resumable, exit kind none) when the array is full; `classes` is `trace_classes()`.
    def run(
        dec,
        words,
        x,
        v,
        rng,
        counters,
        core,
        dma,
        dmem,
        vmem,
        llm,
        ddr,
        model,
        lane_bytes,
        limit,
        trace,
        tn,
        classes,
    ):
        if fingerprint < 0:
            return
        dmem_b = dmem.view(np.int8)
        dmem_h = dmem.view(np.int16)
        dmem_hu = dmem.view(np.uint16)
        dmem_w = dmem.view(np.int32)
        vmem_h = vmem.view(np.int16)
        vmem_hu = vmem.view(np.uint16)
        llm_h = llm.view(np.int16)
        lane_halves = lane_bytes >> 1
        imem_bytes = dec.shape[0] * 4
        sizes = (vmem.size, ddr.size)  # what a DMA start checks ranges against

        pc, cycles, instret, pending = core[PC], core[CYCLES], core[INSTRET], core[PENDING]
        exit_kind, cause, tval = EXIT_NONE, 0, 0
        stop_at = min(limit, _dma_next_end(dma))
        n_trace, csr_value = tn[0], -1
        while True:
            if traced and n_trace == trace.shape[0]:
                break  # exit kind none: the caller empties the trace and resumes
            if cycles >= stop_at:
                _dma_complete(dma, cycles, vmem, ddr, counters, model)
                if cycles >= limit:
                    exit_kind = EXIT_LIMIT
                    break
                stop_at = min(limit, _dma_next_end(dma))
            if pc >= imem_bytes:
                cause, tval = FETCH_FAULT, pc
                break
            i = pc >> 2
            op = dec[i, OP]
            if pending & dec[i, VUSE]:
                cause, tval = LOAD_USE, 0
                while not (pending >> tval) & 1:
                    tval += 1
                break
            pending = 0
            rd, rs1, rs2, imm = dec[i, RD], dec[i, RS1], dec[i, RS2], dec[i, IMM]
            next_pc = pc + 4
            if traced and classes[op] == C_CSR:
                old = _csr_read(imm, cycles, instret, counters, dma, core)
                csr_value = _csr_written(words[i], old, x)

            # ---- RV32I
            if op == LUI:
                x[rd] = _s32(imm << 12)
            elif op == AUIPC:
                x[rd] = _s32(pc + (imm << 12))
            elif op == JAL:
                if imm == 0 and rd == X_SINK:  # the spin `j .` (jal x0, 0): ends the run
                    exit_kind = EXIT_SPIN
                    break
                next_pc = _u32(pc + imm)
                if next_pc & 3:  # before the link write: a trapping jump writes nothing
                    cause, tval = JUMP_MISALIGNED, next_pc
                    break
                x[rd] = _s32(pc + 4)
            elif op == JALR:
                next_pc = _u32(x[rs1] + imm) & ~1
                if next_pc & 3:
                    cause, tval = JUMP_MISALIGNED, next_pc
                    break
                x[rd] = _s32(pc + 4)
            elif op == BEQ:
                if x[rs1] == x[rs2]:
                    next_pc = _u32(pc + imm)
            elif op == BNE:
                if x[rs1] != x[rs2]:
                    next_pc = _u32(pc + imm)
            elif op == BLT:
                if x[rs1] < x[rs2]:
                    next_pc = _u32(pc + imm)
            elif op == BGE:
                if x[rs1] >= x[rs2]:
                    next_pc = _u32(pc + imm)
            elif op == BLTU:
                if _u32(x[rs1]) < _u32(x[rs2]):
                    next_pc = _u32(pc + imm)
            elif op == BGEU:
                if _u32(x[rs1]) >= _u32(x[rs2]):
                    next_pc = _u32(pc + imm)
            elif op == LB:
                tval = _u32(x[rs1] + imm)
                cause = _load(x, rd, dmem_b, tval, 1)
                if cause:
                    break
            elif op == LH:
                tval = _u32(x[rs1] + imm)
                cause = _load(x, rd, dmem_h, tval, 2)
                if cause:
                    break
            elif op == LW:
                tval = _u32(x[rs1] + imm)
                cause = _load(x, rd, dmem_w, tval, 4)
                if cause:
                    break
            elif op == LBU:
                tval = _u32(x[rs1] + imm)
                cause = _load(x, rd, dmem, tval, 1)
                if cause:
                    break
            elif op == LHU:
                tval = _u32(x[rs1] + imm)
                cause = _load(x, rd, dmem_hu, tval, 2)
                if cause:
                    break
            elif op == SB:
                tval = _u32(x[rs1] + imm)
                cause = _store(dmem, tval, 1, x[rs2])
                if cause:
                    break
            elif op == SH:
                tval = _u32(x[rs1] + imm)
                cause = _store(dmem_hu, tval, 2, x[rs2])
                if cause:
                    break
            elif op == SW:
                tval = _u32(x[rs1] + imm)
                cause = _store(dmem_w, tval, 4, x[rs2])
                if cause:
                    break
            elif op == ADDI:
                x[rd] = _s32(x[rs1] + imm)
            elif op == SLTI:
                x[rd] = 1 if x[rs1] < imm else 0
            elif op == SLTIU:
                x[rd] = 1 if _u32(x[rs1]) < _u32(imm) else 0
            elif op == XORI:
                x[rd] = x[rs1] ^ imm
            elif op == ORI:
                x[rd] = x[rs1] | imm
            elif op == ANDI:
                x[rd] = x[rs1] & imm
            elif op == SLLI:
                x[rd] = _s32(x[rs1] << imm)
            elif op == SRLI:
                x[rd] = _s32(_u32(x[rs1]) >> imm)
            elif op == SRAI:
                x[rd] = x[rs1] >> imm
            elif op == ADD:
                x[rd] = _s32(x[rs1] + x[rs2])
            elif op == SUB:
                x[rd] = _s32(x[rs1] - x[rs2])
            elif op == SLL:
                x[rd] = _s32(x[rs1] << (x[rs2] & 31))
            elif op == SLT:
                x[rd] = 1 if x[rs1] < x[rs2] else 0
            elif op == SLTU:
                x[rd] = 1 if _u32(x[rs1]) < _u32(x[rs2]) else 0
            elif op == XOR:
                x[rd] = x[rs1] ^ x[rs2]
            elif op == SRL:
                x[rd] = _s32(_u32(x[rs1]) >> (x[rs2] & 31))
            elif op == SRA:
                x[rd] = x[rs1] >> (x[rs2] & 31)
            elif op == OR:
                x[rd] = x[rs1] | x[rs2]
            elif op == AND:
                x[rd] = x[rs1] & x[rs2]
            elif op == FENCE:
                pass  # one hart, in-order memories: nothing to order
            elif op == ECALL:
                exit_kind = EXIT_ECALL
                break
            elif op == EBREAK:
                exit_kind = EXIT_EBREAK
                break
            # ---- M
            elif op == MUL:
                x[rd] = _s32(x[rs1] * x[rs2])
            elif op == MULH:
                x[rd] = _s32((x[rs1] * x[rs2]) >> 32)
            elif op == MULHSU:
                x[rd] = _s32((x[rs1] * _u32(x[rs2])) >> 32)
            elif op == MULHU:
                x[rd] = _mulhu(x[rs1], x[rs2])
            elif op == DIV:
                x[rd] = _div(x[rs1], x[rs2])
            elif op == DIVU:
                b = _u32(x[rs2])
                x[rd] = _s32(_u32(x[rs1]) // b) if b else -1
            elif op == REM:
                x[rd] = _rem(x[rs1], x[rs2])
            elif op == REMU:
                b = _u32(x[rs2])
                x[rd] = _s32(_u32(x[rs1]) % b) if b else x[rs1]
            # ---- Zicsr (decode turned illegal accesses into ILLEGAL_OP; rs1 holds uimm5)
            elif op in (CSRRW, CSRRS, CSRRC, CSRRWI, CSRRSI, CSRRCI):
                x[rd] = _zicsr(
                    op, imm, rs1, x, cycles, instret, counters, dma, sizes, core, vmem, ddr, model
                )
                stop_at = min(limit, _dma_next_end(dma))
            # ---- Zbb subset
            elif op == CLZ:
                x[rd] = _clz32(x[rs1])
            elif op == CTZ:
                x[rd] = _ctz32(x[rs1])
            elif op == CPOP:
                x[rd] = _cpop32(x[rs1])
            elif op == SEXT_B:
                x[rd] = ((x[rs1] & 0xFF) ^ 0x80) - 0x80
            elif op == SEXT_H:
                x[rd] = ((x[rs1] & 0xFFFF) ^ 0x8000) - 0x8000
            # ---- vector ALU
            elif op == VADD:
                _vadd(v, rd, rs1, rs2, False)
            elif op == VADD_S:
                _vadd(v, rd, rs1, rs2, True)
            elif op == VSUB:
                _vsub(v, rd, rs1, rs2, False)
            elif op == VSUB_S:
                _vsub(v, rd, rs1, rs2, True)
            elif op == VAND:
                for lane in range(LANES):
                    v[rd, lane] = v[rs1, lane] & v[rs2, lane]
            elif op == VSLL:
                for lane in range(LANES):
                    v[rd, lane] = sll_lane(np.int64(v[rs1, lane]), np.int64(v[rs2, lane]))
            elif op == VSRA:
                for lane in range(LANES):
                    v[rd, lane] = sra_lane(np.int64(v[rs1, lane]), np.int64(v[rs2, lane]))
            elif op == VMUL:
                _vmul(v, rng, rd, rs1, rs2, imm, ROUND_FLOOR, False)
            elif op == VMUL_RN:
                _vmul(v, rng, rd, rs1, rs2, imm, ROUND_NEAREST, False)
            elif op == VMUL_RS:
                _vmul(v, rng, rd, rs1, rs2, imm, ROUND_STOCHASTIC, False)
            elif op == VMUL_S:
                _vmul(v, rng, rd, rs1, rs2, imm, ROUND_FLOOR, True)
            elif op == VMUL_S_RN:
                _vmul(v, rng, rd, rs1, rs2, imm, ROUND_NEAREST, True)
            elif op == VMUL_S_RS:
                _vmul(v, rng, rd, rs1, rs2, imm, ROUND_STOCHASTIC, True)
            elif op == VSLLI:
                for lane in range(LANES):
                    v[rd, lane] = wrap16(np.int64(v[rs1, lane]) << imm)
            elif op == VSRAI:
                _vsrai(v, rng, rd, rs1, imm, ROUND_FLOOR)
            elif op == VSRAI_RN:
                _vsrai(v, rng, rd, rs1, imm, ROUND_NEAREST)
            elif op == VSRAI_RS:
                _vsrai(v, rng, rd, rs1, imm, ROUND_STOCHASTIC)
            elif op == VTEQ:
                x[rd] = _vtest(v, rs1, rs2, 0)
            elif op == VTNE:
                x[rd] = _vtest(v, rs1, rs2, 1)
            elif op == VTLT:
                x[rd] = _vtest(v, rs1, rs2, 2)
            elif op == VTGE:
                x[rd] = _vtest(v, rs1, rs2, 3)
            elif op == VSEL:
                mask = x[rs1]
                for lane in range(LANES):
                    if (mask >> lane) & 1:
                        v[rd, lane] = v[rs2, lane]
            elif op == VLUI:
                for lane in range(LANES):
                    v[rd, lane] = imm
            elif op == VFILL:
                value = fill_narrow(x[rs1])
                for lane in range(LANES):
                    v[rd, lane] = value
            elif op == VEXTRACT:
                x[rd] = v[rs1, imm]
            elif op == VRNG:
                for lane in range(LANES):
                    s0, s1 = rng[0, lane], rng[1, lane]
                    v[rd, lane] = rng_output(s0, s1) >> 1
                    rng[0, lane], rng[1, lane] = rng_advance(s0, s1)
            elif op == VANDADD:
                low = (1 << imm) - 1
                addend = wrap16(x[rs2])
                for lane in range(LANES):
                    v[rd, lane] = add_lane(np.int64(v[rs1, lane]) & low, addend, False)
            # ---- vector memory
            elif op == VLOADV:
                tval = _u32(x[rs1] + imm)
                cause = _vload(v[rd], vmem_h, tval)
                if cause:
                    break
                pending = np.int64(1) << rd
            elif op == VLOADR0:
                tval = _u32(x[rs1] + imm)
                cause = _vload(rng[0], vmem_hu, tval)
                if cause:
                    break
                pending = np.int64(1) << RNG_BIT
            elif op == VLOADR1:
                tval = _u32(x[rs1] + imm)
                cause = _vload(rng[1], vmem_hu, tval)
                if cause:
                    break
                pending = np.int64(1) << RNG_BIT
            elif op == VSTOREV:
                tval = _u32(x[rs1] + imm)
                cause = _vstore(v[rs2], vmem_h, tval)
                if cause:
                    break
            elif op == VLOADL:
                cause, tval = _lane_access(v[rd], v[rs1], imm, llm_h, lane_halves, False)
                if cause:
                    break
                pending = np.int64(1) << rd
            elif op == VSTOREL:
                cause, tval = _lane_access(v[rs2], v[rs1], imm, llm_h, lane_halves, True)
                if cause:
                    break
            else:  # table.ILLEGAL_OP
                cause, tval = ILLEGAL, np.int64(words[i])
                break
            if next_pc & 3:  # a taken branch to a misaligned target (jumps checked above)
                cause, tval = JUMP_MISALIGNED, next_pc
                break
            if traced:
                _trace_row(trace[n_trace], classes[op], pc, words[i], x, v, imm, csr_value)
                n_trace += 1
            cycles += dec[i, CYC]
            instret += 1
            counters[dec[i, ACT]] += 1
            pc = next_pc

        if traced:
            if exit_kind in (EXIT_ECALL, EXIT_EBREAK, EXIT_SPIN):  # retired: counted below
                _trace_row(trace[n_trace], C_NONE, pc, words[pc >> 2], x, v, 0, -1)
                n_trace += 1
            tn[0] = n_trace
        if cause:
            exit_kind = EXIT_TRAP
            cycles += 1  # the trapping instruction's cycle counts; it does not retire
        else:
            tval = 0  # memory instructions set it before they know whether they trap
            if exit_kind in (EXIT_ECALL, EXIT_EBREAK, EXIT_SPIN):  # one cycle, retired
                cycles += 1
                instret += 1
        _dma_complete(dma, cycles, vmem, ddr, counters, model)  # the state the next cycle would see
        core[PC], core[CYCLES], core[INSTRET], core[PENDING] = pc, cycles, instret, pending
        core[EXIT], core[CAUSE], core[TVAL] = exit_kind, cause, tval

    def read_csrs(codes, t, instret, counters, dma, core, out):
        """Values of the CSRs with `codes` as an access in cycle t would read them."""
        if fingerprint < 0:
            return
        for n in range(codes.size):
            out[n] = _csr_read(codes[n], t, instret, counters, dma, core)

    return njit(cache=True)(run), njit(cache=True)(read_csrs)


def _fingerprint() -> int:
    digest = hashlib.sha256()
    for module in (table, numerics, csr, soc, decode, commit):
        digest.update(Path(str(module.__file__)).read_bytes())  # modules of files: never None
    return int.from_bytes(digest.digest()[:7], "little")


run, read_csrs = _build(_fingerprint(), traced=False)
run_traced, _ = _build(_fingerprint(), traced=True)
