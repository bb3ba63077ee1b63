"""FeNN's VA network at N_exc = 256 for the full 1,000 steps, weights in DDR streamed by the DMA:
the RTL cycle-exact with the ISS (every counter, the per-phase profile included) and bit-exact
with the core, dense and sparse rows."""

import numpy as np
import pytest

from riscv_soc import core, runtime
from riscv_soc.compiler import CompileOptions, compile_bundle
from riscv_soc.difftest import CONFIG
from riscv_soc.firmware.export import firmware_of
from riscv_soc.workloads import va

pytestmark = [pytest.mark.rtl, pytest.mark.slow]


@pytest.mark.parametrize("rows", va.ROWS)
def test_va_256_rtl_is_cycle_exact_with_the_iss(rows):
    bundle = va.bundle(256, rows)
    spikes = np.zeros((1, va.STEPS, 1), np.uint8)
    options = CompileOptions(weights="ddr", profile=True)
    fw = firmware_of(compile_bundle(bundle, options, CONFIG))
    on_rtl = runtime.run(fw, spikes, backend="rtl")
    on_iss = runtime.run(fw, spikes, backend="iss")
    assert core.diff_results(core.run(bundle, spikes), on_rtl, activity="shared") == []
    assert core.diff_results(on_iss, on_rtl) == []  # counters too: the same cycles
    assert on_rtl.activity["dma_bytes"][0] > 0 and on_rtl.spikes["E"].sum() > 1000
