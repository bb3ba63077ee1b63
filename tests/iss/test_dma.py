"""The DMA engine on the ISS: both directions, exact timing, errors, busy starts, overlap."""

from __future__ import annotations

import numpy as np
import pytest

from riscv_soc import iss
from riscv_soc.isa.csr import (
    DMA_ERR_DECODE,
    DMA_ERR_INTERNAL,
    DMA_IDLE,
    DMA_OK,
    DMA_STARTING,
    DMA_TRANSFERRING,
)

# Registers free for status samples (t0 programs the channel, s11 holds the start cycle).
SAMPLE_REGS = [r for r in range(1, 32) if r not in (5, 27)]
PATTERN = [(i * 37) % 1000 - 500 for i in range(256)]  # 512 bytes of int16


def program(channel: str, src: int, dst: int, count: int) -> str:
    """Set up `channel`; s11 = the cycle before the start, which is the line that follows."""
    return f"""
        li t0, {src}
        csrw dma_{channel}_src, t0
        li t0, {dst}
        csrw dma_{channel}_dst, t0
        li t0, {count}
        csrw dma_{channel}_count, t0
        csrr s11, mcycle
        csrwi dma_{channel}_control, 1
        """


def data(memory: str, values: list[int] = PATTERN) -> str:
    section = {"ddr": ".ddr", "vmem": ".vmem"}[memory]
    return f".section {section}\n.half {', '.join(map(str, values))}\n"


def status_samples(channel: str, n: int) -> str:
    """n status reads in consecutive cycles, right after the start: cycles t0+1 .. t0+n."""
    return "\n".join(f"csrr x{SAMPLE_REGS[k]}, dma_{channel}_status" for k in range(n))


def sampled(state, n: int) -> list[int]:
    return [int(state.x[SAMPLE_REGS[k]]) for k in range(n)]


@pytest.mark.parametrize("channel", ["mm2s", "s2mm"])
def test_status_at_exact_cycles(run_asm, small, channel):
    count = 128  # L = 10 + 4 * 2 = 18
    src_memory = "ddr" if channel == "mm2s" else "vmem"
    state = run_asm(
        program(channel, 0, 256, count)
        + status_samples(channel, 19)
        + "\necall\n"
        + data(src_memory),
        config=small,
    )
    starting, transferring = DMA_STARTING, DMA_TRANSFERRING
    assert sampled(state, 19) == [starting] * 9 + [transferring] * 8 + [DMA_IDLE | DMA_OK] * 2
    dst_memory = "vmem" if channel == "mm2s" else "ddr"
    moved = state.memories[dst_memory][256 : 256 + count].view("<i2").tolist()
    assert moved == PATTERN[: count // 2]
    assert state.counters["dma_bytes"] == count


def test_data_and_dma_bytes_change_at_completion(run_asm, small):
    # start at t0; the vloadv in cycle t0 + 17 sees old data, the one in t0 + 18 the new
    state = run_asm(
        program("mm2s", 0, 0, 128)
        + "\n".join(["nop"] * 15)
        + """
        csrr a0, mhpmcounter7       # t0 + 16
        vloadv v1, 0(zero)          # t0 + 17
        vloadv v2, 0(zero)          # t0 + 18
        csrr a1, mhpmcounter7       # t0 + 19
        ecall
        """
        + data("ddr"),
        config=small,
    )
    assert state.x[10] == 0 and state.x[11] == 128
    assert not state.v[1].any()
    assert state.v[2].tolist() == PATTERN[:32]


def test_length_sets_the_latency(run_asm, small):
    for count in (64, 640, 4096):
        latency = 10 + 4 * count // 64
        state = run_asm(
            program("mm2s", 0, 0, count)
            + "\n".join(["nop"] * (latency - 2))
            + "\ncsrr a0, dma_mm2s_status\ncsrr a1, dma_mm2s_status\necall",
            config=small,
        )
        assert (state.x[10], state.x[11]) == (DMA_TRANSFERRING, DMA_IDLE | DMA_OK), count


@pytest.mark.parametrize(
    ("channel", "src", "dst", "count", "error"),
    [
        ("mm2s", 32, 0, 64, DMA_ERR_INTERNAL),  # misaligned source
        ("mm2s", 0, 65, 64, DMA_ERR_INTERNAL),  # misaligned destination
        ("s2mm", 0, 0, 100, DMA_ERR_INTERNAL),  # count not a multiple of 64
        ("s2mm", 0, 0, 0, DMA_ERR_INTERNAL),
        ("mm2s", 0, 0, 1 << 19, DMA_ERR_INTERNAL),  # >= 2^19 - 1
        ("mm2s", 32, 1 << 30, 64, DMA_ERR_INTERNAL),  # internal checked before decode
        ("mm2s", 16384 - 64, 0, 128, DMA_ERR_DECODE),  # beyond DDR (16 KiB)
        ("mm2s", 0, 8192 - 64, 128, DMA_ERR_DECODE),  # beyond vmem (8 KiB)
        ("s2mm", 8192, 0, 64, DMA_ERR_DECODE),  # beyond vmem
        ("s2mm", 0, 16384, 64, DMA_ERR_DECODE),  # beyond DDR
        ("mm2s", 0xFFFFFFC0, 0, 64, DMA_ERR_DECODE),  # no wrap around 2^32
    ],
)
def test_errors_end_the_command_at_once(run_asm, small, channel, src, dst, count, error):
    state = run_asm(
        program(channel, src, dst, count) + status_samples(channel, 2) + "\necall\n" + data("ddr"),
        config=small,
    )
    assert sampled(state, 2) == [DMA_IDLE | error] * 2
    assert state.counters["dma_bytes"] == 0
    assert not state.memories["vmem"].any()


def test_largest_ranges_are_accepted(run_asm, small):
    state = run_asm(
        program("mm2s", 16384 - 8192, 0, 8192)
        + "\n".join(["nop"] * 600)
        + "\ncsrr a0, dma_mm2s_status\necall",
        config=small,
    )
    assert state.x[10] == DMA_IDLE | DMA_OK


def test_error_clears_ok_and_ok_clears_error(run_asm, small):
    state = run_asm(
        program("mm2s", 0, 0, 64)
        + "\n".join(["nop"] * 20)
        + "\ncsrr a0, dma_mm2s_status\n"
        + program("mm2s", 0, 0, 0)
        + "csrr a1, dma_mm2s_status\n"
        + program("mm2s", 0, 0, 64)
        + "csrr a2, dma_mm2s_status\n"  # in flight: still shows the last outcome
        + "\n".join(["nop"] * 20)
        + "\ncsrr a3, dma_mm2s_status\necall",
        config=small,
    )
    assert [state.x[r] for r in (10, 11, 12, 13)] == [
        DMA_IDLE | DMA_OK,
        DMA_IDLE | DMA_ERR_INTERNAL,
        DMA_STARTING | DMA_ERR_INTERNAL,
        DMA_IDLE | DMA_OK,
    ]


def test_start_while_busy_is_ignored_and_registers_are_captured(run_asm, small):
    state = run_asm(
        program("mm2s", 0, 0, 128)  # transfer A: DDR 0..127 -> vmem 0
        + """
        li t0, 128
        csrw dma_mm2s_src, t0        # new registers while A is in flight
        csrw dma_mm2s_dst, t0
        csrwi dma_mm2s_control, 1    # busy: ignored
        csrr a0, dma_mm2s_src        # reads what was written
        """
        + "\n".join(["nop"] * 20)
        + """
        csrr a1, mhpmcounter7        # only A moved
        csrwi dma_mm2s_control, 1    # B: DDR 128 -> vmem 128, 128 bytes
        """
        + "\n".join(["nop"] * 20)
        + "\ncsrr a2, mhpmcounter7\necall\n"
        + data("ddr"),
        config=small,
    )
    assert (state.x[10], state.x[11], state.x[12]) == (128, 128, 256)
    vmem = state.memories["vmem"].view("<i2")
    assert vmem[:128].tolist() == PATTERN[:128]


def test_both_channels_at_once(run_asm, small):
    state = run_asm(
        program("mm2s", 0, 1024, 256)  # L = 26, started at t0
        + program("s2mm", 0, 4096, 64)  # L = 14, started at t1 = t0 + 8
        + status_samples("mm2s", 1)  # t1 + 1 = t0 + 9
        + "\n"
        + "\n".join(["nop"] * 12)
        + """
        csrr a4, dma_s2mm_status     # t1 + 14: done
        csrr a5, dma_mm2s_status     # t0 + 23: still transferring
        nop
        nop
        csrr a6, dma_mm2s_status     # t0 + 26: done
        ecall
        """
        + data("ddr")
        + ".section .vmem\n.half 1, 2, 3\n",
        config=small,
    )
    assert sampled(state, 1) == [DMA_STARTING]  # t0 + 9
    assert (state.x[14], state.x[15], state.x[16]) == (
        DMA_IDLE | DMA_OK,
        DMA_TRANSFERRING,
        DMA_IDLE | DMA_OK,
    )
    assert state.memories["vmem"][1024:1280].view("<i2").tolist() == PATTERN[:128]
    assert state.memories["ddr"][4096:4102].view("<i2").tolist() == [1, 2, 3]
    assert state.counters["dma_bytes"] == 320


def test_compute_overlaps_a_transfer(run_asm, small):
    state = run_asm(
        program("mm2s", 0, 0, 4096)  # L = 266
        + """
            li a0, 50
            li a1, 0
        loop:
            add a1, a1, a0          # sum 50 + 49 + ... + 1 while the DMA runs
            addi a0, a0, -1
            bnez a0, loop
        wait:
            csrr t1, dma_mm2s_status
            andi t1, t1, 2
            beqz t1, wait
            csrr a2, mcycle
            vloadv v1, 0(zero)
            nop
            ecall
        """
        + data("ddr"),
        config=small,
    )
    assert state.x[11] == 1275
    start = state.x[27] + 1
    # the first status read at or after t0 + 266 sees idle; mcycle is read 3 cycles later
    assert start + 266 + 3 <= state.x[12] <= start + 266 + 5
    assert state.v[1].tolist() == PATTERN[:32]


def test_run_end_and_resume_with_a_transfer_in_flight(build, small):
    state = iss.run(build(program("mm2s", 0, 0, 64) + "ecall\n" + data("ddr"), small), config=small)
    assert state.csrs["dma_mm2s_status"] == DMA_STARTING  # ecall right after the start
    assert state.counters["dma_bytes"] == 0

    # a loop of two instructions: the spin `j .` alone would end the run (docs/isa.md)
    loop = program("mm2s", 0, 0, 64) + "wait: nop\nj wait\n" + data("ddr")
    machine = iss.Iss(build(loop, small), small)
    start = int(machine.run(max_cycles=1000).x[27]) + 1
    # a stop at t0 + L - 1: in flight; resumed to t0 + L: done, as the next cycle would see it
    machine.reset(reload_memories=True)  # reset() alone keeps the moved data
    state = machine.run(max_cycles=start + 13)
    assert (state.exit, state.cycles) == ("limit", start + 13)
    assert state.csrs["dma_mm2s_status"] == DMA_TRANSFERRING
    assert not np.any(state.memories["vmem"])
    state = machine.run(max_cycles=start + 14)
    assert state.csrs["dma_mm2s_status"] == DMA_IDLE | DMA_OK
    assert state.memories["vmem"][:64].view("<i2").tolist() == PATTERN[:32]
    machine.reset(reload_memories=True)
    assert not machine.memories["vmem"].any()
