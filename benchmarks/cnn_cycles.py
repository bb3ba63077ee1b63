"""Cycles per inference of a NIR CNN (tests/naive/nir_cnn.py: Conv2d, IF, SumPool2d, Conv2d, IF,
Flatten, Affine, LIF) imported through riscv_soc.nir, with its convolutions in dense rows, in
sparse (ELL) rows, and as the quantiser's cycle model chooses (auto): the measurement behind the
layout rule. Each run also checks core == ISS (and, with --rtl N, == RTL on N samples).

    .venv/bin/python benchmarks/cnn_cycles.py [--size 34 --channels 2 --samples 4 --rtl 1]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from naive.nir_cnn import DT, cnn_graph
from record import write_record

from riscv_soc import core, runtime
from riscv_soc.compiler import compile_bundle
from riscv_soc.errors import SnnsocError
from riscv_soc.firmware.export import firmware_of
from riscv_soc.nir import from_graph
from riscv_soc.quant import QuantConfig, quantise

STEPS, RATE, SEED = 8, 0.05, 3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=34, help="input height and width")
    parser.add_argument("--channels", type=int, default=2, help="input channels")
    parser.add_argument("--samples", type=int, default=4)
    parser.add_argument("--rtl", type=int, default=0, help="also run N samples on the RTL")
    args = parser.parse_args()
    net = from_graph(cnn_graph(size=args.size, channels=args.channels), dt=DT, num_steps=STEPS)
    shape = (args.samples, STEPS, net.n_inputs)
    spikes = (np.random.default_rng(0).random(shape) < RATE).astype(np.uint8)
    print(f"CNN {[(p.name, p.n) for p in net.populations]}, {args.samples} samples, {STEPS} steps")
    print(f"{'layout':8} {'projections':28} {'ISS cycles/inference':>21}")
    result = {
        "populations": {p.name: p.n for p in net.populations},
        "samples": args.samples,
        "steps": STEPS,
        "iss_cycles_per_inference": {},
    }
    for layout in ("auto", "dense", "sparse"):
        bundle = quantise(net, QuantConfig(weight_bits=8, layout=layout))
        layouts = ",".join(p.layout for p in bundle.projections)
        try:
            fw = firmware_of(compile_bundle(bundle))
        except SnnsocError as err:
            print(f"{layout:8} {layouts:28} does not compile: {err}")
            continue
        on_iss = runtime.run(fw, spikes, seed=SEED, backend="iss")
        golden = core.run(bundle, spikes, seed=SEED)
        assert core.diff_results(golden, on_iss, activity=False) == [], layout
        cycles = float(on_iss.activity["cycles"].mean())
        result["iss_cycles_per_inference"][layout] = {"projections": layouts, "cycles": cycles}
        print(f"{layout:8} {layouts:28} {cycles:>21,.0f}")
        if layout == "auto" and args.rtl:
            n = args.rtl
            on_rtl = runtime.run(fw, spikes[:n], seed=SEED, backend="rtl")
            golden = core.run(bundle, spikes[:n], seed=SEED)
            assert core.diff_results(golden, on_rtl, activity=False) == []
            iss_n = runtime.run(fw, spikes[:n], seed=SEED, backend="iss")
            assert core.diff_results(iss_n, on_rtl) == []
            for name, run in (("ISS", iss_n), ("RTL", on_rtl)):
                cycles = run.activity["cycles"].mean()
                print(f"{name:8} {layouts:28} {cycles:>21,.0f}  (the first {n} samples)")
            result["rtl"] = {
                "samples": n,
                "cycles": float(on_rtl.activity["cycles"].mean()),
                "equal_to_core_and_iss": True,
            }
            print("core == ISS == RTL on those samples, ISS and RTL counters equal")
    print(f"record: {write_record('cnn_cycles', result)}")


if __name__ == "__main__":
    main()
