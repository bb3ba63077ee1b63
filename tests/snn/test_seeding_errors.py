"""Named random streams (stable across processes) and the argument checkers' messages."""

import subprocess
import sys
import zlib

import pytest

from snn.errors import ConfigError, check_choice, check_open_unit
from snn.seeding import rng, stream_key, torch_seed


def test_streams_are_stable_and_distinct():
    assert stream_key("a", 1) == zlib.crc32(b"a/1")
    assert rng(3, "x").integers(0, 2**31) == rng(3, "x").integers(0, 2**31)
    assert rng(3, "x").integers(0, 2**31) != rng(3, "y").integers(0, 2**31)
    code = "from snn.seeding import torch_seed; print(torch_seed(7, 'fit', 2))"
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert int(other.stdout) == torch_seed(7, "fit", 2)  # same in a fresh process (no hash salt)


def test_checkers_name_the_argument_the_limit_and_the_value():
    check_choice("method", "poe", ["erm", "poe"])
    with pytest.raises(ConfigError, match=r"^method='x' is not known; valid: erm, poe$"):
        check_choice("method", "x", ["poe", "erm"])
    assert check_open_unit("rho", "0.5") == 0.5
    with pytest.raises(ConfigError, match=r"^rho=1.0 is outside the open interval \(0, 1\)$"):
        check_open_unit("rho", 1.0)
    with pytest.raises(ConfigError, match="not a number"):
        check_open_unit("rho", "high")
