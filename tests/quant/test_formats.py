"""Fixed-point formats and FeNN's scale choice."""

import numpy as np
import pytest

from riscv_soc.quant import formats


def test_names_round_trip():
    assert formats.format_name(8, True) == "s7_8_sat" and formats.format_name(15) == "s0_15"
    assert formats.parse_format("s7_8_sat") == (8, True)
    with pytest.raises(ValueError, match="I \\+ F"):
        formats.parse_format("s7_9")


def test_round_half_up_and_clip():
    raw, clipped = formats.to_raw([0.5 / 256, -0.5 / 256, 1.5 / 256, 200.0], 8)
    assert raw.tolist() == [1, 0, 2, 32767] and clipped == 1


def test_fenn_scale_choice():
    # m = 0.3: high bit -2, 8-bit weights: low bit -8 -> F = 8; m = 1.0 -> F = 6
    assert formats.weight_frac_bits(0.3, 8) == 8 and formats.weight_frac_bits(1.0, 8) == 6
    assert formats.headroom_frac_bits(1.0) == 14 and formats.headroom_frac_bits(3.0) == 12


def test_decay_formats():
    assert formats.decay_format(0.9) == 15 and formats.decay_format(1.0) == 14
    assert formats.to_raw(1.0, formats.decay_format(1.0))[0] == 16384
    assert np.isclose(formats.to_raw(0.5, 15)[0], 16384)
