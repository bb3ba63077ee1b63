"""Where the lock-step difftest's time goes: CPU seconds per phase for one block of programs.

    python benchmarks/difftest_phases.py --programs 60 --length 500

The phases of `riscv_soc.difftest.runner` done one after another over the whole block: generate
the sources, assemble them, draw each program's conditions (the cycle limits run the ISS), run them
on the RTL in one simulator process with commit traces (the simulator's CPU counted as a child),
run them traced on the ISS, and compare traces and states. CPU time (this process and its finished
children) does not depend on what else loads the machine. Recorded as
benchmarks/results/difftest_phases.json.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from difftest_scale import cpu_seconds
from record import write_record

from riscv_soc import commit, iss, rtl
from riscv_soc.difftest import CONFIG, conditions, generate
from riscv_soc.difftest.runner import MAX_CYCLES
from riscv_soc.machine import diff_states


def timed(phases: dict[str, float], name: str, work: Callable):
    start = cpu_seconds()
    result = work()
    phases[name] = round(cpu_seconds() - start, 2)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--programs", type=int, default=60)
    parser.add_argument("--length", type=int, default=500)
    args = parser.parse_args()
    warm = generate(0, 0, 50, CONFIG).image(CONFIG)
    iss.run_traced(warm, MAX_CYCLES, CONFIG)  # load the compiled kernels before timing
    rtl.build(CONFIG)
    indices = range(args.programs)
    phases: dict[str, float] = {}
    programs = timed(
        phases, "generate", lambda: [generate(args.seed, i, args.length, CONFIG) for i in indices]
    )
    images = timed(phases, "assemble", lambda: [p.image(CONFIG) for p in programs])
    runs_as = timed(
        phases,
        "conditions",
        lambda: [conditions.draw(args.seed, i, images[i], CONFIG, MAX_CYCLES) for i in indices],
    )
    limits = [c.max_cycles for c in runs_as]
    on_rtl = timed(
        phases, "rtl_traced", lambda: rtl.run_programs(images, limits, CONFIG, traced=True)
    )
    on_iss = timed(
        phases,
        "iss_traced",
        lambda: [iss.run_traced(im, n, CONFIG) for im, n in zip(images, limits, strict=True)],
    )
    diffs = timed(
        phases,
        "compare",
        lambda: [
            (commit.first_divergence(t, r.trace), diff_states(s, r.state))
            for (s, t), r in zip(on_iss, on_rtl, strict=True)
        ],
    )
    generated = sum(len(s.data) for im in images for s in im.sections if s.memory == "imem") // 4
    total = sum(phases.values())
    result = {
        "settings": vars(args),
        "generated": generated,
        "retired": sum(r.state.instret for r in on_rtl),
        "mismatches": sum(1 for d, s in diffs if d is not None or s),
        "cpu_s": phases,
        "share": {name: round(t / total, 3) for name, t in phases.items()},
        "generated_per_cpu_s": round(generated / total),
    }
    print(result)
    print(f"recorded {write_record('difftest_phases', result)}")


if __name__ == "__main__":
    main()
