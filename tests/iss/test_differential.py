"""Random programs on the Numba ISS and on the pure-Python reference end in identical states.

Programs are machine words drawn over the whole table (and some illegal words) with operands biased
toward valid memory addresses, plus a prologue that seeds registers, the RNG and all memories, and
snippets that run real DMA transfers. Straight-line programs branch and jump forward only; looping
programs repeat a random body under a counter in x31. Both simulators run the same image under the
same cycle limit; every part of the final MachineState must match.
"""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from naive import ref_iss

from riscv_soc import iss
from riscv_soc.image import Image, Section
from riscv_soc.isa.csr import CSRS
from riscv_soc.isa.table import INSTRS, OPERANDS, encode, operand_range
from riscv_soc.machine import diff_states
from riscv_soc.soc import SocConfig

CONFIG = SocConfig(
    imem_bytes=4096, dmem_bytes=2048, vmem_bytes=4096, llm_lane_bytes=128, ddr_bytes=4096
)
MAX_CYCLES = 20_000
LOOP_REG = 31  # the looping programs' counter: generated instructions never write it
ADDR_VREG = 31  # holds lane addresses for vloadl/vstorel: never a generated destination
CSR_NUMBERS = sorted(CSRS.values()) + [0x7C0, 0x301]  # two that do not exist
WRITABLE_CSRS = {n for name, n in CSRS.items() if name.startswith("dma_") and "status" not in name}
WRITABLE_CSRS.add(CSRS["mcountinhibit"])  # stops and restarts the counters
CONTROL_CSRS = {n for name, n in CSRS.items() if name.endswith("_control")}
INTERESTING = [0, 1, 2, -1, -2, 0x7FFFFFFF, -0x80000000, 0x7FFF, -0x8000, 0xFFFF, 64, 128, 4096]

WORDS = st.integers(0, 2**32 - 1)
SMALL_OR_EDGE = st.one_of(st.sampled_from(INTERESTING), st.integers(-(2**31), 2**31 - 1))


@st.composite
def operand_values(draw, rng, instr, index: int, length: int) -> dict[str, int]:
    """Operands of `instr` at word `index` of a straight-line run of `length` words.

    Hypothesis draws the values (it favours edges); `rng` makes the rare choices rare.
    """
    values = {}
    memory = "(" in instr.syntax and instr.name != "jalr"
    for name in instr.operands:
        operand = OPERANDS[name]
        lo, hi = operand_range(operand)
        if name == "xd":
            value = draw(st.integers(0, LOOP_REG - 1))
        elif name == "vd":
            value = draw(st.integers(0, ADDR_VREG - 1))
        elif name == "vs1" and memory:
            value = draw(st.integers(0, 31)) if rng.random() < 0.05 else ADDR_VREG
        elif name == "xs1" and memory:
            value = draw(st.integers(0, 31)) if rng.random() < 0.05 else 0
        elif name in ("imm12", "simm12") and memory:
            value = draw(memory_offset(instr)) if rng.random() < 0.95 else draw(st.integers(lo, hi))
        elif name in ("boff", "joff"):
            skip = draw(st.integers(1, max(1, min(4, length - index))))
            value = 4 * skip + (int(rng.choice([-2, 2])) if rng.random() < 0.03 else 0)
        elif operand.kind == "csr":
            value = draw(st.sampled_from(CSR_NUMBERS))
        else:
            value = draw(st.integers(lo, hi))
        values[name] = value
    if instr.name.startswith("csr") and rng.random() < 0.9:  # mostly legal accesses
        source = "xs1" if "xs1" in values else "uimm5"
        if values["csr"] in WRITABLE_CSRS and rng.random() < 0.5:
            if values["csr"] in CONTROL_CSRS and rng.random() < 0.7:
                values[source] = 0  # starts from garbage registers only now and then
        else:
            values["csr"] = draw(st.sampled_from(sorted(CSRS.values())))
            values[source] = 0
    return values


def memory_offset(instr):
    """Aligned, in-range offsets from x0 (or lane offsets for lane-local accesses)."""
    if instr.name.startswith(("vloadv", "vstorev", "vloadr")):
        good = st.integers(0, 2047 // 64).map(lambda k: 64 * k)
    elif instr.name in ("vloadl", "vstorel"):
        good = st.integers(-4, 8).map(lambda k: 2 * k)
    else:
        size = {"b": 1, "h": 2, "w": 4}[instr.name[1]]
        good = st.integers(0, (CONFIG.dmem_bytes - 4) // size).map(lambda k: size * k)
    return good


@st.composite
def body(draw, rng, length: int) -> list:
    """`length` random words: table instructions, now and then an illegal word or a vector load
    right before a use of its destination. jalr entries stay (name, operands) placeholders until
    `resolve` knows their addresses."""
    words = []
    for index in range(length):
        if rng.random() < 0.005:
            words.append(draw(WORDS))
            continue
        instr = draw(st.sampled_from(INSTRS))
        while instr.name in ("ecall", "ebreak") and rng.random() < 0.9:
            instr = draw(st.sampled_from(INSTRS))
        values = draw(operand_values(rng, instr, index, length))
        if instr.name == "jalr":
            words.append(("jalr", values))
            continue
        words.append(encode(instr.name, **values))
        if instr.name in ("vloadv", "vloadl") and rng.random() < 0.1:  # force a load-use hazard
            words.append(encode("vadd", vd=draw(st.integers(0, 30)), vs1=values["vd"], vs2=0))
        if instr.name in ("vloadr0", "vloadr1") and rng.random() < 0.1:
            words.append(encode("vrng", vd=draw(st.integers(0, 30))))
    return words


def dma_snippet(draw) -> list[int]:
    """Program one channel with valid (or nearly valid) registers and start it."""
    channel = draw(st.sampled_from(["mm2s", "s2mm"]))
    vectors = draw(st.integers(0, 8))
    src = 64 * draw(st.integers(0, 40))
    dst = 64 * draw(st.integers(0, 40)) + draw(st.sampled_from([0, 0, 0, 32]))
    words = []
    for reg, value in (("src", src), ("dst", dst), ("count", 64 * vectors)):
        words += li(5, value)
        words.append(encode("csrrw", xd=0, csr=CSRS[f"dma_{channel}_{reg}"], xs1=5))
    words.append(encode("csrrwi", xd=0, csr=CSRS[f"dma_{channel}_control"], uimm5=1))
    if draw(st.booleans()):  # wait for idle: csrr t1, status; andi t1, t1, 2; beqz t1, -8
        words += [
            encode("csrrs", xd=6, csr=CSRS[f"dma_{channel}_status"], xs1=0),
            encode("andi", xd=6, xs1=6, imm12=2),
            encode("beq", xs1=6, xs2=0, boff=-8),
        ]
    return words


def li(reg: int, value: int) -> list[int]:
    value &= 0xFFFFFFFF
    upper = ((value + 0x800) >> 12) & 0xFFFFF
    low = value - (upper << 12)
    low = ((low + 0x800) & 0xFFF) - 0x800
    return [encode("lui", xd=reg, uimm20=upper), encode("addi", xd=reg, xs1=reg, imm12=low)]


def prologue(draw) -> list[int]:
    words = []
    for reg in draw(st.lists(st.integers(1, 30), max_size=12, unique=True)):
        words += li(reg, draw(SMALL_OR_EDGE))
    for vreg in range(8):  # v0..v7 from vector memory, one vector each
        words.append(encode("vloadv", vd=vreg, xs1=0, imm12=64 * vreg))
    words.append(encode("vloadv", vd=ADDR_VREG, xs1=0, imm12=64 * 8))
    words.append(encode("vloadr0", xs1=0, imm12=64 * 9))
    words.append(encode("vloadr1", xs1=0, imm12=64 * 10))
    words.append(encode("addi", xd=0, xs1=0, imm12=0))  # the loads' hazard slot
    return words


def resolve(words: list, start: int) -> list[int]:
    """Turn jalr placeholders into forward jumps from x0 to an absolute address in the run."""
    out = []
    for index, word in enumerate(words):
        if isinstance(word, tuple):
            values = dict(word[1])
            skip = min(1 + index % 3, len(words) - index)
            values.update(xs1=0, imm12=4 * (start + index + skip) + (2 if index % 11 == 5 else 0))
            word = encode("jalr", **values)
        out.append(word)
    return out


@st.composite
def programs(draw, looping: bool) -> Image:
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    words = prologue(draw)
    if draw(st.booleans()):
        words += dma_snippet(draw)
    if looping:
        words += li(LOOP_REG, draw(st.integers(1, 12)))
    loop_start = len(words)
    main = draw(body(rng, draw(st.integers(1, 30))))
    words += resolve(main, len(words))
    if draw(st.booleans()):
        words += dma_snippet(draw)
    if looping:
        words.append(encode("addi", xd=LOOP_REG, xs1=LOOP_REG, imm12=-1))
        back = 4 * (loop_start - len(words))
        words.append(encode("bne", xs1=LOOP_REG, xs2=0, boff=back))
    words.append(encode("ecall"))
    sections = [Section(".text", "imem", 0, np.array(words, "<u4").tobytes())]
    vmem = rng.integers(-(2**15), 2**15, 32 * 12, dtype=np.int16)
    lanes = rng.integers(-8, 56, 32) * 2  # lane addresses: mostly enabled, in range, even
    if rng.random() < 0.1:
        lanes[rng.integers(32)] += 1  # one odd lane: misaligned when enabled
    vmem[8 * 32 : 9 * 32] = lanes
    for name, memory, data in (
        (".data", "dmem", rng.integers(0, 256, 512, dtype=np.uint8).tobytes()),
        (".vmem", "vmem", vmem.tobytes()),
        (".llm", "llm", rng.integers(0, 256, 32 * CONFIG.llm_lane_bytes, dtype=np.uint8).tobytes()),
        (".ddr", "ddr", rng.integers(0, 256, 1024, dtype=np.uint8).tobytes()),
    ):
        sections.append(Section(name, memory, 0, data))
    return Image(sections)


def assert_same(image: Image) -> None:
    ours = iss.run(image, MAX_CYCLES, CONFIG)
    reference = ref_iss.run(image, MAX_CYCLES, CONFIG)
    differences = diff_states(ours, reference)
    assert not differences, "\n".join(differences[:20])
    assert ours.counters == reference.counters
    assert ours.csrs == reference.csrs


COMMON = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)


@COMMON
@given(programs(looping=False))
def test_straight_line_programs_match_the_reference(image):
    assert_same(image)


@COMMON
@given(programs(looping=True))
def test_looping_programs_match_the_reference(image):
    assert_same(image)
