"""Three-way bit-exactness: core == ISS == RTL for every network family, and the DDR path on the
RTL (DMA over AXI). Few samples, short networks; the RTL build is the one the RTL tests use."""

import pytest
from naive.firmware_nets import FAMILIES, family_bundle, spikes_for

from riscv_soc import core, runtime
from riscv_soc.compiler import CompileOptions, compile_bundle
from riscv_soc.difftest import CONFIG
from riscv_soc.firmware.export import firmware_of

pytestmark = [pytest.mark.rtl, pytest.mark.slow]

CASES = {
    **{name: (name, CompileOptions()) for name in FAMILIES},
    "recurrent_lif_ddr": ("recurrent_lif", CompileOptions(weights="ddr", profile=True)),
}


@pytest.mark.parametrize("case", CASES)
def test_core_iss_and_rtl_agree(case):
    family, options = CASES[case]
    bundle = family_bundle(family)
    spikes = spikes_for(bundle, 2)
    fw = firmware_of(compile_bundle(bundle, options, CONFIG))
    on_rtl = runtime.run(fw, spikes, seed=11, backend="rtl")
    on_iss = runtime.run(fw, spikes, seed=11, backend="iss")
    assert core.diff_results(core.run(bundle, spikes, seed=11), on_rtl, activity=False) == []
    assert core.diff_results(on_iss, on_rtl) == []  # counters too: the same cycles
    assert on_rtl.meta["backend"] == "rtl"
