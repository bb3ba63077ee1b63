"""`snnsoc compare A.npz B.npz [--bundle B] [--json F] [--plot F]`: two runs, per population."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from riscv_soc.cli import app


@app.command("compare")
def compare_command(
    a: Annotated[Path, typer.Argument(help="results .npz of run A (snnsoc run --out)")],
    b: Annotated[Path, typer.Argument(help="results .npz of run B, on the same spikes")],
    bundle: Annotated[
        Path | None,
        typer.Option(
            "--bundle", help="the bundle of a fixed-point run: its formats give real units"
        ),
    ] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="write the comparison")] = None,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="PNG of the spike agreement per step")
    ] = None,
) -> None:
    """Spike agreement, first divergent step, state error, saturations and class agreement."""
    import numpy as np

    from riscv_soc.artefacts import write_json
    from riscv_soc.core import load_result
    from riscv_soc.core.compare import compare, scales_of
    from riscv_soc.quant import load_bundle

    runs = [load_result(a), load_result(b)]
    scales = scales_of(load_bundle(bundle)) if bundle is not None else {}
    # A fixed-point run stores raw integers; a float run real numbers (snnsoc run --backend float).
    fixed = [np.issubdtype(r.readout.dtype, np.integer) for r in runs]
    result = compare(*runs, *(scales if f else {} for f in fixed))
    for line in result.lines():
        typer.echo(line)
    if json_out is not None:
        write_json(json_out, result.to_json())
    if plot is not None:
        _plot(result, plot)


def _plot(result, path: Path) -> None:
    import matplotlib
    import numpy as np

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 3.5))
    for pop in result.populations:
        if pop.agreement_per_step:
            ax.plot(100 * np.asarray(pop.agreement_per_step), label=pop.name)
    ax.set(xlabel="time step", ylabel="spike agreement (%)")
    ax.set_title(f"class agreement {100 * result.class_agreement:.2f} %")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
