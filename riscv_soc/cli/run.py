"""`snnsoc run BUNDLE|FWDIR --backend core|iss|rtl --data DATA --out RESULTS`: a network on data.

A backend is one function `(network, spikes, seed) -> RunResult` in BACKENDS, all writing the
same results schema (riscv_soc.core.result). The core takes the bundle; the ISS and RTL take the
firmware of an exported directory (FWDIR, from `snnsoc compile`), or compile a bundle on the fly.
One rule on every backend: a bundle runs the data's number of steps (compiled for it), FWDIR
only the number it was compiled for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import numpy as np
import typer

from riscv_soc.cli import app
from riscv_soc.errors import ConfigError, DataError


def _core_backend(bundle, spikes: np.ndarray, seed: int):
    from riscv_soc import core

    return core.run(bundle, spikes, seed=seed)


def _float_backend(network, spikes: np.ndarray, seed: int):
    from riscv_soc import floatsim

    return floatsim.run(network, spikes)


def _firmware_backend(name: str) -> Callable:
    def backend(network, spikes: np.ndarray, seed: int, **sharding):
        from riscv_soc import runtime
        from riscv_soc.compiler import compile_bundle
        from riscv_soc.firmware.export import Firmware, firmware_of

        if not isinstance(network, Firmware):
            network = firmware_of(compile_bundle(replace(network, num_steps=spikes.shape[1])))
        return runtime.run(network, spikes, seed=seed, backend=name, **sharding)

    return backend


BACKENDS: dict[str, Callable] = {
    "core": _core_backend,
    "float": _float_backend,
    "iss": _firmware_backend("iss"),
    "rtl": _firmware_backend("rtl"),
}


def load_data(
    data: str,
    bundle,
    seed: int,
    limit: int | None,
    dt: float | None = None,
    steps: int | None = None,
):
    """(spikes, labels or None, groups or None) from an `.npz`, an event file or folder
    (snn.data.event_files, binned with `dt` and `steps`, else the bundle's), or an `snn.data`
    test split."""
    from snn.data.event_files import is_event_path, read_events

    if is_event_path(data):
        events = read_events(data)
        spikes = events.bin(
            bundle.dt if dt is None else dt, bundle.num_steps if steps is None else steps
        )
        labels, groups = events.labels, None
    elif data.endswith(".npz"):
        try:
            with np.load(data, allow_pickle=False) as npz:
                arrays = {k: npz[k] for k in npz.files}
        except (OSError, ValueError, EOFError) as err:
            raise DataError(f"--data {data}: not a readable .npz: {err}") from None
        if "spikes" not in arrays:
            raise DataError(f"--data {data}: no 'spikes' array (uint8 [samples, steps, inputs])")
        spikes, labels, groups = arrays["spikes"], arrays.get("labels"), arrays.get("groups")
    else:
        import snn.data

        if data not in snn.data.DATASETS:
            raise ConfigError(f"--data {data!r}: not an .npz nor one of {snn.data.DATASETS}")
        ds = snn.data.load(data, "test", seed=seed)
        spikes = snn.data.encode(ds.x, bundle.encoding, bundle.num_steps, seed)
        labels, groups = ds.y, ds.group
    if limit is not None:
        spikes = spikes[:limit]
        labels = None if labels is None else labels[:limit]
        groups = None if groups is None else groups[:limit]
    for name, arr in (("labels", labels), ("groups", groups)):
        if arr is not None and len(arr) != len(spikes):
            raise DataError(f"--data {data}: {len(arr)} {name} for {len(spikes)} samples")
    return spikes, labels, groups


def _float_network(path: Path, firmware):
    """The float side of a model, a bundle or an exported firmware's bundle."""
    from riscv_soc.nir.models import float_of_bundle, read_float_model

    if firmware is None:
        return read_float_model(path)
    return float_of_bundle(firmware.bundle, where=str(path))


# How the iss and rtl backends spread the samples (riscv_soc.runtime.run's batch, workers, address).
_Batch = Annotated[
    int, typer.Option("--batch", help="iss/rtl: samples per run of the SoC (0: one)")
]
_Workers = Annotated[int, typer.Option("--workers", help="iss/rtl: processes or Ray tasks")]
_Address = Annotated[
    str | None, typer.Option("--address", help="iss/rtl: Ray: local, auto, host:port")
]


@app.command("run")
def run_command(
    network_path: Annotated[
        Path,
        typer.Argument(help="bundle (.npz) or FWDIR; for --backend float also a .nir or .pt"),
    ],
    data: Annotated[
        str,
        typer.Option(
            "--data",
            help="dataset name (test split), .npz with spikes, event file/folder, tonic:NAME:ROOT",
        ),
    ],
    out: Annotated[
        Path, typer.Option("--out", help="results .npz (a .json summary goes beside it)")
    ],
    backend: Annotated[str, typer.Option("--backend", help="core, float, iss or rtl")] = "core",
    seed: Annotated[int, typer.Option("--seed", help="run seed: RNG seeds and data encoding")] = 0,
    limit: Annotated[
        int | None, typer.Option("--limit", help="run only the first N samples")
    ] = None,
    dt: Annotated[
        float | None, typer.Option("--dt", help="event data: bin width in s (bundle's dt)")
    ] = None,
    steps: Annotated[
        int | None, typer.Option("--steps", help="event data: steps (bundle's num_steps)")
    ] = None,
    batch: _Batch = 0,
    workers: _Workers = 1,
    address: _Address = None,
) -> None:
    """Run a bundle or exported firmware on DATA and write RESULTS.npz and RESULTS.json."""
    from riscv_soc.core import save_result
    from riscv_soc.core.simulate import check_spikes
    from riscv_soc.firmware.export import load_firmware
    from riscv_soc.quant import load_bundle
    from riscv_soc.runtime import check_steps

    if backend not in BACKENDS:
        raise ConfigError(f"--backend {backend!r}; available: {sorted(BACKENDS)}")
    firmware = load_firmware(network_path) if network_path.is_dir() else None
    if backend == "float":
        network = bundle = _float_network(network_path, firmware)
    else:
        bundle = firmware.bundle if firmware is not None else load_bundle(network_path)
        network = firmware if firmware is not None and backend != "core" else bundle
    spikes, labels, groups = load_data(data, bundle, seed, limit, dt, steps)
    check_spikes(spikes, bundle.n_inputs, where=f"--data {data}")
    if firmware is not None:
        check_steps(firmware, spikes.shape[1], where=f"--data {data}")
    sharding = {"batch": batch, "workers": workers, "address": address}
    if backend in ("iss", "rtl"):
        result = BACKENDS[backend](network, spikes, seed, **sharding)
    elif batch or workers != 1 or address:
        raise ConfigError(f"--batch, --workers, --address: for --backend iss or rtl, not {backend}")
    else:
        result = BACKENDS[backend](network, spikes, seed)
    summary = save_result(result, out, labels, groups)
    line = f"wrote {out}: {summary['samples']} samples"
    if "accuracy" in summary:
        line += f", accuracy {summary['accuracy']:.4f}"
    if "worst_group_accuracy" in summary:
        line += f", worst group {summary['worst_group_accuracy']:.4f}"
    typer.echo(line)
