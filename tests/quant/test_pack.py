"""Packed rows: dense padding, sparse ELL lane binning, delay words; round trips and layouts."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from riscv_soc.quant import pack


def test_index_and_delay_bits():
    assert pack.index_bits(1) == 1 and pack.index_bits(32) == 1 and pack.index_bits(33) == 2
    assert pack.index_bits(16000) == 10  # 500 lane-local rows: byte offsets up to 998
    assert pack.delay_bits(0) == 1 and pack.delay_bits(1) == 2 and pack.delay_bits(63) == 7
    assert pack.padded(1) == 32 and pack.padded(64) == 64 and pack.padded(65) == 96


def test_sparse_word_layout_is_fenns():
    # targets 1, 33 and 65 of row 0 all live in lane 1: three vectors, rows 0, 1, 2 in order
    words = pack.pack_sparse([0, 0, 0, 1], [65, 1, 33, 2], [3, -2, 5, 7], n_pre=2, b=3)
    assert words.shape == (2, 96)
    assert words[0, 1] == (-2 << 3) | 0 and words[0, 33] == (5 << 3) | 2
    assert words[0, 65] == (3 << 3) | 4 and words[1, 2] == 7 << 3
    assert np.count_nonzero(words) == 4  # everything else is padding word 0


def test_delayed_word_layout():
    words = pack.pack_delayed(np.array([[-3, 2]]), np.array([[5, 0]]), d=4)
    assert words[0, 0] == ((-3 << 4) | 10) and words[0, 1] == 2 << 4 and words.shape == (1, 32)


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 2**32 - 1))
def test_round_trips(seed):
    rng = np.random.default_rng(seed)
    n_pre, n_post = int(rng.integers(1, 20)), int(rng.integers(1, 150))
    b = pack.index_bits(n_post)
    lim = 1 << (15 - b)
    w = rng.integers(-lim, lim, (n_pre, n_post)) * (rng.random((n_pre, n_post)) < 0.3)
    pre, post = np.nonzero(w)
    ell = pack.pack_sparse(pre, post, w[pre, post], n_pre, b)
    np.testing.assert_array_equal(pack.unpack_sparse(ell, b, n_post), w)
    d = int(rng.integers(1, 8))
    wd = rng.integers(-(1 << (15 - d)), 1 << (15 - d), (n_pre, n_post))
    delay = rng.integers(0, 1 << (d - 1), (n_pre, n_post))
    got_w, got_d = pack.unpack_delayed(pack.pack_delayed(wd, delay, d), d, n_post)
    np.testing.assert_array_equal(got_w, wd)
    np.testing.assert_array_equal(got_d, delay)
    np.testing.assert_array_equal(pack.unpack_dense(pack.pack_dense(w), n_post), w)
