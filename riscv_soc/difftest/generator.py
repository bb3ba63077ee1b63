"""Constrained-random test programs for the ISS-vs-RTL differential test.

Where it sits: (seed, index, length) -> assembly source -> `riscv_soc.isa.asm.assemble` -> an
image that `riscv_soc.difftest.runner` runs on both machines. Programs mix scalar ALU, multiply and
divide, scalar and vector memory, lane-local gather/scatter, every vector ALU op, the RNG, CSR and
counter reads, mcountinhibit writes that stop and restart the counters, `fence`, RNG reseeds
(`vloadr0/1`) in mid-program, forward branches, counted loops (nested two deep, closed by
backward branches of several kinds) and DMA transfers (good and malformed, one or both channels,
with compute overlapping them, a start while the channel is busy, registers rewritten in flight,
status polled until the setup phase ends). Programs always terminate: forward branches only go
forward, a loop counts down a register no other instruction writes, and the program ends with
ecall, ebreak or, sometimes, a deliberate trap. A DMA transfer is always waited for before the
program can end, so the ISS (which moves DMA data at completion) and the RTL (which streams it)
agree on every byte.

Register conventions: x1-x23 and v0-v27 are random data (x0 is now and then a destination);
x24-x27 are scratch for DMA programming and polling (x27 also as a load's base and destination);
x28 and x31 are the outer and inner loop counters; x29 points into scalar memory, x30 into vector
memory; v28-v31 hold lane-local address vectors (v28 with every lane enabled): even bases, most
far enough from both ends of a lane's memory that any offset the program adds (-64..62) stays
inside, some negative (down to -64, so an offset can take the sum across zero: FeNN disables such
a lane all the same, on its base) or -32768. `vsll`/`vsra` take their per-lane amounts from
random data (mostly 16 or more, or negative) or from a `vandadd` that keeps 5 bits (0..31).

The random data the program starts from (RNG seeds, address vectors, every memory's contents) is
not in the source: the assembler would spend most of the time on it. It travels beside the source
as bytes per memory (`Program.data`, saved as .npz with a mismatching case).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from riscv_soc.image import Image, Section
from riscv_soc.isa import csr, table
from riscv_soc.isa.asm import assemble
from riscv_soc.soc import LANES, SocConfig

DATA_X = range(1, 24)
DATA_V = range(28)
LOOP_X, DMEM_X, VMEM_X, INNER_LOOP_X = 28, 29, 30, 31
ADDR_V = range(28, 32)

# Vector memory layout (bytes): RNG seeds at 0, the four lane-address vectors at 128, random data
# at VMEM_DATA (the program loads and stores there); DMA transfers use [DMA_VMEM, +DMA_SPAN).
SEEDS, ADDR_VECTORS, VMEM_DATA, VMEM_DATA_BYTES = 0, 128, 1024, 8 * 1024
DMA_VMEM = 32 * 1024
DMA_SPAN = 8 * 1024
DDR_DATA = 16 * 1024  # DDR bytes filled with random data (DMA sources and targets)
DMEM_DATA = 4 * 1024

_SCALAR_RR = (
    "add",
    "sub",
    "sll",
    "slt",
    "sltu",
    "xor",
    "srl",
    "sra",
    "or",
    "and",
    "mul",
    "mulh",
    "mulhsu",
    "mulhu",
)
_DIVS = ("div", "divu", "rem", "remu")
_SCALAR_RI = ("addi", "slti", "sltiu", "xori", "ori", "andi")
_SHIFT_I = ("slli", "srli", "srai")
_UNARY = ("clz", "ctz", "cpop", "sext.b", "sext.h")
_VEC_VV = ("vadd", "vadd_s", "vsub", "vsub_s", "vand", "vsll", "vsra")
_VMUL = tuple(i.name for i in table.INSTRS if i.name.startswith("vmul"))
_VSHIFT_I = ("vslli", "vsrai", "vsrai_rn", "vsrai_rs")
_VTEST = ("vteq", "vtne", "vtlt", "vtge")
_BRANCHES = ("beq", "bne", "blt", "bge", "bltu", "bgeu")
_COUNTER_CSRS = tuple(n for n, c in csr.CSRS.items() if 0xB00 <= c < 0xB90 or 0xC00 <= c < 0xC90)
_DMA_RW = tuple(n for n in csr.CSRS if n.startswith("dma_") and not n.endswith("control"))


@dataclass(frozen=True)
class Program:
    """One generated program: its source, its initial memory data and where it came from."""

    seed: int
    index: int
    length: int
    source: str
    data: dict[str, np.ndarray] = field(default_factory=dict, compare=False)  # memory -> uint8

    @property
    def name(self) -> str:
        return f"seed{self.seed}_p{self.index}"

    def image(self, config: SocConfig) -> Image:
        """The assembled source plus the data sections."""
        return build_image(self.source, self.data, config, self.name)


def build_image(source: str, data: dict[str, np.ndarray], config: SocConfig, name: str) -> Image:
    image = assemble(source, name, config)
    for memory, raw in data.items():
        image.sections.append(Section(f".{memory}.gen", memory, 0, bytes(raw)))
    image.check(config)
    return image


def generate(seed: int, index: int, length: int, config: SocConfig) -> Program:
    """The `index`-th program of `seed`: about `length` instructions, plus its data."""
    gen = _Generator(np.random.default_rng([seed, index]), config)
    source = gen.program(length)
    return Program(seed, index, length, source, gen.data())


class _Generator:
    def __init__(self, rng: np.random.Generator, config: SocConfig) -> None:
        self.rng = rng
        self.config = config
        self.lines: list[str] = []
        self.count = 0  # instructions emitted
        self.labels = 0
        self.last_vload: int | None = None  # destination of a vector load just emitted
        self.loops = 0  # loops open around the item being generated

    # ------------------------------------------------------------ helpers
    def pick(self, seq):
        return seq[int(self.rng.integers(len(seq)))]

    def chance(self, p: float) -> bool:
        return bool(self.rng.random() < p)

    def emit(self, text: str) -> None:
        self.lines.append(f"    {text}")
        self.count += 1
        self.last_vload = None

    def label(self) -> str:
        self.labels += 1
        return f"L{self.labels}"

    def x(self) -> str:
        """A data destination; now and then x0, whose write is dropped."""
        return "x0" if self.chance(0.05) else f"x{self.pick(DATA_X)}"

    def xsrc(self) -> str:
        return f"x{int(self.rng.integers(32))}"

    def vdst(self) -> str:
        """A data vector register that the previous instruction did not load (no hazard)."""
        choices = [r for r in DATA_V if r != self.last_vload]
        return f"v{self.pick(choices)}"

    def vsrc(self) -> str:
        choices = [r for r in range(32) if r != self.last_vload]
        return f"v{self.pick(choices)}"

    def imm(self, bits: int) -> int:
        return int(self.rng.integers(-(1 << (bits - 1)), 1 << (bits - 1)))

    def word(self) -> int:
        edges = (0, 1, -1, 0x7FFFFFFF, -0x80000000, 0x8000, -0x8000, 0x7FFF)
        return self.pick(edges) if self.chance(0.2) else self.imm(32)

    # ------------------------------------------------------------ program
    def program(self, length: int) -> str:
        self.prologue()
        while self.count < length:
            self.item(depth=0)
        self.ending()
        return "\n".join(self.lines) + "\n"

    def prologue(self) -> None:
        self.emit(f"li x{DMEM_X}, {int(self.rng.integers(0, DMEM_DATA // 2)) & ~63}")
        vmem = VMEM_DATA + (int(self.rng.integers(0, VMEM_DATA_BYTES // 2)) & ~63)
        self.emit(f"li x{VMEM_X}, {vmem}")
        self.emit(f"vloadr0 {SEEDS}(x0)")
        self.emit(f"vloadr1 {SEEDS + 64}(x0)")
        for r in ADDR_V:
            self.emit(f"vloadv v{r}, {ADDR_VECTORS + 64 * (r - ADDR_V[0])}(x0)")
            self.emit("nop")
        for r in DATA_X:
            self.emit(f"li x{r}, {self.word()}")
        for r in DATA_V:
            self.emit(f"vloadv v{r}, {64 * int(self.rng.integers(32))}(x{VMEM_X})")
        self.last_vload = DATA_V[-1]  # the first item must not use it

    def data(self) -> dict[str, np.ndarray]:
        """Initial bytes of each memory (from offset 0)."""
        rng = self.rng
        vmem = np.zeros((VMEM_DATA + VMEM_DATA_BYTES) // 2, np.int16)
        vmem[: 2 * LANES] = rng.integers(-(1 << 15), 1 << 15, 2 * LANES)  # RNG seeds
        # Lane-local address vectors: even, in range whatever offset is added, a few lanes
        # negative (disabled), most of those close enough to 0 that the offset crosses it.
        lane_bytes = self.config.llm_lane_bytes
        for k in range(len(ADDR_V)):
            addr = rng.integers(64, lane_bytes // 2 - 64, LANES) * 2
            disabled = rng.random(LANES) < (0.2 if k else 0.0)  # v28: every lane enabled
            addr[disabled] = -2 * rng.integers(1, 33, int(disabled.sum()))
            addr[disabled & (rng.random(LANES) < 0.1)] = -32768
            vmem[ADDR_VECTORS // 2 + LANES * k : ADDR_VECTORS // 2 + LANES * (k + 1)] = addr
        vmem[VMEM_DATA // 2 :] = _random_halves(rng, VMEM_DATA_BYTES // 2)
        return {
            "vmem": vmem.view(np.uint8),
            "dmem": rng.integers(0, 256, DMEM_DATA, dtype=np.uint8),
            "llm": _random_halves(rng, LANES * lane_bytes // 2).view(np.uint8),
            "ddr": rng.integers(0, 256, DDR_DATA, dtype=np.uint8),
        }

    def ending(self) -> None:
        r = self.rng.random()
        if r < 0.15:
            self.trap()
        else:
            self.emit("ebreak" if r < 0.4 else "ecall")

    # ------------------------------------------------------------ items
    def item(self, depth: int) -> None:
        kinds: tuple[str, ...] = (
            "scalar",
            "scalar",
            "scalar",
            "mem",
            "vector",
            "vector",
            "vector",
            "vmem",
            "lane",
            "csr",
            "div",
            "fence",
            "reseed",
            "branch",
            "loop",
            "jump",
            "dma",
        )
        if depth > 0:  # bodies: no jumps or DMA; a loop only inside one other loop
            kinds = kinds[:-2] if self.loops == 1 else kinds[:-3]
        getattr(self, f"item_{self.pick(kinds)}")(depth)

    def item_fence(self, depth: int) -> None:
        self.emit("fence")

    def item_reseed(self, depth: int) -> None:
        """Reload one or both RNG state halves from random data, then a scalar instruction: an
        RNG step right after `vloadr0/1` is the load-use trap."""
        for half in self.pick((("0",), ("1",), ("0", "1"))):
            self.emit(f"vloadr{half} {64 * int(self.rng.integers(32))}(x{VMEM_X})")
        self.item_scalar(depth)

    def item_scalar(self, depth: int) -> None:
        r = self.rng.random()
        if r < 0.4:
            self.emit(f"{self.pick(_SCALAR_RR)} {self.x()}, {self.xsrc()}, {self.xsrc()}")
        elif r < 0.65:
            self.emit(f"{self.pick(_SCALAR_RI)} {self.x()}, {self.xsrc()}, {self.imm(12)}")
        elif r < 0.8:
            self.emit(f"{self.pick(_SHIFT_I)} {self.x()}, {self.xsrc()}, {self.rng.integers(32)}")
        elif r < 0.9:
            self.emit(f"{self.pick(_UNARY)} {self.x()}, {self.xsrc()}")
        else:
            op = self.pick(("lui", "auipc"))
            self.emit(f"{op} {self.x()}, {int(self.rng.integers(1 << 20))}")

    def item_div(self, depth: int) -> None:
        self.emit(f"{self.pick(_DIVS)} {self.x()}, {self.xsrc()}, {self.xsrc()}")

    def item_mem(self, depth: int) -> None:
        size = self.pick((1, 2, 4))
        off = int(self.rng.integers(0, 2048 // size)) * size
        if self.chance(0.5):
            op = {1: self.pick(("lb", "lbu")), 2: self.pick(("lh", "lhu")), 4: "lw"}[size]
            if self.chance(0.1):  # the destination is the base register
                self.emit(f"mv x27, x{DMEM_X}")
                self.emit(f"{op} x27, {off}(x27)")
                return
            self.emit(f"{op} {self.x()}, {off}(x{DMEM_X})")
        else:
            op = {1: "sb", 2: "sh", 4: "sw"}[size]
            self.emit(f"{op} {self.xsrc()}, {off}(x{DMEM_X})")

    def item_vector(self, depth: int) -> None:
        r = self.rng.random()
        vd, a, b = self.vdst(), self.vsrc(), self.vsrc()
        if r < 0.3:
            op = self.pick(_VEC_VV)
            if op in ("vsll", "vsra") and self.chance(0.5):
                # per-lane amounts 0..31: the low 5 bits of random data
                self.emit(f"vandadd {vd}, {b}, x0, 5")
                b = vd
                vd = self.vdst()
            self.emit(f"{op} {vd}, {a}, {b}")
        elif r < 0.5:
            self.emit(f"{self.pick(_VMUL)} {vd}, {a}, {b}, {self.rng.integers(16)}")
        elif r < 0.62:
            self.emit(f"{self.pick(_VSHIFT_I)} {vd}, {a}, {self.rng.integers(16)}")
        elif r < 0.72:
            self.emit(f"{self.pick(_VTEST)} {self.x()}, {a}, {b}")
        elif r < 0.78:
            self.emit(f"vsel {vd}, {self.xsrc()}, {b}")
        elif r < 0.83:
            self.emit(f"vlui {vd}, {self.imm(16)}")
        elif r < 0.88:
            self.emit(f"vfill {vd}, {self.xsrc()}")
        elif r < 0.93:
            self.emit(f"vextract {self.x()}, {a}, {self.rng.integers(LANES)}")
        elif r < 0.96:
            self.emit(f"vrng {vd}")
        else:
            self.emit(f"vandadd {vd}, {a}, {self.xsrc()}, {self.rng.integers(16)}")

    def item_vmem(self, depth: int) -> None:
        off = 64 * int(self.rng.integers(32))
        if self.chance(0.5):
            vd = self.vdst()
            self.emit(f"vloadv {vd}, {off}(x{VMEM_X})")
            self.last_vload = int(vd[1:])
        else:
            self.emit(f"vstorev {self.vsrc()}, {off}(x{VMEM_X})")

    def item_lane(self, depth: int) -> None:
        addr = f"v{self.pick(ADDR_V)}"
        off = 2 * int(self.rng.integers(-32, 32))
        if self.chance(0.5):
            vd = self.vdst()
            self.emit(f"vloadl {vd}, {off}({addr})")
            self.last_vload = int(vd[1:])
        else:
            self.emit(f"vstorel {self.vsrc()}, {off}({addr})")

    def item_csr(self, depth: int) -> None:
        if self.chance(0.6):
            name = self.pick(_COUNTER_CSRS + _DMA_RW + ("mhartid", "mcountinhibit"))
            op = self.pick(("csrrs", "csrrc"))
            self.emit(f"{op} {self.x()}, {name}, x0")
            return
        if self.chance(0.35):
            # Stop or restart counters: any write form, any bits (only 0 and 2..8 stick).
            op = self.pick(("csrrw", "csrrs", "csrrc", "csrrwi", "csrrsi", "csrrci"))
            if op.endswith("i"):
                src = str(self.rng.integers(32))
            else:
                src = f"x{self.pick((24, 26))}"
                self.emit(
                    f"li {src}, {self.pick((0, 0x1FD, -1)) if self.chance(0.3) else self.imm(10)}"
                )
            self.emit(f"{op} {self.x()}, mcountinhibit, {src}")
            return
        # Any write form on a DMA register (a transfer starts only from the control register).
        name = self.pick(tuple(n for n in _DMA_RW if not n.endswith("status")))
        op = self.pick(("csrrw", "csrrs", "csrrc", "csrrwi", "csrrsi", "csrrci"))
        src = str(self.rng.integers(32)) if op.endswith("i") else self.xsrc()
        self.emit(f"{op} {self.x()}, {name}, {src}")

    def item_jump(self, depth: int) -> None:
        end = self.label()
        if self.chance(0.5):
            self.emit(f"jal {self.x()}, {end}")
        else:
            self.emit(f"la x27, {end}")
            self.emit(f"jalr {'x27' if self.chance(0.2) else self.x()}, 0(x27)")
        self.item(depth + 1)
        self.lines.append(f"{end}:")

    def item_branch(self, depth: int) -> None:
        end = self.label()
        self.emit(f"{self.pick(_BRANCHES)} {self.xsrc()}, {self.xsrc()}, {end}")
        for _ in range(int(self.rng.integers(1, 4))):
            self.item(depth + 1)
        # The label's predecessors are the branch and the body's last instruction: a vector
        # load there still counts for the load-use rule.
        self.lines.append(f"{end}:")

    def item_loop(self, depth: int) -> None:
        """1-4 trips (an inner loop: 1-3) of 2-5 items, closed by a backward branch."""
        counter = f"x{INNER_LOOP_X if self.loops else LOOP_X}"
        top = self.label()
        self.emit(f"li {counter}, {self.rng.integers(1, 4 if self.loops else 5)}")
        self.lines.append(f"{top}:")
        self.loops += 1
        for _ in range(int(self.rng.integers(2, 6))):
            self.item(depth + 1)
        self.loops -= 1
        self.emit(f"addi {counter}, {counter}, -1")
        back = ("bnez {c}, {t}", "bne {c}, x0, {t}", "blt x0, {c}, {t}", "bltu x0, {c}, {t}")
        self.emit(self.pick(back).format(c=counter, t=top))

    def item_dma(self, depth: int) -> None:
        """Start one or both channels, overlap compute that touches neither range, wait."""
        channels = self.pick((("mm2s",), ("s2mm",), ("mm2s", "s2mm")))
        for ch in channels:
            self.dma_command(ch)
            if self.chance(0.2):
                self.emit(f"csrwi dma_{ch}_control, 1")  # a good command is busy: ignored
        for _ in range(int(self.rng.integers(0, 6))):
            self.pick((self.item_scalar, self.item_vector, self.item_div))(depth + 1)
        for ch in channels:
            if self.chance(0.2):
                self.dma_rewrite(ch)
            if self.chance(0.3):
                self.dma_poll_setup(ch)
            wait = self.label()
            self.lines.append(f"{wait}:")
            self.emit(f"csrr x25, dma_{ch}_status")
            self.emit("andi x25, x25, 2")
            self.emit(f"beqz x25, {wait}")
            self.emit(f"csrr {self.x()}, dma_{ch}_status")

    def dma_rewrite(self, ch: str) -> None:
        """A second command for a channel that may still be busy: ignored if it is, else a
        transfer within the channel's ranges that the wait below covers as well."""
        self.dma_command(ch)
        self.emit(f"csrr {self.x()}, dma_{ch}_status")

    def dma_poll_setup(self, ch: str) -> None:
        """Poll until the channel leaves its setup phase (bit 2, starting), keeping the last
        status read: which bits it holds depends on the cycle, so cycles are compared too."""
        poll = self.label()
        self.lines.append(f"{poll}:")
        self.emit(f"csrr x25, dma_{ch}_status")
        self.emit("andi x24, x25, 4")
        self.emit(f"bnez x24, {poll}")
        self.emit(f"mv {self.x()}, x25")

    def dma_command(self, ch: str) -> None:
        rng = self.rng
        count = 64 * int(rng.integers(1, 17))
        vmem_addr = DMA_VMEM + (DMA_SPAN // 2 if ch == "s2mm" else 0)
        vmem_addr += 64 * int(rng.integers(0, (DMA_SPAN // 2 - count) // 64 + 1))
        ddr_addr = 64 * int(rng.integers(0, (DDR_DATA - count) // 64 + 1))
        if ch == "s2mm":
            ddr_addr += DDR_DATA  # write above the data the MM2S channel reads
        src, dst = (ddr_addr, vmem_addr) if ch == "mm2s" else (vmem_addr, ddr_addr)
        fault = rng.random()
        if fault < 0.05:
            count = 0
        elif fault < 0.1:
            src += 4 * int(rng.integers(1, 16))
        elif fault < 0.15:
            dst = self.config.ddr_bytes if ch == "s2mm" else self.config.vmem_bytes
        for reg, value in (("src", src), ("dst", dst), ("count", count)):
            self.emit(f"li x26, {value}")
            self.emit(f"csrw dma_{ch}_{reg}, x26")
        self.emit(f"csrwi dma_{ch}_control, 1")

    def trap(self) -> None:
        """End with an instruction that traps (the trap order and tval are compared)."""
        kind = self.pick(
            ("illegal", "misaligned", "range", "hazard", "lane", "lane_negative", "jump", "csr")
        )
        if kind == "illegal":
            self.lines.append(f"    .word {self.pick((0, 0xFFFFFFFF, 0x0000707F))}")
        elif kind == "misaligned":
            op = self.pick(("lw", "lh", "lhu", "sw", "sh", "vloadv", "vstorev"))
            reg = "v1" if op.startswith("v") else self.x()
            base = VMEM_X if op.startswith("v") else DMEM_X
            offsets = {"w": (1, 2, 3), "h": (1, 3)}.get(op[1], (2, 32))  # vectors: 64-aligned
            self.emit(f"{op} {reg}, {self.pick(offsets)}(x{base})")
        elif kind == "range":
            self.emit(f"li x26, {self.config.dmem_bytes - 2}")
            self.emit("sw x1, 0(x26)")
        elif kind == "hazard":
            self.emit(f"vloadv v3, 0(x{VMEM_X})")
            self.emit("vadd v4, v3, v5")
        elif kind == "lane":
            self.emit(f"vlui v5, {self.pick((1, 2048, 4000))}")
            self.emit("vloadl v6, 0(v5)")
        elif kind == "lane_negative":  # an enabled lane (base >= 0) whose address is negative
            self.emit(f"vlui v5, {self.pick((0, 2, 62))}")
            self.emit(f"vstorel v6, {self.pick((-64, -63))}(v5)")
        elif kind == "jump":
            self.emit(f"jalr x1, {self.pick((2, 6))}(x0)")
        else:
            self.emit(self.pick(("csrw mcycle, x1", "csrr x1, mstatus", "csrw mtvec, x1")))


def _random_halves(rng: np.random.Generator, count: int) -> np.ndarray:
    """int16 lane values, one in ten an edge case of saturation and rounding."""
    halves = rng.integers(-(1 << 15), 1 << 15, count).astype(np.int16)
    edges = np.array([-32768, 32767, 0, -1, 1, 16384, -16384], np.int16)
    pick = rng.random(count) < 0.1
    halves[pick] = edges[rng.integers(len(edges), size=int(pick.sum()))]
    return halves
