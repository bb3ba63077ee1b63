"""Runner test: one vector lane built alone, checked by tb_vpu_lane.py against the numerics."""

from __future__ import annotations

import pytest
from hdl.hdl_helper import run_unit

pytestmark = pytest.mark.rtl


@pytest.mark.parametrize("llm_lane_bytes", [2048])
def test_vpu_lane(llm_lane_bytes):
    sources = ["fenn_isa_pkg.sv", "fenn_ram_1p.sv", "fenn_vpu_lane.sv"]
    run_unit("vpu_lane", "fenn_vpu_lane", sources, {"LlmLaneBytes": llm_lane_bytes})
