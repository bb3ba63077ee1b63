"""The core's internal layout choices change nothing: a sparse projection run as dense rows (zero
words for absent synapses) gives the scattered run's spikes, state, readout and activity."""

import numpy as np
import pytest
import scipy.sparse

from riscv_soc import core
from riscv_soc.core import layout
from riscv_soc.quant import (
    FloatNetwork,
    FloatPopulation,
    FloatProjection,
    QuantConfig,
    pack,
    quantise,
)


def _sparse_net(rng, density):
    def sparse(shape, scale):
        def normal(size):
            return rng.normal(0, scale, size)

        return scipy.sparse.random_array(
            shape, density=density, rng=rng, format="csr", data_sampler=normal
        )

    return FloatNetwork(
        40,
        [
            FloatPopulation("h", "cubalif", 70, beta=0.9, alpha=0.8, threshold=1.0),
            FloatPopulation("out", "li", 10, beta=0.9, reset="none"),
        ],
        [
            FloatProjection("in", "input", "h", sparse((40, 70), 2.0)),
            FloatProjection("rec", "h", "h", sparse((70, 70), 1.0)),
            FloatProjection("ro", "h", "out", sparse((70, 10), 1.0)),
        ],
        output="out",
        num_steps=30,
    )


@pytest.mark.parametrize("saturate", [True, False])
def test_sparse_rows_as_dense_rows_change_nothing(monkeypatch, saturate):
    rng = np.random.default_rng(11)
    config = QuantConfig(
        layout="sparse", saturate=saturate, frac_bits=12, weight_bits=16, rounding="sr"
    )
    bundle = quantise(_sparse_net(rng, 0.3), config)
    spikes = (rng.random((3, 30, 40)) < 0.5).astype(np.uint8)
    monkeypatch.setattr(layout, "DENSE_WORDS_PER_SCATTER", 0)
    arrays = layout.build(bundle)
    assert (arrays.projs[:, layout.J_LAYOUT] == layout.LAYOUT_CODES["sparse"]).all()
    scattered = core.run(bundle, spikes, seed=2)
    monkeypatch.setattr(layout, "DENSE_WORDS_PER_SCATTER", 10**6)
    arrays = layout.build(bundle)
    assert (arrays.projs[:, layout.J_LAYOUT] == layout.LAYOUT_CODES["dense"]).all()
    as_dense = core.run(bundle, spikes, seed=2)
    assert core.diff_results(scattered, as_dense) == []
    assert scattered.activity["saturations"].sum() > 0  # the order of additions matters here
    assert scattered.activity["row_words"].sum() < scattered.activity["synops"].sum() * 40


def test_expansion_follows_density_and_budget(monkeypatch):
    rng = np.random.default_rng(12)
    config = QuantConfig(layout="sparse")
    dense_enough = quantise(_sparse_net(rng, 0.3), config)
    too_sparse = quantise(_sparse_net(rng, 0.02), config)
    assert layout._as_dense(dense_enough.projections[1]) is not None
    assert layout._as_dense(too_sparse.projections[1]) is None
    monkeypatch.setattr(layout, "DENSE_EXPANSION_WORDS", 100)
    assert layout._as_dense(dense_enough.projections[1]) is None


def test_a_row_that_repeats_a_target_stays_sparse():
    """Two words for one target add with two saturating adds, which one dense word cannot do."""
    rng = np.random.default_rng(13)
    bundle = quantise(_sparse_net(rng, 0.3), QuantConfig(layout="sparse"))
    proj = bundle.projections[0]
    pre, post = np.repeat(np.arange(proj.n_pre), 2), np.tile([5, 5], proj.n_pre)
    proj.words = pack.pack_sparse(pre, post, np.full(pre.size, 3), proj.n_pre, proj.bits)
    assert layout._as_dense(proj) is None
