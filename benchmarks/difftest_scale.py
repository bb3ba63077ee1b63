"""How many generated instructions the lock-step difftest covers per second, with and without DDR
stalls, sharded over Ray workers; and the time 10 M generated instructions would take at that rate.

    python benchmarks/difftest_scale.py --programs 400 --length 1000 --workers 2
    python benchmarks/difftest_scale.py --programs 100 --length 1000 --serial
    python benchmarks/difftest_scale.py --programs 9200 --stalls off --name difftest_10m

Runs `riscv_soc.difftest.run` once plain and once with `ddr_stalls` (alternately, `--pairs` times:
the machine is shared, so the two see the same load), and records programs, generated and retired
instructions, mismatches, DMA transfers (late ones under stalls), wall time, the rate and the load
average around each run as benchmarks/results/difftest_scale.json. The extrapolation is the
measured rate, not a claim: a loaded machine gives a lower one. `--serial` runs in this process
and also records the CPU seconds it and its simulator processes used (difftest_scale_serial.json):
generated instructions per CPU second do not depend on what else loads the machine.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time

from record import write_record

from riscv_soc import difftest

GOAL = 10_000_000  # generated instructions in lock-step (issue 14)
MODES = {"off": (False,), "on": (True,), "both": (False, True)}  # --stalls: the runs of a pair


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children (the simulators)."""
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return sum(u.ru_utime + u.ru_stime for u in usage)


def measure(seed: int, programs: int, length: int, workers: int, stalls: bool) -> dict:
    load_before = os.getloadavg()[0]
    start, cpu = time.perf_counter(), cpu_seconds()
    with tempfile.TemporaryDirectory() as out:
        summary = difftest.run(seed, programs, length, out, workers=workers, ddr_stalls=stalls)
    wall, cpu = time.perf_counter() - start, cpu_seconds() - cpu
    rate = summary.generated / wall
    serial = {"cpu_s": round(cpu, 1), "generated_per_cpu_s": round(summary.generated / cpu)}
    return {
        "ddr_stalls": stalls,
        "programs": summary.programs,
        "generated": summary.generated,
        "retired": summary.instructions,
        "mismatches": summary.mismatches,
        "exits": summary.exits,
        "dma_transfers": summary.dma_transfers,
        "dma_late": summary.dma_late,
        "wall_s": round(wall, 1),
        "generated_per_s": round(rate),
        "minutes_for_10M_generated": round(GOAL / rate / 60, 1),
        "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        **(serial if workers == 1 else {}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--programs", type=int, default=400)
    parser.add_argument("--length", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pairs", type=int, default=1)
    parser.add_argument("--serial", action="store_true", help="one process, CPU time recorded")
    parser.add_argument("--stalls", choices=sorted(MODES), default="both", help="DDR stall modes")
    parser.add_argument("--name", help="record name (default: difftest_scale[_serial])")
    args = parser.parse_args()
    if args.serial:
        args.workers = 1
    runs = []
    for _ in range(args.pairs):
        for stalls in MODES[args.stalls]:
            runs.append(measure(args.seed, args.programs, args.length, args.workers, stalls))
            print(runs[-1], flush=True)
    keys = ("seed", "programs", "length", "workers", "pairs", "stalls")
    settings = {k: getattr(args, k) for k in keys}
    name = args.name or ("difftest_scale_serial" if args.serial else "difftest_scale")
    path = write_record(name, {"settings": settings, "runs": runs})
    print(f"recorded {path}")


if __name__ == "__main__":
    main()
