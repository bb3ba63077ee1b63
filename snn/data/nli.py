"""Synthetic NLI in the HANS style: template sentence pairs; lexical overlap predicts entailment.

Premise/hypothesis pairs come from templates over small word lists (after McCoy et al.'s HANS):
three heuristics whose full-overlap pairs can be entailed or not (lexical overlap, subsequence,
constituent) and low-overlap pairs (a new noun or verb: not entailed; "someone": entailed). Labels:
0 = entailment, 1 = non-entailment. Attribute: 0 = every hypothesis word occurs in the premise (the
overlap heuristic says "entailment"), 1 = not; aligned iff attribute == label. Training pairs are
aligned at rho; `test` is the HANS-like balanced set (every (label, overlap) cell and every
heuristic equally often); `subset` names the heuristic for the per-bias-type breakdown.

Two views of one pair: `tokens` (premise, [SEP], hypothesis; 0 pads) for the transformer teacher,
and `x`, a one-hot of the word at every position (word order kept, pads all-zero) for MLP teachers
and spiking students.
"""

from __future__ import annotations

import numpy as np

from snn.data.dataset import Dataset
from snn.seeding import rng

ENTAIL, NON_ENTAIL = 0, 1
OVERLAP, NO_OVERLAP = 0, 1
HEURISTICS = ("lexical_overlap", "subsequence", "constituent", "low_overlap")

NOUNS = (
    "doctor",
    "lawyer",
    "judge",
    "actor",
    "artist",
    "student",
    "author",
    "banker",
    "scientist",
    "senator",
)
TRANSITIVE = ("saw", "helped", "called", "paid", "thanked", "met")
INTRANSITIVE = ("ran", "slept", "waited", "laughed", "left")
FUNCTION_WORDS = ("the", "and", "that", "near", "if", "since", "unless", "someone")
WORDS = NOUNS + TRANSITIVE + INTRANSITIVE + FUNCTION_WORDS
PAD, SEP = 0, 1
WORD_ID = {w: i + 2 for i, w in enumerate(WORDS)}

# (heuristic, label, premise, hypothesis); slots n1..n3 are distinct nouns, vt1 a transitive verb,
# vi1 != vi2 intransitive verbs. Lexical-overlap templates come in minimal pairs (same premise,
# same hypothesis words, the label set by the order of the nouns), so no function word gives the
# label away there.
TEMPLATES = (
    ("lexical_overlap", ENTAIL, "the {n1} that {vi1} {vt1} the {n2}", "the {n1} {vt1} the {n2}"),
    (
        "lexical_overlap",
        NON_ENTAIL,
        "the {n1} that {vi1} {vt1} the {n2}",
        "the {n2} {vt1} the {n1}",
    ),
    ("lexical_overlap", ENTAIL, "the {n1} and the {n2} {vt1} the {n3}", "the {n1} {vt1} the {n3}"),
    (
        "lexical_overlap",
        NON_ENTAIL,
        "the {n1} and the {n2} {vt1} the {n3}",
        "the {n3} {vt1} the {n1}",
    ),
    ("lexical_overlap", NON_ENTAIL, "the {n1} {vt1} the {n2}", "the {n2} {vt1} the {n1}"),
    ("subsequence", ENTAIL, "the {n1} {vt1} the {n2} near the {n3}", "the {n1} {vt1} the {n2}"),
    ("subsequence", NON_ENTAIL, "the {n1} near the {n2} {vi1}", "the {n2} {vi1}"),
    ("subsequence", NON_ENTAIL, "the {n1} that {vt1} the {n2} {vi1}", "the {n2} {vi1}"),
    ("constituent", ENTAIL, "since the {n1} {vi1} the {n2} {vi2}", "the {n1} {vi1}"),
    ("constituent", ENTAIL, "the {n1} {vi1} and the {n2} {vi2}", "the {n1} {vi1}"),
    ("constituent", NON_ENTAIL, "if the {n1} {vi1} the {n2} {vi2}", "the {n1} {vi1}"),
    ("constituent", NON_ENTAIL, "unless the {n1} {vi1} the {n2} {vi2}", "the {n1} {vi1}"),
    ("low_overlap", ENTAIL, "the {n1} {vt1} the {n2}", "someone {vt1} the {n2}"),
    ("low_overlap", ENTAIL, "the {n1} {vt1} the {n2}", "the {n1} {vt1} someone"),
    ("low_overlap", ENTAIL, "the {n1} near the {n2} {vi1}", "someone {vi1}"),
    ("low_overlap", NON_ENTAIL, "the {n1} {vt1} the {n2}", "the {n3} {vt1} the {n2}"),
    ("low_overlap", NON_ENTAIL, "the {n1} {vi1}", "the {n1} {vi2}"),
    ("low_overlap", NON_ENTAIL, "the {n1} near the {n2} {vi1}", "the {n3} {vi1}"),
)
PREMISE_LEN = max(len(t[2].split()) for t in TEMPLATES)
HYPOTHESIS_LEN = max(len(t[3].split()) for t in TEMPLATES)
SEQ_LEN = PREMISE_LEN + 1 + HYPOTHESIS_LEN
NUM_FEATURES = (PREMISE_LEN + HYPOTHESIS_LEN) * len(WORDS)

DEFAULTS = {"rho": 0.9, "n_train": 2000, "n_val": 1000, "n_test": 2000}
SPLIT_SIZE = {
    "train": "n_train",
    "val": "n_val",
    "test": "n_test",
    "test_biased": "n_test",
    "counterfactual": "n_train",
}


def full_overlap(premise: list[str], hypothesis: list[str]) -> bool:
    """The overlap heuristic's cue: every hypothesis word occurs in the premise."""
    return set(hypothesis) <= set(premise)


def _fill(template: tuple, generator) -> tuple[list[str], list[str]]:
    n1, n2, n3 = generator.choice(NOUNS, 3, replace=False)
    vi1, vi2 = generator.choice(INTRANSITIVE, 2, replace=False)
    slots = {
        "n1": n1,
        "n2": n2,
        "n3": n3,
        "vt1": generator.choice(TRANSITIVE),
        "vi1": vi1,
        "vi2": vi2,
    }
    return template[2].format(**slots).split(), template[3].format(**slots).split()


def _templates_for(label: int, attribute: int, generator) -> tuple:
    overlap_heuristic = HEURISTICS[generator.integers(0, 3)]
    heuristic = "low_overlap" if attribute == NO_OVERLAP else overlap_heuristic
    choices = [t for t in TEMPLATES if t[0] == heuristic and t[1] == label]
    return choices[generator.integers(0, len(choices))]


def _cells(split: str, n: int, rho: float, generator) -> tuple[np.ndarray, np.ndarray]:
    """(label, attribute) per example: aligned at rho, all conflicting, or balanced cells."""
    if split in ("test", "val"):
        cell = np.arange(n) % 4
        return cell // 2, cell % 2
    y = generator.integers(0, 2, n)
    p_aligned = 0.0 if split == "counterfactual" else rho
    aligned = generator.random(n) < p_aligned
    return y, np.where(aligned, y, 1 - y)


def _encode(premise: list[str], hypothesis: list[str]) -> np.ndarray:
    tokens = np.zeros(SEQ_LEN, np.int64)
    tokens[: len(premise)] = [WORD_ID[w] for w in premise]
    tokens[PREMISE_LEN] = SEP
    start = PREMISE_LEN + 1
    tokens[start : start + len(hypothesis)] = [WORD_ID[w] for w in hypothesis]
    return tokens


def one_hot_features(tokens: np.ndarray) -> np.ndarray:
    """[N, SEQ_LEN] token ids -> [N, NUM_FEATURES] float32: a one-hot of the word per position."""
    words = np.delete(tokens, PREMISE_LEN, axis=1) - 2  # drop [SEP]; pads become negative
    n, length = words.shape
    x = np.zeros((n, length, len(WORDS)), np.float32)
    rows, cols = np.nonzero(words >= 0)
    x[rows, cols, words[rows, cols]] = 1.0
    return x.reshape(n, -1)


def build(split: str, seed: int, options: dict) -> Dataset:
    n = int(options[SPLIT_SIZE[split]])
    generator = rng(seed, "synthetic_nli", split)
    y, attribute = _cells(split, n, options["rho"], generator)
    tokens = np.zeros((n, SEQ_LEN), np.int64)
    subset = np.zeros(n, np.int64)
    for i in range(n):
        template = _templates_for(int(y[i]), int(attribute[i]), generator)
        premise, hypothesis = _fill(template, generator)
        tokens[i] = _encode(premise, hypothesis)
        subset[i] = HEURISTICS.index(template[0])
    return Dataset(
        name="synthetic_nli",
        split=split,
        x=one_hot_features(tokens),
        y=y.astype(np.int64),
        bias=attribute.astype(np.int64),
        aligned=attribute == y,
        num_classes=2,
        num_bias=2,
        subset=subset,
        subset_names=HEURISTICS,
        tokens=tokens,
        vocab_size=len(WORDS) + 2,
        seed=seed,
        options=dict(options),
    )
