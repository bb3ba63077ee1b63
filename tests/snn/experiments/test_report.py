"""report.md: the C1/C2 numbers (mean, std, paired deltas), remedy and breakdown tables, plots."""

from snn.experiments import write_report


def _row(method, role, seed, wga, kd="none", remedy="none", split="test", **extra):
    return {
        "dataset": "colour_digits",
        "rho": 0.95,
        "seed": seed,
        "method": method,
        "kd": kd,
        "remedy": remedy,
        "role": role,
        "split": split,
        "acc": 0.9,
        "unbiased_acc": 0.8,
        "aligned_acc": 0.95,
        "conflicting_acc": 0.7,
        "wga": wga,
        "spurious_gap": 0.25,
        "spikes_per_sample": None if role == "teacher" else 100.0 + seed,
        "synops_per_sample": None if role == "teacher" else 1000.0,
        "cka_aligned": 0.9,
        "cka_conflicting": 0.8,
        "breakdown": extra.get("breakdown", {}),
    }


def test_c1_c2_and_remedy_tables(tmp_path):
    rows = []
    for seed, (t, s, d, r) in enumerate([(0.60, 0.50, 0.40, 0.62), (0.70, 0.52, 0.46, 0.66)]):
        rows += [
            _row("poe", "teacher", seed, t),
            _row("poe", "student", seed, s),
            _row("poe", "distilled", seed, d, kd="rate"),
            _row("poe", "distilled", seed, r, kd="rate", remedy="convert+augment"),
            _row("poe", "distilled", seed, 0.0, kd="rate", split="test_biased"),
        ]
    report = write_report(rows, tmp_path, "unit").read_text()
    # C1 row: teacher 65.0 ± 7.1, distilled 43.0 ± 4.2, paired delta (-20, -24) -> -22.0 ± 2.8,
    # 95 % t-interval -22 ± t(0.975, 1) * 2.83 / sqrt(2) = -22 ± 25.4
    assert (
        "| poe | 80.0 ± 0.0 | 80.0 ± 0.0 | 65.0 ± 7.1 | 43.0 ± 4.2 | -22.0 ± 2.8 [-47.4, +3.4] |"
    ) in report
    # C2: student alone 51.0 ± 1.4, delta (-10, -6) -> -8.0 ± 2.8
    assert "| 51.0 ± 1.4 | 43.0 ± 4.2 | -8.0 ± 2.8 [-33.4, +17.4] |" in report
    # remedies: convert+augment 64.0 ± 2.8 with delta to the teacher (+2, -4) -> -1.0 ± 4.2
    assert "64.0 ± 2.8 (-1.0 ± 4.2 [-39.1, +37.1])" in report
    assert "(not part of this run)" in report  # no KD variants in these rows
    assert (tmp_path / "wga_colour_digits_rho0.95.png").stat().st_size > 1000


def test_breakdown_table_for_bias_types(tmp_path):
    subsets = {"lexical_overlap": {"acc": 0.5}, "constituent": {"acc": 1.0}}
    rows = [{**_row("erm", "teacher", 0, 0.4, breakdown=subsets), "dataset": "synthetic_nli"}]
    report = write_report(rows, tmp_path).read_text()
    assert "| method | role | lexical_overlap | constituent |" in report
    assert "| erm | teacher | 50.0 ± 0.0 | 100.0 ± 0.0 |" in report


def test_headline_without_val_rows_falls_back_to_test_and_says_so(tmp_path):
    rows = []
    for seed in (0, 1):
        rows += [
            _row("erm", "teacher", seed, 0.0),
            _row("poe", "teacher", seed, 0.6),
            _row("reweight", "teacher", seed, 0.2),
            _row("poe", "distilled", seed, 0.4, kd="rate"),
            _row("poe", "distilled", seed, 0.58, kd="rate", remedy="convert"),
        ]
    report = write_report(rows, tmp_path).read_text()
    assert "**Note: selection fell back to test.** 10 of 10 models have no val rows" in report
    assert (
        "best debiased teacher on test `poe` WGA 60.0 ± 0.0 vs ERM teacher 0.0 ± 0.0 "
        "(Δ +60.0 ± 0.0 [+60.0, +60.0], 2 seeds)"
    ) in report
    assert (
        "best student on test (kd `rate`, remedy `convert`) 58.0 ± 0.0, Δ to the teacher" in report
    )


def test_headline_picks_on_val_and_reports_test(tmp_path):
    """Val and test disagree on purpose: the picks follow val, the numbers are test's."""
    rows = []
    for seed in (0, 1):
        for split, poe, reweight, plain, convert in (
            ("test", 0.6, 0.2, 0.4, 0.58),
            ("val", 0.3, 0.5, 0.5, 0.1),
        ):
            rows += [
                _row("erm", "teacher", seed, 0.0, split=split),
                _row("poe", "teacher", seed, poe, split=split),
                _row("reweight", "teacher", seed, reweight, split=split),
                _row("reweight", "distilled", seed, plain, kd="rate", split=split),
                _row(
                    "reweight", "distilled", seed, convert, kd="rate", remedy="convert", split=split
                ),
            ]
    report = write_report(rows, tmp_path).read_text()
    assert "picked on val WGA; every number shown is on test" in report
    assert "fell back" not in report
    assert "best debiased teacher on val `reweight` WGA 20.0 ± 0.0 vs ERM" in report
    assert (
        "best student on val (kd `rate`, remedy `none`) 40.0 ± 0.0, Δ to the teacher +20.0"
        in report
    )


def test_partial_val_rows_fall_back_to_test(tmp_path):
    rows = [_row("erm", "teacher", 0, 0.1), _row("poe", "teacher", 0, 0.5)]
    rows.append(_row("poe", "teacher", 0, 0.5, split="val"))
    report = write_report(rows, tmp_path).read_text()
    assert "selection fell back to test.** 1 of 2 models have no val rows" in report
