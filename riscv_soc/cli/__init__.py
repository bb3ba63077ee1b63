"""The `snnsoc` command line: a thin layer over the Python API.

Each command lives in its own module here and registers itself on `app`. User errors (SnnsocError
and snn's errors) print one line on stderr and exit with status 2; anything else is a bug and keeps
its traceback.

Command modules import the API inside each command rather than at the top, so that `snnsoc
--help` and the light commands start without loading torch or compiling the Numba kernels (seconds
each); tests/test_layers.py still checks those imports.
"""

from __future__ import annotations

import importlib
import sys

import typer

import snn  # noqa: F401  (pins torch's CPU kernels before any command computes: snn.determinism)

app = typer.Typer(
    name="snnsoc",
    help="Debiased ANN teachers distilled into spiking students, run bit-exactly on FeNN-DMA.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Command modules, imported for their @app.command registrations.
COMMAND_MODULES: tuple[str, ...] = (
    "isa",
    "quant",
    "run",
    "compare",
    "iss",
    "experiment",
    "rtl",
    "difftest",
    "energy",
    "compile",
    "pipeline",
    "bench",
    "coverage",
)
for _name in COMMAND_MODULES:
    importlib.import_module(f"{__name__}.{_name}")


def _user_errors() -> tuple[type[BaseException], ...]:
    from riscv_soc.errors import SnnsocError

    errors: list[type[BaseException]] = [SnnsocError]
    try:
        from snn.errors import SnnError
    except ImportError:
        pass
    else:
        errors.append(SnnError)
    return tuple(errors)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    try:
        app(args=argv, standalone_mode=True)
    except _user_errors() as err:
        print(f"snnsoc: error: {err}", file=sys.stderr)
        sys.exit(2)
