"""Metrics: the group-robustness measures on hand-built splits, activity counts, CKA."""

import numpy as np
import pytest
from naive import snn_student

from snn.data.dataset import Dataset
from snn.errors import DataError
from snn.metrics import evaluate, layer_cka, linear_cka, spikes_per_sample, synops_per_sample


def _dataset(y, bias, subset=None, names=("all",)):
    y, bias = np.array(y), np.array(bias)
    return Dataset(
        name="toy",
        split="test",
        x=np.zeros((len(y), 1), np.float32),
        y=y,
        bias=bias,
        aligned=bias == y,
        num_classes=2,
        num_bias=2,
        subset=np.zeros(len(y), np.int64) if subset is None else np.array(subset),
        subset_names=names,
    )


def test_group_metrics_by_hand():
    # groups (y, a): (0,0) x3 aligned, (0,1) x1, (1,0) x2, (1,1) x2 aligned
    ds = _dataset([0, 0, 0, 0, 1, 1, 1, 1], [0, 0, 0, 1, 0, 0, 1, 1])
    pred = np.array([0, 0, 1, 1, 1, 0, 1, 1])
    m = evaluate(pred, ds)
    # cell accuracies: (0,0) 2/3, (0,1) 0, (1,0) 1/2, (1,1) 1
    assert m["acc"] == pytest.approx(5 / 8)
    assert m["unbiased_acc"] == pytest.approx((2 / 3 + 0 + 0.5 + 1) / 4)
    assert m["wga"] == 0.0
    assert m["aligned_acc"] == pytest.approx(4 / 5)
    assert m["conflicting_acc"] == pytest.approx(1 / 3)
    assert m["spurious_gap"] == pytest.approx(4 / 5 - 1 / 3)


def test_breakdown_per_subset_and_unpopulated_groups():
    ds = _dataset([0, 0, 1, 1], [0, 1, 1, 1], subset=[0, 0, 1, 1], names=("swap", "other"))
    m = evaluate(np.array([0, 1, 1, 0]), ds)
    assert m["breakdown"]["swap"] == {
        "acc": 0.5,
        "aligned_acc": 1.0,
        "conflicting_acc": 0.0,
        "count": 2,
    }
    assert np.isnan(m["breakdown"]["other"]["conflicting_acc"])  # no conflicting examples there
    assert m["wga"] == 0.0 and m["unbiased_acc"] == pytest.approx((1 + 0 + 0.5) / 3)
    with pytest.raises(DataError, match="shape"):
        evaluate(np.zeros(3), ds)


def test_activity_counts():
    arch = {"hidden": [4, 3], "outputs": 2, "recurrent": True}
    inputs = np.array([10.0, 20.0])
    hidden = np.array([[1.0, 2.0], [3.0, 0.0]])
    assert spikes_per_sample(hidden) == pytest.approx(3.0)
    # sample 0: 10*4 + 1*(3+4) + 2*(2+3) = 57; sample 1: 20*4 + 3*7 + 0 = 101
    assert synops_per_sample(arch, inputs, hidden) == pytest.approx(79.0)


def test_linear_cka_matches_the_hsic_definition_and_invariances():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(30, 5))
    y = x @ rng.normal(size=(5, 4)) + 0.3 * rng.normal(size=(30, 4))
    assert linear_cka(x, y) == pytest.approx(snn_student.hsic_cka(x, y))
    q, _ = np.linalg.qr(rng.normal(size=(5, 5)))
    assert linear_cka(x, x @ q * 3.0 + 1.0) == pytest.approx(1.0)  # rotation, scale, shift
    assert np.isnan(linear_cka(x, np.ones((30, 2))))
    matrix = layer_cka([x, y], [x], mask=np.arange(30) < 20)
    assert matrix.shape == (2, 1) and matrix[0, 0] == pytest.approx(1.0)
