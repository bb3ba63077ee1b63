"""FeNN's N-MNIST neurons on a network of one input, one hidden neuron and one readout, against
values computed by hand (raw integers; a = round(e^(-1/20) 2^15) = 31170, decays round to
nearest: (31170 V + 2^14) >> 15)."""

import numpy as np

from riscv_soc import core, runtime
from riscv_soc.compiler import compile_bundle
from riscv_soc.firmware.export import firmware_of
from riscv_soc.quant import FloatNetwork, FloatProjection, quantise
from riscv_soc.workloads import nmnist

STEPS = 6


def _bundle():
    """Input -> hidden weight 0.61 (s7_8: 156, the threshold's own raw value); hidden ->
    readout 0.5 (s6_9: 256), readout bias 0.125 (s6_9: 64)."""
    projs = [
        FloatProjection("in_hidden", "input", "hidden", np.array([[0.61]])),
        FloatProjection("hidden_out", "hidden", "output", np.array([[0.5]])),
    ]
    pops = [nmnist.hidden_population(1), nmnist.output_population(np.array([0.125]))]
    net = FloatNetwork(1, pops, projs, "output", num_steps=STEPS, readout="mean")
    return quantise(net, nmnist.quant_config())


def test_formats_and_threshold():
    hidden, output = _bundle().populations
    assert (hidden.frac_bits, output.frac_bits) == (8, 9)
    assert (hidden.threshold_raw, hidden.threshold_inclusive, hidden.beta_raw) == (156, True, 31170)
    assert output.bias[0] == 64


def test_hand_computed_run():
    """The input spikes every step. Hidden V (raw, s7_8), R the refractory counter:
    t0: V = 156 >= 156 fires (FeNN's V >= thr), V = 156 - 156 = 0, R = 4
    t1: V = 0 + 156 = 156, refractory (R 4 -> 3): no spike though V >= thr
    t2: V = 148 + 156 = 304 (R 3 -> 2); t3: 289 + 156 = 445 (R -> 1); t4: 423 + 156 = 579 (R -> 0)
    t5: V = 551 + 156 = 707 fires: V = 551, R = 4.
    Readout V (s6_9), input 256 in the steps the hidden neuron fires, bias 64 every step:
    320, 304 + 64 = 368, 350 + 64 = 414, 394 + 64 = 458, 436 + 64 = 500, 476 + 256 + 64 = 796;
    the mean readout adds (V + 4) >> 3 (shift ceil(log2 6)): 40 + 46 + 52 + 57 + 63 + 100 = 358."""
    bundle = _bundle()
    spikes = np.ones((1, STEPS, 1), np.uint8)
    want = core.run(bundle, spikes)
    np.testing.assert_array_equal(want.spikes["hidden"][0, :, 0], [1, 0, 0, 0, 0, 1])
    assert want.state["hidden_V"][0, 0] == 551 and want.state["hidden_R"][0, 0] == 4
    assert want.state["output_V"][0, 0] == 796 and want.readout[0, 0] == 358
    got = runtime.run(firmware_of(compile_bundle(bundle)), spikes)
    assert core.diff_results(want, got, activity="shared") == []
