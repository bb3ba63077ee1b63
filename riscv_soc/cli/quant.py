"""`snnsoc quantise MODEL -o BUNDLE`: a student checkpoint or NIR graph to a fixed-point bundle."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from riscv_soc.cli import app


def _calibration(network, data: str, config):
    """Ranges and formats from the float network on the spike trains of DATA (as `run --data`)."""
    from riscv_soc import floatsim
    from riscv_soc.cli.run import load_data
    from riscv_soc.core.simulate import check_spikes

    spikes = load_data(data, network, seed=0, limit=None)[0]
    check_spikes(spikes, network.n_inputs, where=f"--calibrate {data}")
    return floatsim.calibrate(network, spikes, config)


def _explain(calibration: dict, fmt: str) -> None:
    for var, seen in calibration["ranges"].items():
        typer.echo(
            f"    {var}: |x| up to {seen['max_abs']:.4g} on the calibration data, "
            f"{100 * seen['saturating']:.3f} % of values saturate in {fmt}"
        )
    tried = calibration["disagreement"]
    if tried:
        scores = ", ".join(f"F {f}: {100 * d:.2f} %" for f, d in tried.items())
        typer.echo(f"    disagreement with the float run (spikes + classes): {scores}")


@app.command("quantise")
def quantise_command(
    model: Annotated[Path, typer.Argument(help="student checkpoint (.pt) or NIR graph (.nir)")],
    out: Annotated[Path, typer.Option("-o", "--out", help="bundle to write (.npz)")],
    dt: Annotated[
        float, typer.Option("--dt", help="time step in seconds (snntorch's NIR default)")
    ] = 1e-4,
    weight_bits: Annotated[
        int | None,
        typer.Option(
            "--weight-bits",
            help="signed weight bits [16 less index/delay bits, or the student's fake-quant bits]",
        ),
    ] = None,
    percentile: Annotated[
        float | None, typer.Option("--percentile", help="|w| percentile of the scale [99]")
    ] = None,
    rounding: Annotated[
        str, typer.Option("--rounding", help="decay rounding: floor, rn or sr")
    ] = "rn",
    layout: Annotated[str, typer.Option("--layout", help="auto, dense or sparse")] = "auto",
    frac_bits: Annotated[
        int | None, typer.Option("--frac-bits", help="force one format sI_F everywhere")
    ] = None,
    state_headroom_bits: Annotated[
        int,
        typer.Option("--state-headroom-bits", help="bits kept above the weights for the state"),
    ] = 6,
    steps: Annotated[
        int | None, typer.Option("--steps", help="time steps [default: from the model]")
    ] = None,
    calibrate: Annotated[
        str | None,
        typer.Option(
            "--calibrate",
            help="dataset name or .npz of spike trains: choose formats from a float run on them",
        ),
    ] = None,
    nir_out: Annotated[
        Path | None, typer.Option("--nir", help="also export the quantised network as NIR")
    ] = None,
) -> None:
    """Quantise MODEL to the FeNN fixed-point format and print what quantisation cost."""
    from riscv_soc.nir import bundle_to_graph, write_graph
    from riscv_soc.nir.models import quant_config, read_model
    from riscv_soc.quant import quantise, save_bundle

    network = read_model(model, dt=dt)
    if steps is not None:
        network.num_steps = steps
    config = quant_config(
        network,
        weight_bits=weight_bits,
        percentile=percentile,
        rounding=rounding,
        layout=layout,
        frac_bits=frac_bits,
        state_headroom_bits=state_headroom_bits,
    )
    calibration = _calibration(network, calibrate, config) if calibrate else None
    bundle = quantise(network, config, calibration)
    save_bundle(bundle, out)
    typer.echo(f"wrote {out}")
    for name, rep in bundle.report["populations"].items():
        typer.echo(
            f"  {name}: {rep['format']} (limited by {rep['limited_by']}), "
            f"{rep['weight_bits']}-bit weights, "
            f"{rep['weights_clipped']}/{rep['weights']} weights clipped, "
            f"{rep['weights_rounded_to_zero']} rounded to 0, "
            f"{rep['saturating_neurons']} neurons can saturate in one step"
        )
        if "calibration" in rep:
            _explain(rep["calibration"], rep["format"])
    if nir_out is not None:
        write_graph(bundle_to_graph(bundle), nir_out)
        typer.echo(f"wrote {nir_out}")
