"""Differential testing of the RTL against the ISS on constrained-random programs.

summary = run(seed=1, programs=200, length=500)   # saves each mismatching program
iss_state, rtl_state, diffs = replay("difftest_failures/seed1_p7.json")
for iss_state, rtl_state, diffs in compare([image_a, image_b]): ...   # lock-step by default
"""

from riscv_soc.difftest.generator import Program, generate
from riscv_soc.difftest.runner import CONFIG, Summary, compare, replay, run

__all__ = ["CONFIG", "Program", "Summary", "compare", "generate", "replay", "run"]
