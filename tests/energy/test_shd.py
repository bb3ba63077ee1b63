"""FeNN's SHD workload: its shape and rates, and its ISS runs against the core."""

import numpy as np

from riscv_soc import core
from riscv_soc.energy import FENN_SHD, shd
from riscv_soc.quant import quantise


def test_shape_and_input_rate():
    net = shd.network(gain=1.0, seed=0)
    assert (net.n_inputs, [p.n for p in net.populations]) == (700, [256, 20])
    assert net.num_steps == FENN_SHD.steps == 1170
    per_sample = shd.input_spikes(4, seed=0).sum(axis=(1, 2))
    assert np.allclose(per_sample, FENN_SHD.input_spikes, rtol=0.05)


def test_both_compilations_match_the_core_and_fenns_way_costs_more():
    bundle = quantise(shd.network(gain=1.0, seed=0), shd.QUANT)
    spikes = shd.input_spikes(1, seed=100)
    golden = core.run(bundle, spikes, seed=0)
    instret = {}
    for accumulators in shd.VARIANTS:
        activity, diffs = shd.iss_activity(
            shd.compile_variant(bundle, accumulators), spikes, golden, seed=0
        )
        assert diffs == []
        assert all(np.array_equal(activity[k], golden.activity[k]) for k in shd.SPIKE_COUNTS)
        instret[accumulators] = int(activity["instret"][0])
    assert instret["memory"] > instret["auto"] > 0
