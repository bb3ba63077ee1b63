"""The synthetic NLI set: templates, the overlap cue, the HANS-like test and its subsets."""

import numpy as np

import snn.data as data
from snn.data import nli


def _decode(tokens):
    words = {v: k for k, v in nli.WORD_ID.items()}
    premise = [words[t] for t in tokens[: nli.PREMISE_LEN] if t > 1]
    hypothesis = [words[t] for t in tokens[nli.PREMISE_LEN + 1 :] if t > 1]
    return premise, hypothesis


def test_attribute_is_the_overlap_cue_and_subsets_name_the_heuristic():
    ds = data.load("synthetic_nli", "test", seed=0)
    for i in range(0, len(ds), 7):
        premise, hypothesis = _decode(ds.tokens[i])
        overlap = nli.full_overlap(premise, hypothesis)
        assert ds.bias[i] == (nli.OVERLAP if overlap else nli.NO_OVERLAP)
        assert (ds.subset_names[ds.subset[i]] == "low_overlap") == (not overlap)


def test_templates_have_the_labels_they_claim():
    # spot checks of the logic: swapped arguments are not entailed, 'since' entails its clause
    swap = next(
        t
        for t in nli.TEMPLATES
        if t[2] == "the {n1} {vt1} the {n2}" and t[3] == "the {n2} {vt1} the {n1}"
    )
    assert swap[1] == nli.NON_ENTAIL
    since = next(t for t in nli.TEMPLATES if t[2].startswith("since"))
    assert since[1] == nli.ENTAIL
    assert all(t[0] in nli.HEURISTICS for t in nli.TEMPLATES)


def test_hans_like_test_is_balanced_over_cells_and_heuristics():
    ds = data.load("synthetic_nli", "test", seed=0)
    assert np.bincount(ds.group, minlength=4).tolist() == [500] * 4
    overlap = ds.bias == nli.OVERLAP
    per_heuristic = np.bincount(ds.subset[overlap], minlength=4)[:3]
    assert per_heuristic.min() > 0.8 * per_heuristic.max()


def test_features_are_a_positional_one_hot_of_the_tokens():
    ds = data.load("synthetic_nli", "val", seed=0)
    x = ds.x.reshape(len(ds), -1, len(nli.WORDS))
    assert np.all(x.sum(-1) <= 1)
    words = np.delete(ds.tokens, nli.PREMISE_LEN, axis=1)
    assert np.array_equal(x.sum(-1), (words > 1).astype(np.float32))
    assert np.array_equal(x.argmax(-1)[words > 1], words[words > 1] - 2)


def test_training_overlap_predicts_entailment_at_rho():
    train = data.load("synthetic_nli", "train", seed=0, rho=0.8, n_train=4000)
    entail_given_overlap = (train.y[train.bias == nli.OVERLAP] == nli.ENTAIL).mean()
    assert abs(entail_given_overlap - 0.8) < 0.03
