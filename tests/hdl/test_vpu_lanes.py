"""Runner test: the vector unit's 32 lanes of arithmetic built alone, checked by tb_vpu_lanes.py
against the numerics."""

from __future__ import annotations

import pytest
from hdl.hdl_helper import run_unit

pytestmark = pytest.mark.rtl


def test_vpu_lanes():
    sources = ["fenn_isa_pkg.sv", "fenn_vpu_lanes.sv"]
    run_unit("vpu_lanes", "fenn_vpu_lanes", sources, {})
