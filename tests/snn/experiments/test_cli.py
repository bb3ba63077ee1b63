"""`snnsoc experiment`: help, listing, one-line errors with exit status 2, the quick preset."""

import csv

import pytest

from riscv_soc.cli import main


def _ok(*argv):
    with pytest.raises(SystemExit) as info:  # typer's standalone mode exits 0 on success
        main(["experiment", *argv])
    assert info.value.code == 0


def _fails(capsys, *argv):
    with pytest.raises(SystemExit) as info:
        main(["experiment", *argv])
    err = capsys.readouterr().err.strip()
    assert info.value.code == 2
    return err


def test_help_and_list(capsys):
    _ok("--help")
    text = capsys.readouterr().out
    assert "--preset" in text and "resumes" in text
    _ok("--list")
    listing = capsys.readouterr().out
    assert "quick" in listing and "paper" in listing and "poe" in listing


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["--preset", "huge"], "preset='huge' is not known; valid: paper, quick"),
        (["--preset", "quick", "--method", "dro"], "method='dro' is not known; valid: conf_reg"),
        (["--preset", "quick", "--dataset", "mnist"], "dataset='mnist' is not known; valid:"),
        (["--preset", "quick", "--rho", "1.0"], "rho=1.0 is outside the open interval (0, 1)"),
        (["--preset", "quick", "--rho", "0"], "rho=0.0 is outside the open interval (0, 1)"),
        (["--preset", "quick", "--backend", "slurm"], "backend='slurm' is not known; valid: local"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, tmp_path, argv, fragment):
    err = _fails(capsys, *argv, "--out", str(tmp_path / "o"), "--quiet")
    assert err == f"snnsoc: error: {fragment}" or (
        err.startswith("snnsoc: error: ") and fragment in err
    )
    assert "\n" not in err
    assert not (tmp_path / "o").exists()


def test_missing_out_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["experiment", "--preset", "quick"])
    assert info.value.code == 2


@pytest.mark.slow
def test_quick_preset_runs_resumes_and_reports_corruption(capsys, tmp_path):
    out = tmp_path / "quick"
    _ok("--preset", "quick", "--out", str(out), "--workers", "1", "--quiet")
    printed = capsys.readouterr().out
    assert "results:" in printed and "report:" in printed
    rows = list(csv.DictReader((out / "results.csv").open()))
    assert len(rows) == 9 * 3  # every model on val, test and test_biased
    assert {r["method"] for r in rows} == {"erm", "poe", "reweight"}
    assert {r["role"] for r in rows} == {"teacher", "student", "distilled"}
    assert {(r["role"], r["split"]) for r in rows} >= {("teacher", "val"), ("distilled", "val")}
    report = (out / "report.md").read_text()
    assert "C1: teacher f_T vs distilled g_T->S" in report
    assert "picked on val WGA; every number shown is on test" in report
    assert "best debiased teacher on val" in report and "fell back" not in report
    # a second run resumes: nothing to train, same table
    _ok("--preset", "quick", "--out", str(out), "--workers", "1", "--quiet")
    assert list(csv.DictReader((out / "results.csv").open())) == rows
    # a corrupt checkpoint the sweep needs is a one-line error, exit 2
    folder = out / "runs" / "colour_digits" / "rho0.95" / "seed0"
    (folder / "distilled__poe__rate__none.json").unlink()
    (folder / "teacher__poe__none__none.pt").write_bytes(b"\x80\x02 truncated")
    err = _fails(capsys, "--preset", "quick", "--out", str(out), "--workers", "1", "--quiet")
    assert "teacher__poe__none__none.pt: not a readable checkpoint" in err
