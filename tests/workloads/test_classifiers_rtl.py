"""One full SHD sample and one full N-MNIST sample on the RTL: cycle-exact with the ISS (every
counter) and bit-exact with the core, every hidden spike recorded (SHD: through DDR; N-MNIST: its
input rows from DDR)."""

import pytest

from riscv_soc import core, runtime
from riscv_soc.compiler import CompileOptions, compile_bundle
from riscv_soc.difftest import CONFIG
from riscv_soc.firmware.export import firmware_of
from riscv_soc.workloads import nmnist, shd

pytestmark = [pytest.mark.rtl, pytest.mark.slow]

CASES = {
    "shd": lambda: (shd.bundle(shd.random_weights(0)), shd.input_spikes(1), shd.compile_options()),
    "nmnist": lambda: (
        nmnist.bundle(nmnist.random_weights(0)),
        nmnist.input_spikes(1),
        CompileOptions(),
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_one_sample_on_the_rtl(case):
    bundle, spikes, options = CASES[case]()
    fw = firmware_of(compile_bundle(bundle, options, CONFIG))
    on_rtl = runtime.run(fw, spikes, backend="rtl")
    on_iss = runtime.run(fw, spikes, backend="iss")
    assert on_rtl.spikes["hidden"].sum() > 0
    assert core.diff_results(core.run(bundle, spikes), on_rtl, activity="shared") == []
    assert core.diff_results(on_iss, on_rtl) == []  # counters too: the same cycles
