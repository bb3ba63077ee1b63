"""`snnsoc compare A B [--data DATA] [--bundle B] [--json F] [--plot F]`: two runs, per population.

A and B are results files (`snnsoc run --out`), or, with --data, a model (.nir, .pt: the float
reference) or a bundle (.npz: the core) run on DATA here.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from riscv_soc.cli import app

if TYPE_CHECKING:
    from riscv_soc.quant import Bundle, FloatNetwork


@app.command("compare")
def compare_command(
    a: Annotated[Path, typer.Argument(help="results .npz, or with --data a model or bundle")],
    b: Annotated[Path, typer.Argument(help="the same for run B, on the same spikes")],
    data: Annotated[
        str | None,
        typer.Option("--data", help="dataset name or .npz of spikes to run a model or bundle on"),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="run seed and data encoding")] = 0,
    limit: Annotated[
        int | None, typer.Option("--limit", help="run only the first N samples")
    ] = None,
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

    from riscv_soc.core.compare import compare, scales_of
    from riscv_soc.quant import load_bundle
    from snnsoc_common.artefacts import write_json

    given = scales_of(load_bundle(bundle)) if bundle is not None else {}
    runs, scales = zip(*(_run_or_load(p, data, seed, limit) for p in (a, b)), strict=True)
    # A fixed-point run stores raw integers; a float run real numbers (snnsoc run --backend float).
    fixed = [np.issubdtype(r.readout.dtype, np.integer) for r in runs]
    own = [s if s is not None else given if f else {} for s, f in zip(scales, fixed, strict=True)]
    result = compare(*runs, *own)
    for line in result.lines():
        typer.echo(line)
    if json_out is not None:
        write_json(json_out, result.to_json())
    if plot is not None:
        _plot(result, plot)


def _run_or_load(path: Path, data: str | None, seed: int, limit: int | None):
    """(run, its scales or None) of a results file, or of a model or bundle run on `data`."""
    import numpy as np

    from riscv_soc.cli.run import BACKENDS, load_data
    from riscv_soc.core import load_result
    from riscv_soc.core.compare import scales_of
    from riscv_soc.core.simulate import check_spikes
    from riscv_soc.errors import ConfigError
    from riscv_soc.nir.models import read_float_model
    from riscv_soc.quant import load_bundle

    if path.suffix.lower() == ".npz" and path.is_file():
        with np.load(path, allow_pickle=False) as npz:
            is_results = "readout" in npz.files
        if is_results:
            return load_result(path), None
    if data is None:
        raise ConfigError(f"{path}: not a results file; give --data to run a model or bundle")
    network: Bundle | FloatNetwork
    if path.suffix.lower() == ".npz":
        network = load_bundle(path)
        backend, scales = "core", scales_of(network)
    else:
        network, backend, scales = read_float_model(path), "float", {}
    spikes = load_data(data, network, seed, limit)[0]
    check_spikes(spikes, network.n_inputs, where=f"--data {data}")
    return BACKENDS[backend](network, spikes, seed), scales


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
