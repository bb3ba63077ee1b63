"""results.csv read back: typed rows, old CSVs without val rows, errors that name the cell."""

from pathlib import Path

import pytest

from snn.errors import ConfigError
from snn.experiments import write_report
from snn.experiments.results import read_results

FINDINGS_CSV = Path(__file__).parents[3] / "docs" / "findings_data" / "results.csv"


def test_findings_csv_loads_and_its_report_says_selection_fell_back(tmp_path):
    rows = read_results(FINDINGS_CSV)
    assert {r["split"] for r in rows} == {"test", "test_biased"}
    teacher = next(r for r in rows if r["role"] == "teacher")
    assert isinstance(teacher["seed"], int) and isinstance(teacher["wga"], float)
    assert teacher["spikes_per_sample"] is None  # empty cell: ANNs do not spike
    report = write_report(rows, tmp_path).read_text()
    assert "**Note: selection fell back to test.** 665 of 665 models have no val rows" in report
    assert "best debiased teacher on test `poe`" in report


def _csv(tmp_path, header: str, line: str) -> Path:
    path = tmp_path / "results.csv"
    path.write_text(header + "\n" + line + "\n")
    return path


def test_a_bad_cell_is_named_by_file_line_column_and_value(tmp_path):
    header = FINDINGS_CSV.read_text().splitlines()[0]
    line = FINDINGS_CSV.read_text().splitlines()[1].replace(",0.0,", ",zero,", 1)
    with pytest.raises(ConfigError, match=r"results.csv: line 2, column wga='zero' is not a float"):
        read_results(_csv(tmp_path, header, line))


def test_a_missing_column_is_named(tmp_path):
    header = FINDINGS_CSV.read_text().splitlines()[0].replace(",wga,", ",worst,")
    line = FINDINGS_CSV.read_text().splitlines()[1]
    with pytest.raises(ConfigError, match=r"results.csv: no column 'wga'"):
        read_results(_csv(tmp_path, header, line))


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(ConfigError, match=r"nothing.csv: cannot read results"):
        read_results(tmp_path / "nothing.csv")
