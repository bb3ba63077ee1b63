"""Spike encoders: shapes, dtypes, seeding, rate statistics and latency timing."""

import numpy as np
import pytest

from snn.data import encode
from snn.errors import ConfigError, DataError


def test_rate_is_seeded_bernoulli():
    x = np.tile(np.array([[0.0, 0.25, 1.0]], np.float32), (400, 1))
    a = encode(x, "rate", 50, seed=3)
    assert a.shape == (400, 50, 3) and a.dtype == np.uint8
    assert np.array_equal(a, encode(x, "rate", 50, seed=3))
    assert not np.array_equal(a, encode(x, "rate", 50, seed=4))
    assert a[:, :, 0].sum() == 0 and a[:, :, 2].all()
    assert abs(a[:, :, 1].mean() - 0.25) < 0.01


def test_latency_fires_once_earlier_for_larger_values():
    x = np.array([[1.0, 0.5, 0.02, 0.0]], np.float32)
    s = encode(x, "latency", 10, seed=0)[0]
    assert s.sum(0).tolist() == [1, 1, 1, 0]  # below the 0.01 threshold: silent
    first = s.argmax(0)[:3]
    assert first[0] == 0 and first[0] < first[1] < first[2] <= 9


def test_bad_encoder_arguments():
    x = np.zeros((2, 3), np.float32)
    with pytest.raises(ConfigError, match="valid: latency, rate"):
        encode(x, "delta", 4, 0)
    with pytest.raises(ConfigError, match="num_steps"):
        encode(x, "rate", 0, 0)
    with pytest.raises(DataError, match=r"\[0, 1\]"):
        encode(x + 2, "rate", 4, 0)
    with pytest.raises(DataError, match="shape"):
        encode(np.zeros(3), "rate", 4, 0)
