"""Speed of the Numba ISS, side by side with the pure-Python reference interpreter (tests/naive).

Two programs: a scalar loop (LCG, xor, shift, branch) and a vector-heavy loop (vector loads and
stores, saturating adds, rounded multiplies, the RNG). Each runs on the ISS for millions of
instructions (compiled first, best of three) and on the reference for fewer, in the same process.
Prints instructions per second and the ratio; FeNN's own C++ simulator reaches about 60 MIPS.
Times are process CPU time (`time.process_time`), which a busy shared machine disturbs less than
wall-clock time.

    .venv/bin/python benchmarks/iss_speed.py [--iterations 2000000] [--reference-iterations 4000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from naive import ref_iss
from record import write_record

from riscv_soc import iss
from riscv_soc.isa.asm import assemble
from riscv_soc.soc import SocConfig

CONFIG = SocConfig(ddr_bytes=1 << 16)  # the reference copies every memory: keep DDR small

SCALAR = """
        li a0, {iterations}
        li a1, 12345
        li a2, 1103515245
    loop:
        mul a1, a1, a2          # LCG step
        addi a1, a1, 1234
        srli a3, a1, 7
        xor a1, a1, a3
        slli a4, a3, 3
        and a5, a4, a1
        addi a0, a0, -1
        bnez a0, loop
        ecall
"""

VECTOR = """
        vloadr0 0(zero)
        vloadr1 64(zero)
        li a0, {iterations}
        li t0, 128
    loop:
        vloadv v1, 0(t0)
        vrng v2
        vmul_rn v3, v1, v2, 15
        vadd_s v4, v4, v3
        vsrai_rn v5, v4, 2
        vtlt a1, v5, v1
        vsel v4, a1, v5
        vstorev v4, 64(t0)
        addi a0, a0, -1
        bnez a0, loop
        ecall
    .section .vmem
        .half {seeds}
"""


def program(template: str, iterations: int):
    seeds = ", ".join(str(1 + 7919 * i % 30000) for i in range(96))
    return assemble(template.format(iterations=iterations, seeds=seeds), config=CONFIG)


def iss_rate(template: str, iterations: int) -> tuple[int, float]:
    machine = iss.Iss(program(template, iterations), CONFIG)
    machine.run(memories=())  # compiles (or loads the cache) and warms up
    best = float("inf")
    for _ in range(3):
        machine.reset()
        start = time.process_time()
        state = machine.run(memories=())
        best = min(best, time.process_time() - start)
    assert state.exit == "ecall", state.exit
    return state.instret, best


def reference_rate(template: str, iterations: int) -> tuple[int, float]:
    image = program(template, iterations)
    start = time.process_time()
    state = ref_iss.run(image, 1 << 40, CONFIG)
    seconds = time.process_time() - start
    assert state.exit == "ecall", state.exit
    return state.instret, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=1_250_000)
    parser.add_argument("--reference-iterations", type=int, default=2_500)
    args = parser.parse_args()
    print(f"{'program':8} {'simulator':10} {'instructions':>13} {'seconds':>9} {'MIPS':>9}")
    result = {}
    for name, template in (("scalar", SCALAR), ("vector", VECTOR)):
        ours = iss_rate(template, args.iterations)
        ref = reference_rate(template, args.reference_iterations)
        rates = []
        for label, (instructions, seconds) in (("iss", ours), ("reference", ref)):
            rates.append(instructions / seconds)
            mips = rates[-1] / 1e6
            print(f"{name:8} {label:10} {instructions:13,d} {seconds:9.3f} {mips:9.3f}")
        print(f"{name:8} {'ratio':10} {'':13} {'':9} {rates[0] / rates[1]:8.0f}x")
        result[name] = {
            "iss_mips": rates[0] / 1e6,
            "reference_mips": rates[1] / 1e6,
            "iss_over_reference": rates[0] / rates[1],
        }
    print(f"record: {write_record('iss_speed', result)}")


if __name__ == "__main__":
    main()
