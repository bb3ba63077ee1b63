"""`snnsoc bench fenn-va --exc N --rows dense|sparse [--backend iss|core|rtl] [--json]` and
`snnsoc bench fenn-shd|fenn-nmnist [--weights W.npz] [--samples N] [--json]`.

A thin layer over `riscv_soc.workloads`: FeNN-DMA's balanced random network, run on the core and
on the ISS (or the RTL), its spikes and cycles beside FeNN-DMA's board numbers; FeNN-DMA's SHD
and N-MNIST classifiers, their cycles and latency per inference.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer

from riscv_soc.cli import app

bench_app = typer.Typer(
    help="FeNN-DMA's workloads, beside FeNN-DMA's board numbers.", no_args_is_help=True
)
app.add_typer(bench_app, name="bench")


@bench_app.command("fenn-va")
def fenn_va(
    exc: Annotated[int, typer.Option("--exc", help="excitatory neurons (inhibitory: a quarter)")],
    rows: Annotated[str, typer.Option("--rows", help="dense or sparse rows")] = "dense",
    backend: Annotated[str, typer.Option("--backend", help="iss, rtl or core")] = "iss",
    steps: Annotated[int, typer.Option("--steps", help="time steps of 1 ms")] = 1000,
    seed: Annotated[int, typer.Option("--seed", help="connectivity and initial V")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="print the run as JSON")] = False,
) -> None:
    """FeNN-DMA's VA network (N_exc + N_exc/4 neurons, p = 0.1, no input) for --steps steps."""
    from riscv_soc.workloads import va

    va.check(exc, rows, steps)
    result = va.run(exc, rows, backend, seed, steps)
    board = va.board_run(exc, rows) if steps == va.STEPS else None
    if as_json:
        out = {"run": result.to_json(), "fenn_dma": None if board is None else board.__dict__}
        typer.echo(json.dumps(out, indent=2))
        return
    typer.echo(va.format_run(result, board))


WeightsOpt = Annotated[
    str | None, typer.Option("--weights", help=".npz of the trained arrays (default: random)")
]
SamplesOpt = Annotated[int, typer.Option("--samples", help="Poisson input samples")]
BackendOpt = Annotated[str, typer.Option("--backend", help="iss or rtl")]
SeedOpt = Annotated[int, typer.Option("--seed", help="input spikes and random weights")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print the run as JSON")]


@bench_app.command("fenn-shd")
def fenn_shd(
    weights: WeightsOpt = None,
    samples: SamplesOpt = 4,
    backend: BackendOpt = "iss",
    seed: SeedOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """FeNN-DMA's SHD classifier (700-256-20, delays, 1,170 steps) on SHD-like input."""
    from riscv_soc.workloads import shd

    _classifier(
        "SHD",
        shd,
        weights,
        samples,
        backend,
        seed,
        as_json,
        f" (FeNN-DMA {shd.FENN_LATENCY_S * 1e3:.1f} ms)",
    )


@bench_app.command("fenn-nmnist")
def fenn_nmnist(
    weights: WeightsOpt = None,
    samples: SamplesOpt = 4,
    backend: BackendOpt = "iss",
    seed: SeedOpt = 0,
    as_json: JsonOpt = False,
) -> None:
    """FeNN-DMA's N-MNIST classifier (2,312-512-10, sparse rows in DDR, 300 steps)."""
    from riscv_soc.workloads import nmnist

    _classifier("N-MNIST", nmnist, weights, samples, backend, seed, as_json, "")


def _classifier(name, module, weights, samples, backend, seed, as_json, note) -> None:
    """Run one of the classifier modules (shd, nmnist) and print its result."""
    from riscv_soc.errors import ConfigError

    if samples < 1 or backend not in ("iss", "rtl"):
        raise ConfigError(
            f"--samples {samples} must be >= 1 and --backend iss or rtl, not {backend!r}"
        )
    w = module.random_weights(seed) if weights is None else module.load_weights(weights)
    r = module.run(w, module.input_spikes(samples, seed), backend, seed)
    if as_json:
        typer.echo(json.dumps(r.to_json(), indent=2))
        return
    same = "bit-exact with the core" if not r.differences else f"DIFFERS: {r.differences[:3]}"
    typer.echo(
        f"{name} classifier, {samples} samples on the {backend}: {r.cycles_mean:,.0f} "
        f"cycles = {r.latency_ms:.2f} ms per inference at 175 MHz{note}; "
        f"{r.hidden_spikes_mean:,.0f} hidden and {r.input_spikes_mean:,.0f} input spikes "
        f"per sample; {same}"
    )
