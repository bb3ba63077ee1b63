"""Grid expansion: units, model lists, dependencies, order, overrides and validation."""

import pytest

from snn.errors import ConfigError
from snn.experiments import PRESETS, Block, expand, get_preset, override
from snn.experiments.grid import ModelSpec


def test_units_and_models(tiny_preset):
    preset = override(
        tiny_preset,
        methods=["conf_reg"],
        kds=["rate", "step"],
        remedies=["none", "convert+augment"],
        seeds=[0, 1],
    )
    units = expand(preset)
    assert [u.key for u in units] == ["colour_digits/rho0.95/seed0", "colour_digits/rho0.95/seed1"]
    keys = [m.key for m in units[0].models]
    # conf-reg needs an ERM model of the same role, trained first
    assert keys == [
        "teacher__erm__none__none",
        "teacher__conf_reg__none__none",
        "student__erm__none__none",
        "student__conf_reg__none__none",
        "distilled__conf_reg__rate__convert-augment",
        "distilled__conf_reg__rate__none",
        "distilled__conf_reg__step__none",
    ]


def test_blocks_merge_into_shared_units():
    preset = get_preset("paper")
    units = expand(preset)
    heavy = next(u for u in units if u.key == "colour_digits/rho0.95/seed0")
    roles = [m.role for m in heavy.models]
    assert roles == sorted(roles, key=("teacher", "student", "distilled").index)
    assert len({m.key for m in heavy.models}) == len(heavy.models)
    assert ModelSpec("distilled", "poe", "rate", "convert+augment") in heavy.models
    # units run in the order of the first block needing them, seeds ascending within a block
    assert [u.key for u in units[:5]] == [f"colour_digits/rho0.95/seed{s}" for s in range(5)]


def test_presets_validate_and_bad_axes_fail():
    for preset in PRESETS.values():
        assert expand(preset)
    base = Block(("colour_digits",), (0.95,), ("erm",))
    cases = [
        ({"datasets": ("mnist",)}, "dataset='mnist'"),
        ({"methods": ("dro",)}, "method='dro'"),
        ({"kds": ("fitnet",)}, "kd='fitnet'"),
        ({"remedies": ("mixup",)}, "remedy='mixup'"),
        ({"rhos": (1.0,)}, "rho=1.0 is outside"),
        ({"seeds": (-1,)}, "seed=-1"),
        ({"methods": ()}, "at least one value"),
    ]
    for change, fragment in cases:
        block = Block(**{**base.__dict__, **change})
        with pytest.raises(ConfigError, match=fragment):
            block.validate()
    with pytest.raises(ConfigError, match="valid: paper, quick"):
        get_preset("full")
    with pytest.raises(ConfigError, match="rho=0.0"):
        override(get_preset("quick"), rhos=[0.0])
