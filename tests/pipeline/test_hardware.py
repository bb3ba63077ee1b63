"""riscv_soc/pipeline/hardware.py helpers: the stratified RTL subset and score equality."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from riscv_soc.pipeline import load_config
from riscv_soc.pipeline.hardware import same_scores, soc_config, stratified_subset
from riscv_soc.runfolder.config import PipelineConfig
from riscv_soc.runfolder.metrics import Scores


@pytest.mark.parametrize("per_group", [1, 3, 50])
def test_subset_covers_every_group(per_group):
    groups = np.repeat(np.arange(7), [5, 1, 9, 2, 30, 4, 4])
    rng = np.random.default_rng(1)
    groups = groups[rng.permutation(len(groups))]
    index = stratified_subset(groups, per_group, seed=0)
    assert np.all(np.diff(index) > 0)
    counts = np.bincount(groups[index], minlength=7)
    assert np.array_equal(counts, np.minimum(np.bincount(groups), per_group))
    assert np.array_equal(index, stratified_subset(groups, per_group, seed=0))


def test_subset_depends_on_the_seed():
    groups = np.repeat(np.arange(3), 20)
    assert not np.array_equal(stratified_subset(groups, 5, 0), stratified_subset(groups, 5, 1))


def test_same_scores_treats_nan_as_equal():
    a = Scores(0.5, 0.5, 0.5, math.nan, 0.0, math.nan, samples=4)
    assert same_scores(a, replace(a))
    assert not same_scores(a, replace(a, acc=0.25))
    assert not same_scores(a, replace(a, samples=5))


def test_default_soc_is_the_rtl_tests_build():
    from riscv_soc.difftest.runner import CONFIG

    assert soc_config(PipelineConfig.of(load_config())) == CONFIG
