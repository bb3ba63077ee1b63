"""docs/findings.md against docs/findings_data/results.csv: its tables and numbers, recomputed.

Every value is recomputed from the CSV with the report's aggregation (snn.experiments.stats: mean ±
std over seeds, paired Δ, 95 % t-interval) and compared as printed, so a number that does not
follow from the data fails here. Table rows are matched by their labels; a row whose label this
test does not know fails too, so no table row goes unchecked.
"""

import re
from pathlib import Path

import numpy as np
import pytest

from snn.experiments.presets import ALL_METHODS
from snn.experiments.report import _index, _values
from snn.experiments.results import read_results
from snn.experiments.stats import crosses_zero, delta, mean_std, paired_differences

DOCS = Path(__file__).parents[2] / "docs"
SETTINGS = {
    "colour digits 0.95": ("colour_digits", 0.95),
    "colour digits 0.9": ("colour_digits", 0.9),
    "colour digits 0.98": ("colour_digits", 0.98),
    "tint groups": ("tint_groups", 0.95),
    "tint groups (2x2)": ("tint_groups", 0.95),
    "patch digits": ("patch_digits", 0.95),
    "synthetic NLI": ("synthetic_nli", 0.95),
}
CD = SETTINGS["colour digits 0.95"]
LABELS = {
    "erm": "ERM",
    "poe": "PoE",
    "learned_mixin": "learned-mixin",
    "conf_reg": "conf-reg",
    "reweight": "reweight",
    "lff": "LfF",
    "jtt": "JTT",
    "focal": "focal",
    "group_dro": "Group DRO",
}
METHOD_OF = {label: method for method, label in LABELS.items()}
CKA = ("cka_aligned", "cka_conflicting")
FOCUS = ("erm", "poe", "reweight", "group_dro")  # the methods of the other settings
KD_VARIANTS = {
    "rate (plain)": "rate",
    "per-step KD": "step",
    "membrane KD": "membrane",
    "heterogeneous tau (4 / 2)": "hetero",
    "spike regulariser": "sparse",
    "PoE on the student's own loss": "own",
    "PoE inside the KD term": "target",
    "both": "both",
}
# (kd, remedy) of the student a headline claim is about; plain rate KD where not listed
CLAIM_STUDENT = {
    "PoE inside the KD term keeps the teacher's WGA": ("target", "none"),
    "convert+augment keeps the teacher's WGA": ("rate", "convert+augment"),
    "convert+augment beats plain KD": ("rate", "convert+augment"),
    "conversion alone reduces the loss": ("rate", "convert"),
    "iterative KD hurts: chain": ("rate", "chain"),
    "iterative KD hurts: born-again": ("rate", "born_again"),
}


class Study:
    """The CSV's test rows, per model and seed."""

    def __init__(self, rows: list[dict]) -> None:
        self.rows = rows
        self.table = _index(rows, "test")

    def seeds(self, setting, method, role, kd="none", remedy="none", metric="wga") -> dict:
        return _values(self.table.get((*setting, method, kd, remedy, role), {}), metric)

    def teacher(self, setting, method, metric="wga") -> dict:
        return self.seeds(setting, method, "teacher", metric=metric)

    def alone(self, setting, method, metric="wga") -> dict:
        return self.seeds(setting, method, "student", metric=metric)

    def distilled(self, setting, method, kd="rate", remedy="none", metric="wga") -> dict:
        return self.seeds(setting, method, "distilled", kd, remedy, metric)


@pytest.fixture(scope="module")
def study() -> Study:
    return Study(read_results(DOCS / "findings_data" / "results.csv"))


@pytest.fixture(scope="module")
def doc() -> str:
    return (DOCS / "findings.md").read_text()


@pytest.fixture(scope="module")
def prose(doc) -> str:
    """The document with line breaks and bold removed, so a sentence reads as one string."""
    return re.sub(r"\s+", " ", doc.replace("**", ""))


def _table(doc: str, first_header: str) -> list[list[str]]:
    """The body rows (cells, bold removed) of the table whose header starts with `first_header`."""
    lines = doc.replace("**", "").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {first_header} |"))
    rows = []
    for line in lines[start + 2 :]:
        if not line.startswith("|"):
            break
        rows.append([cell.strip() for cell in line.strip("|").split("|")])
    assert rows, f"table '{first_header}' has no rows"
    return rows


def _mean(values, digits: int = 1, scale: float = 100.0) -> str:
    """The mean as mean_std prints it (in % by default)."""
    return mean_std(values, scale, digits).split(" ± ")[0]


def _count(values) -> str:
    """A per-sample count (spikes) as printed: whole numbers."""
    return _mean(values, 0, 1.0)


def _cka(values) -> str:
    return _mean(values, 3, 1.0)


def _span(means: list[float], digits: int = 1, joint: str = "-") -> str:
    return f"{min(means):.{digits}f}{joint}{max(means):.{digits}f}"


def _means(cells: list[dict]) -> list[float]:
    return [float(_mean(c.values())) for c in cells]


def _same_delta(printed: str, a: dict, b: dict) -> None:
    """`printed` is b - a at its printed precision, with the interval when it shows one."""
    assert printed == delta(a, b, interval="[" in printed)


def test_teacher_table(study, doc):
    groups = {"PoE (best)": ["poe"], "learned-mixin +H": ["learned_mixin"]}
    for label, *cells in _table(doc, "teacher"):
        methods = groups.get(label) or [METHOD_OF[m] for m in label.split(" / ")]
        for printed, metric in zip(cells, ("unbiased_acc", "wga", "spurious_gap"), strict=True):
            values = [study.teacher(CD, m, metric) for m in methods]
            if len(methods) == 1:
                assert printed == mean_std(values[0].values()), (label, metric)
            else:
                assert printed == _span(_means(values)), (label, metric)


def test_c1_table(study, doc):
    for setting, label, teacher, student, printed_delta in _table(doc, "setting"):
        setting = SETTINGS[setting]
        if label == "all four":
            pairs = [(study.teacher(setting, m), study.distilled(setting, m)) for m in FOCUS]
            assert teacher == _span(_means([t for t, _ in pairs]))
            assert student == _span(_means([s for _, s in pairs]))
            deltas = [np.mean(paired_differences(t, s)) for t, s in pairs]
            assert printed_delta == f"{min(deltas):+.1f} to {max(deltas):+.1f}"
            continue
        methods = [METHOD_OF[m] for m in label.split(" / ")]
        pairs = [(study.teacher(setting, m), study.distilled(setting, m)) for m in methods]
        if len(methods) == 1:
            ((t, s),) = pairs
            assert (teacher, student) == (mean_std(t.values()), mean_std(s.values())), label
            _same_delta(printed_delta, t, s)
        else:
            assert teacher == " / ".join(_mean(t.values()) for t, _ in pairs)
            assert student == " / ".join(_mean(s.values()) for _, s in pairs)
            for printed, (t, s) in zip(printed_delta.split(" / "), pairs, strict=True):
                _same_delta(printed, t, s)


def test_kd_variant_table(study, doc):
    teacher = study.teacher(CD, "poe")
    for label, printed_wga, printed_delta, spikes in _table(doc, "variant"):
        student = study.distilled(CD, "poe", KD_VARIANTS[label])
        assert printed_wga == mean_std(student.values()), label
        _same_delta(printed_delta, teacher, student)
        rate = study.distilled(CD, "poe", KD_VARIANTS[label], metric="spikes_per_sample")
        assert spikes == _count(rate.values()), label


def test_remedy_table(study, doc):
    header = doc.split("| method (teacher WGA) |")[1].splitlines()[0]
    remedies = [r.strip().replace("-", "_") for r in header.strip(" |").split("|")]
    for label, *cells in _table(doc, "method (teacher WGA)"):
        name, printed_teacher = re.fullmatch(r"(.+) \((.+)\)", label).groups()
        teacher = study.teacher(CD, METHOD_OF[name])
        assert printed_teacher == mean_std(teacher.values()), label
        for printed, remedy in zip(cells, remedies, strict=True):
            _same_delta(printed, teacher, study.distilled(CD, METHOD_OF[name], remedy=remedy))


def _claim_pair(study, claim: str, comparison: str, setting) -> tuple[dict, dict]:
    """(a, b) of a headline claim's Δ = b - a."""
    kd, remedy = CLAIM_STUDENT.get(claim, ("rate", "none"))
    which, _, label = comparison.partition(", ")
    if which == "PoE − ERM teacher":
        return study.teacher(setting, "erm"), study.teacher(setting, "poe")
    method = METHOD_OF[label]
    student = study.distilled(setting, method, kd, remedy)
    first = {
        "g − f_T": study.teacher(setting, method),
        "g − f_S": study.alone(setting, method),
        "remedy − plain g": study.distilled(setting, method),
    }[which]
    return first, student


def test_headline_claims_have_paired_intervals(study, doc):
    rows = _table(doc, "claim")
    for claim, comparison, setting, printed, crosses in rows:
        a, b = _claim_pair(study, claim, comparison, SETTINGS[setting])
        assert "[" in printed, claim
        _same_delta(printed, a, b)
        assert crosses == ("yes" if crosses_zero(paired_differences(a, b)) else "no"), claim
    unsettled = [row[3] for row in rows if row[-1] == "yes"]
    caveats = doc.split("## 6. Caveats")[1]
    assert unsettled and "cross" in caveats
    for interval in re.findall(r"\[[^\]]+\]", caveats):  # the ones the caveats quote
        assert any(interval in printed for printed in unsettled), interval


def test_run_size_and_teacher_prose(study, prose):
    models = {
        tuple(r[k] for k in ("dataset", "rho", "seed", "method", "kd", "remedy", "role"))
        for r in study.rows
    }
    hours = sum(r["train_seconds"] for r in study.rows if r["split"] == "test") / 3600
    assert f"({len(models)} models, seeds 0-4)" in prose
    assert f"({hours:.2f} h of summed training time" in prose
    erm, poe = study.teacher(CD, "erm"), study.teacher(CD, "poe")
    assert f"WGA by {delta(erm, poe, interval=False)} points, paired" in prose
    wga = [100 * v for v in poe.values()]
    assert f"PoE's WGA ranges from {min(wga):.0f} to {max(wga):.0f} %" in prose


def test_c1_and_c2_prose(study, prose):
    gaps = []
    for setting in ("tint groups", "patch digits"):
        s = SETTINGS[setting]
        before, after = (
            _mean(cell.values())
            for cell in (
                study.teacher(s, "poe", "spurious_gap"),
                study.distilled(s, "poe", metric="spurious_gap"),
            )
        )
        gaps.append(f"{before} -> {after}")
    assert f"(tint groups, PoE: {gaps[0]} points; patch: {gaps[1]})" in prose
    for name in ("PoE", "conf-reg"):
        alone, kd = study.alone(CD, METHOD_OF[name]), study.distilled(CD, METHOD_OF[name])
        expected = f"{name} {mean_std(alone.values())} vs {mean_std(kd.values())}"
        assert f"{expected} (Δ {delta(alone, kd, interval=False)})" in prose
    alone, kd = study.alone(CD, "reweight"), study.distilled(CD, "reweight")
    expected = f"reweight {_mean(alone.values())} vs {_mean(kd.values())}"
    assert f"{expected} (Δ {delta(alone, kd, interval=False)})" in prose
    alone, kd = study.alone(CD, "learned_mixin"), study.distilled(CD, "learned_mixin")
    assert f"Learned-mixin is again the exception ({delta(alone, kd, interval=False)})" in prose
    for setting, text in (
        ("tint groups", "Tint groups: Δ from {hi} (PoE) to {lo} (Group DRO)"),
        ("synthetic NLI", "NLI: Δ from {hi} to {lo}"),
    ):
        s = SETTINGS[setting]
        deltas = {
            m: np.mean(paired_differences(study.alone(s, m), study.distilled(s, m))) for m in FOCUS
        }
        assert (
            text.format(hi=f"{max(deltas.values()):+.1f}", lo=f"{min(deltas.values()):+.1f}")
            in prose
        )
        if setting == "tint groups":
            assert (
                max(deltas, key=deltas.get) == "poe" and min(deltas, key=deltas.get) == "group_dro"
            )


def test_kd_variant_prose(study, prose):
    aligned = study.distilled(CD, "poe", "both", metric="aligned_acc")
    assert f"falls to {_mean(aligned.values())} %" in prose
    spikes = {
        kd: np.mean(list(study.distilled(CD, "poe", kd, metric="spikes_per_sample").values()))
        for kd in ("rate", "sparse", "membrane")
    }
    wga = {
        kd: np.mean(list(study.distilled(CD, "poe", kd).values())) * 100
        for kd in ("rate", "sparse", "membrane")
    }
    assert f"cuts spikes by {spikes['rate'] / spikes['sparse']:.1f}x at no cost in WGA" in prose
    assert wga["sparse"] >= wga["rate"]
    assert f"Membrane KD cuts spikes by {spikes['rate'] / spikes['membrane']:.1f}x" in prose
    assert f"costs {wga['rate'] - wga['membrane']:.0f} points of WGA" in prose
    teacher = study.teacher(CD, "reweight")
    assert f"within noise of its {_mean(teacher.values())} % teacher" in prose
    for kd in KD_VARIANTS.values():
        assert crosses_zero(paired_differences(teacher, study.distilled(CD, "reweight", kd))), kd


def test_remedy_prose(study, prose):
    teacher, plain = study.teacher(CD, "poe"), study.distilled(CD, "poe")
    best = study.distilled(CD, "poe", remedy="convert+augment")
    assert f"brings the PoE student to {mean_std(best.values())} % WGA" in prose
    assert f"its teacher ({delta(teacher, best, interval=False)}, higher on every seed)" in prose
    assert min(paired_differences(teacher, best)) > 0
    for setting, text in (
        ("tint groups", "tint groups PoE {g} vs teacher {t} ({d})"),
        ("patch digits", "patch digits PoE {g} vs {t} ({d})"),
    ):
        s = SETTINGS[setting]
        t, g = study.teacher(s, "poe"), study.distilled(s, "poe", remedy="convert+augment")
        assert (
            text.format(
                g=mean_std(g.values()), t=mean_std(t.values()), d=delta(t, g, interval=False)
            )
            in prose
        )
    convert = study.distilled(CD, "poe", remedy="convert")
    loss = {
        name: np.mean(paired_differences(teacher, s))
        for name, s in (("convert", convert), ("none", plain))
    }
    assert f"halves the loss ({loss['convert']:+.1f} instead of {loss['none']:+.1f})" in prose
    assert 0.4 < loss["convert"] / loss["none"] < 0.6
    assert f"its gain ({delta(plain, convert, interval=False)}) is within noise" in prose
    assert crosses_zero(paired_differences(plain, convert))
    for method, text in (
        ("poe", "(paired against the plain student: chain {c}, born-again {b})"),
        ("reweight", "plain KD (chain {c}, born-again {b})"),
    ):
        plain_m = study.distilled(CD, method)
        chain, again = (study.distilled(CD, method, remedy=r) for r in ("chain", "born_again"))
        assert (
            text.format(
                c=delta(plain_m, chain, interval=False), b=delta(plain_m, again, interval=False)
            )
            in prose
        )
        if method == "reweight":
            assert crosses_zero(paired_differences(plain_m, chain))
            assert crosses_zero(paired_differences(plain_m, again))
    nli = SETTINGS["synthetic NLI"]
    gains = {
        remedy: [
            np.mean(
                paired_differences(study.teacher(nli, m), study.distilled(nli, m, remedy=remedy))
            )
            for m in FOCUS
        ]
        for remedy in ("convert+augment", "none")
    }
    spans = {r: f"{min(g):+.1f} to {max(g):+.1f}" for r, g in gains.items()}
    assert f"({spans['convert+augment']} vs {spans['none']} over the teacher)" in prose
    assert max(gains["convert+augment"]) < min(gains["none"])


def test_cka_prose(study, prose):
    """Distilled students: lower CKA on conflicting inputs in every setting's mean; students
    alone: the settings where it reverses are named."""
    flipped = total = 0
    reversed_alone, settings_alone = [], 0
    for key, cell in study.table.items():
        if key[5] == "teacher" or not _values(cell, "cka_aligned"):
            continue
        aligned, conflicting = _values(cell, "cka_aligned"), _values(cell, "cka_conflicting")
        mean_a, mean_c = np.mean(list(aligned.values())), np.mean(list(conflicting.values()))
        if key[3:5] == ("rate", "none"):
            assert mean_c < mean_a, key
            flipped += sum(conflicting[s] > aligned[s] for s in aligned)
            total += len(aligned)
        elif key[5] == "student":
            settings_alone += 1
            if mean_c > mean_a:
                reversed_alone.append(key)
    assert f"({flipped} of the {total} single seeds go the other way)" in prose
    assert f"reverses in {len(reversed_alone)} of the {settings_alone} settings:" in prose
    names = {v: k for k, v in SETTINGS.items() if k != "tint groups (2x2)"}
    for key in reversed_alone:
        pair = [_cka(study.alone(key[:2], key[2], m).values()) for m in CKA]
        assert f"{names[key[:2]]} {LABELS[key[2]]} ({pair[0]} vs {pair[1]}" in prose
    for setting, text in (
        ("tint groups", "tint groups ERM"),
        ("synthetic NLI", "NLI ERM"),
        ("patch digits", "patch"),
    ):
        s = SETTINGS[setting]
        pair = [_cka(study.distilled(s, "erm", metric=m).values()) for m in CKA]
        assert f"{text} {pair[0]} vs {pair[1]}" in prose


def _listing(items: list[str]) -> str:
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else items[0]


def test_activity_prose(study, prose):
    def spikes(cell):
        return float(_count(cell.values()))

    distilled = {m: study.distilled(CD, m, metric="spikes_per_sample") for m in ALL_METHODS}
    usual = {m: spikes(c) for m, c in distilled.items() if m != "conf_reg"}
    assert f"fire {min(usual.values()):.0f}-{max(usual.values()):.0f} hidden spikes" in prose
    assert f"except conf-reg's, which fire {spikes(distilled['conf_reg']):.0f}" in prose
    for m in usual:
        synops = study.distilled(CD, m, metric="synops_per_sample").values()
        assert round(np.mean(list(synops)) / 1000) == 99, m
    alone = {m: spikes(study.alone(CD, m, "spikes_per_sample")) for m in ALL_METHODS}
    erm = alone.pop("erm")
    fewer = [m for m in alone if alone[m] < erm]
    more = [m for m in alone if alone[m] > erm]
    names, counts = (
        {
            side: _listing([f(m) for m in group])
            for side, group in (("fewer", fewer), ("more", more))
        }
        for f in (LABELS.get, lambda m: f"{alone[m]:.0f}")
    )
    assert (
        f"Students trained alone with {names['fewer']} fire fewer spikes than the ERM student "
        f"alone ({counts['fewer']} vs {erm:.0f}); those trained with {names['more']} fire more "
        f"({counts['more']})"
    ) in prose


def test_nli_aggregate_accuracy(study, prose):
    nli = [_values(cell, "acc") for key, cell in study.table.items() if key[0] == "synthetic_nli"]
    means = [100 * np.mean(list(v.values())) for v in nli]
    assert f"Aggregate accuracy ({min(means):.0f}-{max(means):.0f} %)" in prose


def test_nli_heuristics_match_the_runs_report(prose):
    """The per-heuristic accuracies are not in the CSV (breakdown.json was not kept): they are
    checked against the per-bias-type table of the run's report.md, kept beside the CSV."""
    report = (DOCS / "findings_data" / "report.md").read_text()
    table = report.split("**Per bias type: synthetic_nli**")[1]
    rows = _table(table, "method")
    header = table.split("| method | role |")[1].splitlines()[0].strip(" |").split(" | ")
    column = {
        name: [float(row[2 + i].split(" ± ")[0]) for row in rows] for i, name in enumerate(header)
    }
    solved = column["constituent"] + column["low_overlap"]
    assert f"solved ({_span(solved, 0)} %)" in prose
    assert f"nearly so ({_span(column['subsequence'], 0)} %)" in prose
    assert f"stay at {_span(column['lexical_overlap'], 0)} % for teachers and students" in prose
    lexical = {(row[0], row[1]): float(row[2].split(" ± ")[0]) for row in rows}
    moves = [abs(acc - lexical[("erm", role)]) for (_, role), acc in lexical.items()]
    assert f"Debiasing moves them by at most {max(moves):.0f} points" in prose
