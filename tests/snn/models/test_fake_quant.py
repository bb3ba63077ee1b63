"""Fake quantisation to FeNN's power-of-two fixed point: format, rounding, saturation, STE."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from naive import snn_student

from snn.models import fake_quant


@pytest.mark.parametrize(
    ("magnitude", "expected"),
    [(0.3, 15), (0.6, 15), (1.0, 14), (1.9, 14), (2.0, 13), (100.0, 8), (40000.0, 0)],
)
def test_frac_bits_from_the_percentile_magnitude(magnitude, expected):
    # all weights have the same |w| = magnitude, so the percentile is the magnitude itself
    w = torch.full((4, 4), magnitude)
    assert fake_quant.frac_bits([w], 16, 99.0) == expected


def test_zero_weights_take_the_finest_format():
    assert fake_quant.frac_bits([torch.zeros(3, 3)], 16, 99.0) == 15


def test_rounding_ties_to_even_and_saturation():
    w = torch.tensor([0.5, 1.5, 2.5, -0.5, 1000.0, -1000.0])
    q = fake_quant.quantise(w, frac=0, bits=8)
    assert q.tolist() == [0.0, 2.0, 2.0, -0.0, 127.0, -128.0]
    assert fake_quant.to_raw(w, 0, 8).tolist() == [0, 2, 2, 0, 127, -128]


def test_straight_through_gradient():
    w = torch.tensor([0.3, -0.7], requires_grad=True)
    (fake_quant.quantise(w, 2, 8) * torch.tensor([2.0, 3.0])).sum().backward()
    assert w.grad.tolist() == [2.0, 3.0]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(-50, 50, allow_nan=False, width=32), min_size=2, max_size=40),
    st.integers(4, 16),
    st.sampled_from([90.0, 99.0, 100.0]),
)
def test_matches_the_weight_by_weight_reference(values, bits, percentile):
    w = np.array(values, np.float64)
    expected, frac = snn_student.fake_quantise(w, bits, percentile)
    tensor = torch.tensor(w)
    assert fake_quant.frac_bits([tensor], bits, percentile) == frac
    np.testing.assert_array_equal(fake_quant.quantise(tensor, frac, bits).numpy(), expected)
