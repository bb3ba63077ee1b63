"""Speed of the SoC RTL under Verilator + cocotb, side by side with the ISS on the same program.

A long vector-heavy loop (vector loads and stores, saturating adds, rounded and stochastic
multiplies, the RNG, lane-local gathers, scalar bookkeeping) runs on the RTL once with many
iterations and once with few; the difference of the two runs removes the simulator's start-up
(process start, Python in the simulator, loading and dumping the memories), so the rate printed is
simulated SoC cycles per wall-clock second while the SoC runs. The ISS runs the same image (compiled
first, best of three). Prints both rates and their ratio.

    .venv/bin/python benchmarks/rtl_speed.py [--iterations 200000]
"""

from __future__ import annotations

import argparse
import time

from record import write_record

from riscv_soc import iss, rtl
from riscv_soc.difftest import CONFIG
from riscv_soc.isa.asm import assemble

PROGRAM = """
        vloadr0 0(zero)
        vloadr1 64(zero)
        li t0, 1024
        vloadv v1, 0(t0)
        vloadv v2, 64(t0)
        vloadv v8, 128(t0)
        li a0, {iterations}
    loop:
        vadd_s v3, v1, v2
        vmul_rn v4, v3, v2, 7
        vmul_rs v5, v4, v1, 3
        vsrai_rn v6, v5, 2
        vloadl v7, 0(v8)
        vstorev v6, 192(t0)
        vtge a1, v6, v3
        vsel v1, a1, v4
        vrng v2
        vloadv v9, 192(t0)
        addi a0, a0, -1
        bnez a0, loop
        ecall
    .section .vmem
        .space 1024, 0x5a
        .space 128, 0x21
        .half 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30
        .half 32, 34, 36, 38, 40, 42, 44, 46, 48, 50, 52, 54, 56, 58, 60, 62
"""


def image(iterations: int):
    return assemble(PROGRAM.format(iterations=iterations), "rtl_speed", CONFIG)


def timed_rtl(iterations: int) -> tuple[int, float]:
    start = time.perf_counter()
    state = rtl.run(image(iterations), 1 << 40, CONFIG)
    assert state.exit == "ecall", state.exit
    return state.cycles, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=200_000)
    args = parser.parse_args()

    rtl.build(CONFIG)  # build (or reuse) before timing anything
    short_cycles, short_s = timed_rtl(10)
    long_cycles, long_s = timed_rtl(args.iterations)
    rtl_rate = (long_cycles - short_cycles) / (long_s - short_s)

    img = image(args.iterations)
    iss.run(image(10), 1 << 40, CONFIG)  # compile
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        state = iss.run(img, 1 << 40, CONFIG)
        best = min(best, time.perf_counter() - start)
    iss_rate = state.instret / best

    print(f"program: {state.instret} instructions, {state.cycles} cycles")
    print(
        f"RTL (Verilator + cocotb): {rtl_rate / 1e6:.3f} M cycles/s while running "
        f"({long_cycles / long_s / 1e6:.3f} M/s with start-up: {short_s:.1f} s fixed)"
    )
    print(f"ISS (Numba):              {iss_rate / 1e6:.3f} M instructions/s")
    print(f"ISS / RTL:                {iss_rate / rtl_rate:.0f}x")
    result = {
        "instructions": state.instret,
        "cycles": state.cycles,
        "rtl_mcycles_per_s": rtl_rate / 1e6,
        "rtl_startup_s": short_s,
        "iss_mips": iss_rate / 1e6,
        "iss_over_rtl": iss_rate / rtl_rate,
    }
    print(f"record: {write_record('rtl_speed', result)}")


if __name__ == "__main__":
    main()
