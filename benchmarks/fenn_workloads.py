"""FeNN-DMA's own workloads on our core and ISS, beside FeNN-DMA's numbers.

The balanced random network (its scaling figure), beside FeNN-DMA's board numbers: spikes,
neuron-update and event-processing cycles (from the per-phase counters, split as FeNN-DMA splits
them), their ratios, the latency at 175 MHz and the host wall time of the
ISS and of the core for the 1,000 steps (the core's CPU time beside it: its wall time on an idle
core). Then the SHD and N-MNIST classifiers (random weights of the trained shapes, Poisson
input), every hidden spike recorded and compared: cycles and latency per inference (SHD: against
FeNN's 12.6 ms), and for SHD the cycles of each phase (per-phase counters, profile=True) with
delay windows (the default) and with modulo delay rings (ring_window=False), side by side on the
same samples. Every ISS run is checked bit-exact against the core.

    .venv/bin/python benchmarks/fenn_workloads.py [--exc 256 1024 4096 12800]
        [--rows dense sparse] [--samples 50]

Writes benchmarks/results/fenn_workloads.json (record.py) and fenn_workloads.png beside it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from record import RESULTS, write_record

from riscv_soc.workloads import nmnist, shd, va

SIZES = (256, 1024, 4096, 12800)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exc", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--rows", nargs="+", default=list(va.ROWS), choices=va.ROWS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--samples", type=int, default=50, help="SHD and N-MNIST samples")
    args = parser.parse_args()
    runs = []
    va.run(32, "sparse", "core", steps=2)  # compiles the core's kernels before anything is timed
    print(_header())
    for n_exc in args.exc:
        for rows in args.rows:
            run = va.run(n_exc, rows, "iss", args.seed)
            runs.append(run)
            print(_line(run, va.board_run(n_exc, rows)), flush=True)
    weights, spikes = shd.random_weights(args.seed), shd.input_spikes(args.samples, args.seed)
    shd_run = shd.run(weights, spikes)
    print(
        f"\nSHD classifier: {_classifier(shd_run)} "
        f"(FeNN {shd.FENN_LATENCY_S * 1e3} ms: "
        f"{shd_run.latency_ms / (shd.FENN_LATENCY_S * 1e3):.2f}x; hidden spikes recorded)"
    )
    shd_phases = {
        name: shd.run(weights, spikes, profile=True, ring_window=window)
        for name, window in (("window", True), ("modulo", False))
    }
    print(_phase_table(shd_phases))
    nm_run = nmnist.run(
        nmnist.random_weights(args.seed), nmnist.input_spikes(args.samples, args.seed)
    )
    print(f"N-MNIST classifier: {_classifier(nm_run)} (hidden spikes recorded)")
    everything = [*runs, shd_run, *shd_phases.values(), nm_run]
    bad = [r for r in everything if r.differences]
    print(f"ISS bit-exact with the core on {len(everything) - len(bad)} of {len(everything)} runs")
    record = {
        "va": [r.to_json() for r in runs],
        "fenn_dma_va": [b.__dict__ for b in va.FENN_DMA],
        "shd": shd_run.to_json(),
        "nmnist": nm_run.to_json(),
        "shd_phases": {k: r.to_json() for k, r in shd_phases.items()},
    }
    write_record("fenn_workloads", record)
    _plot(runs, RESULTS / "fenn_workloads.png")
    if bad:
        sys.exit(1)


def _classifier(r) -> str:
    return (
        f"{r.samples} samples, {r.cycles_mean:,.0f} cycles = {r.latency_ms:.2f} ms per "
        f"inference at 175 MHz, {r.hidden_spikes_mean:,.0f} hidden spikes per sample"
    )


def _phase_table(runs: dict) -> str:
    """SHD cycles per inference by phase (profile=True), one column per delay-ring layout."""
    names = list(runs)
    lines = [
        f"SHD cycles per inference by phase (profile=True; {runs[names[0]].samples} samples)",
        f"{'phase':18}" + "".join(f"{n:>14}" for n in names),
    ]
    rows = {phase: [runs[n].phases[phase] for n in names] for phase in runs[names[0]].phases}
    rows["total"] = [runs[n].cycles_mean for n in names]
    lines += [f"{k:18}" + "".join(f"{x:>14,.0f}" for x in v) for k, v in rows.items()]
    lines.append(f"{'ms at 175 MHz':18}" + "".join(f"{runs[n].latency_ms:>14.2f}" for n in names))
    return "\n".join(lines)


def _header() -> str:
    return (
        f"{'N_exc':>6} {'rows':6} {'exc spikes':>16} {'inh spikes':>16} "
        f"{'neuron cycles (ratio)':>24} {'event cycles (ratio)':>26} {'total ratio':>11} "
        f"{'ms @175MHz':>10} {'ISS s':>6} {'core s':>6} {'(CPU)':>6}"
    )


def _line(r: va.VaRun, b: va.BoardRun | None) -> str:
    def pair(ours: int, theirs: int | None, width: int) -> str:
        text = f"{ours:,}" if theirs is None else f"{ours:,} ({ours / theirs:.2f})"
        return f"{text:>{width}}"

    total = r.neuron_cycles + r.event_cycles
    ratio = f"{total / (b.neuron_cycles + b.event_cycles):.2f}" if b else "-"
    spikes = (
        pair(r.exc_spikes, b and b.exc_spikes, 16),
        pair(r.inh_spikes, b and b.inh_spikes, 16),
    )
    ms = r.cycles / va.CLOCK_HZ * 1e3
    return (
        f"{r.n_exc:>6} {r.rows:6} {spikes[0]} {spikes[1]} "
        f"{pair(r.neuron_cycles, b and b.neuron_cycles, 24)} "
        f"{pair(r.event_cycles, b and b.event_cycles, 26)} {ratio:>11} "
        f"{ms:>10.1f} {r.wall_s:>6.2f} {r.core_wall_s:>6.2f} {r.core_cpu_s:>6.2f}"
    )


def _plot(runs: list[va.VaRun], path: Path) -> None:
    """Neuron-update and event cycles against N_exc, ours and FeNN-DMA's, per layout."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for ax, rows in zip(axes, va.ROWS, strict=True):
        ours = sorted((r for r in runs if r.rows == rows), key=lambda r: r.n_exc)
        board = sorted((b for b in va.FENN_DMA if b.rows == rows), key=lambda b: b.n_exc)
        for field, colour in (("neuron_cycles", "tab:blue"), ("event_cycles", "tab:red")):
            label = field.split("_")[0]
            ax.plot(
                [r.n_exc for r in ours],
                [getattr(r, field) for r in ours],
                "o-",
                color=colour,
                label=f"snnsoc (ISS) {label}",
            )
            ax.plot(
                [b.n_exc for b in board],
                [getattr(b, field) for b in board],
                "s--",
                color=colour,
                alpha=0.6,
                label=f"FeNN-DMA board {label}",
            )
        ax.set(xscale="log", yscale="log", xlabel="N_exc", title=f"{rows} rows, 1,000 steps")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("cycles")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


if __name__ == "__main__":
    main()
