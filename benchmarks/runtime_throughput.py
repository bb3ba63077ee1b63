"""Samples per second of the runtime on the ISS, and where the time of a sample goes.

One compiled network (by default a coloured-digits-sized student: 192 inputs, 128 LIF, 10 LI,
25 steps, stochastic rounding; or `--bundle` with `--data`) runs the same samples three ways in
this process, side by side:

- serial: `riscv_soc.runtime.run(fw, spikes)`, one ISS, sample after sample;
- ISS alone: the same samples through a bare `riscv_soc.iss.Iss` (reset, write the inputs, run),
  timing only `Iss.run`: the floor the runtime's per-sample work (patches, output capture and
  decoding, checks) adds to;
- workers: `run(..., workers=N)`, contiguous chunks on N forked processes (checked equal to the
  serial result);
- batched: `run(..., batch=B)`, B samples per run of the SoC through DDR (riscv_soc.compiler.batch),
  on the ISS (wall, against the serial run's wall) and on the RTL (per-sample against batched on
  the first `--rtl-samples` samples, both checked equal to the ISS's serial result). The RTL's
  effective rate is the samples' inference cycles (their `cycles` counters) over the wall time of
  the whole `run` call, simulator start-up, memory loading and result decoding included; the
  cycles the batch loop adds around each inference (DMA and copies, measured on the ISS) are not
  counted, so both runs divide the same work.

Serial, ISS-alone and batched figures are process CPU time (steadier than wall time on a shared
machine), each also the workers' and batched runs' wall time against the serial run's wall time;
compare within one run. The firmware is compiled for the pipeline's SoC (1 MiB of DDR,
`firmware.ddr_mib`), whose RTL build the pipeline and the RTL tests share.

    .venv/bin/python benchmarks/runtime_throughput.py [--samples 2000] [--workers 2]
        [--bundle student.npz --data colour_digits] [--rtl-samples 1000] [--batch 0]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from record import write_record

from riscv_soc import core, runtime
from riscv_soc.compiler import compile_bundle
from riscv_soc.core.seeds import sample_seeds
from riscv_soc.core.simulate import pack_spikes
from riscv_soc.difftest import CONFIG
from riscv_soc.firmware.export import firmware_of
from riscv_soc.iss import Iss
from riscv_soc.quant import FloatNetwork, FloatPopulation, FloatProjection, QuantConfig, quantise
from riscv_soc.quant.bundle import load_bundle
from riscv_soc.runtime.batched import batch_firmware, batch_patches, layout_of
from riscv_soc.runtime.io import SampleIO

RATE = 0.2  # input spikes per input and step, synthetic data


def student(seed: int = 0):
    rng = np.random.default_rng(seed)
    net = FloatNetwork(
        192,
        [
            FloatPopulation("hidden", "lif", 128, beta=0.9, threshold=1.0),
            FloatPopulation("readout", "li", 10, beta=0.9, reset="none"),
        ],
        [
            FloatProjection("in_hidden", "input", "hidden", rng.normal(0, 0.25, (192, 128))),
            FloatProjection("hidden_readout", "hidden", "readout", rng.normal(0, 0.3, (128, 10))),
        ],
        output="readout",
        num_steps=25,
        readout="mean",
    )
    return quantise(net, QuantConfig(rounding="sr"))


def iss_alone(fw, spikes: np.ndarray) -> float:
    """CPU seconds spent in Iss.run for the samples (inputs written as the runtime writes them)."""
    io = SampleIO(fw.manifest)
    words, seeds = pack_spikes(spikes), sample_seeds(0, np.arange(len(spikes)))
    machine = Iss(fw.image, fw.config)
    spent = 0.0
    for s in range(len(spikes)):
        machine.reset()
        for memory, address, data in io.patches(words[s], seeds[s]):
            machine.memories[memory][address : address + len(data)] = np.frombuffer(data, np.uint8)
        started = time.process_time()
        machine.run(1 << 40, memories=())
        spent += time.process_time() - started
    return spent


def batch_overhead(fw, spikes: np.ndarray) -> float:
    """Cycles per sample that a batched ISS run spends outside the inference windows."""
    bfw = batch_firmware(fw)
    layout = layout_of(bfw, SampleIO(bfw.manifest))
    machine = Iss(bfw.image, bfw.config)
    patches = batch_patches(layout, pack_spikes(spikes), sample_seeds(0, np.arange(len(spikes))))
    for memory, address, data in patches:
        machine.memories[memory][address : address + len(data)] = np.frombuffer(data, np.uint8)
    total = machine.run(1 << 50, memories=()).cycles
    inference = runtime.run(fw, spikes).activity["cycles"].sum()
    return (total - inference) / len(spikes)


def rtl_side_by_side(fw, spikes: np.ndarray, batch: int, reference) -> dict:
    """Per-sample against batched RTL runs of the same samples: wall time, effective rate."""
    out = {"samples": len(spikes), "batch": batch}
    cycles = int(reference.activity["cycles"].sum())
    out["inference_cycles"] = cycles
    for name, size in (("per_sample", 0), ("batched", batch)):
        result, wall, _ = timed(
            lambda size=size: runtime.run(fw, spikes, backend="rtl", batch=size)
        )
        assert core.diff_results(reference, result, activity=True) == [], name
        out[name] = {
            "wall_s": wall,
            "effective_mcycles_per_s": cycles / wall / 1e6,
            "samples_per_s": len(spikes) / wall,
        }
        print(
            f"RTL {name:<10} {len(spikes)} samples in {wall:7.1f} s: "
            f"{cycles / wall / 1e6:6.3f} M effective cycles/s"
        )
    out["batched_over_per_sample"] = out["per_sample"]["wall_s"] / out["batched"]["wall_s"]
    print(f"RTL batched / per-sample: {out['batched_over_per_sample']:.1f}x; results identical")
    return out


def timed(fn):
    """(result, wall seconds, CPU seconds of this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--bundle", help="quantised bundle (default: the synthetic student)")
    parser.add_argument("--data", default="colour_digits", help="its data set (test split)")
    parser.add_argument("--rtl-samples", type=int, default=1000, help="RTL samples (0: none)")
    parser.add_argument("--batch", type=int, default=0, help="samples per SoC run (0: DDR's most)")
    args = parser.parse_args()

    if args.bundle:
        from riscv_soc.cli.run import load_data

        bundle = load_bundle(args.bundle)
        spikes = load_data(args.data, bundle, 0, args.samples)[0]
        what = f"{args.bundle} on {args.data}"
    else:
        bundle = student()
        rng = np.random.default_rng(1)
        shape = (args.samples, bundle.num_steps, bundle.n_inputs)
        spikes = (rng.random(shape) < RATE).astype(np.uint8)
        what = f"synthetic student, inputs at rate {RATE}"
    sizes = "-".join(str(n) for n in (bundle.n_inputs, *(p.n for p in bundle.populations)))
    fw = firmware_of(compile_bundle(bundle, None, CONFIG))
    batch = args.batch or runtime.batch_capacity(fw)
    runtime.run(fw, spikes[:2])  # load the compiled ISS kernel
    n = len(spikes)
    print(f"{sizes}, {bundle.num_steps} steps ({what}), {n} samples")

    serial, wall, cpu = timed(lambda: runtime.run(fw, spikes))
    iss_cpu = iss_alone(fw, spikes)
    pooled, pooled_wall, _ = timed(lambda: runtime.run(fw, spikes, workers=args.workers))
    assert core.diff_results(serial, pooled) == []
    batched, batched_wall, batched_cpu = timed(lambda: runtime.run(fw, spikes, batch=batch))
    assert core.diff_results(serial, batched, activity=True) == []
    cycles = serial.activity["cycles"].mean()
    print(f"cycles per sample: {cycles:.0f}; ISS {cycles * n / iss_cpu / 1e6:.1f} M cycles/s")
    print(f"{'':<40}{'samples/s':>10}{'ms/sample':>11}{'vs serial':>10}")
    result = {"network": sizes, "samples": n, "cycles_per_sample": float(cycles), "rows": []}
    for name, seconds, peer in (
        ("runtime.run, serial (CPU time)", cpu, cpu),
        ("Iss.run alone, the floor (CPU time)", iss_cpu, cpu),
        ("runtime.run, serial (wall)", wall, wall),
        (f"runtime.run, workers={args.workers} (wall)", pooled_wall, wall),
        (f"runtime.run, batch={batch} (CPU time)", batched_cpu, cpu),
        (f"runtime.run, batch={batch} (wall)", batched_wall, wall),
    ):
        print(f"{name:<40}{n / seconds:10.0f}{seconds / n * 1e3:11.3f}{peer / seconds:10.2f}")
        result["rows"].append(
            {"what": name, "samples_per_s": n / seconds, "over_serial": peer / seconds}
        )
    extra = cpu - iss_cpu
    print(
        f"runtime work per sample beyond Iss.run: {extra / n * 1e3:.3f} ms CPU "
        f"({extra / cpu:.0%} of the serial run); workers' and batched results identical"
    )
    result["batch"] = batch
    result["batch_overhead_cycles_per_sample"] = batch_overhead(fw, spikes[:batch])
    print(
        f"batch loop: {result['batch_overhead_cycles_per_sample']:.0f} cycles per sample "
        "outside the inference (DMA, copies)"
    )
    if args.rtl_samples:
        rtl_spikes = spikes[: args.rtl_samples]
        reference = runtime.run(fw, rtl_spikes)
        result["rtl"] = rtl_side_by_side(fw, rtl_spikes, batch, reference)
    print(f"record: {write_record('runtime_throughput', result)}")


if __name__ == "__main__":
    main()
