"""`skinremodel compare` and `skinremodel plans`: files in, table, CSV and report out; bad
files end in one clear line and a non-zero exit."""

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import skinremodel as sr
from skinremodel.cli import main
from skinremodel.clinic.clinic_files import load_patient_file, load_plans_file

ROOT = Path(__file__).resolve().parents[2]
# The example plans have touch-ups after 12 months: compare() called here directly warns about
# them (the CLI prints the warning; test_sessions_after_the_horizon_warn checks it).
pytestmark = pytest.mark.filterwarnings("ignore::skinremodel.clinic.compare.HorizonWarning")
EXAMPLES = ROOT / "examples"


def test_compare_example_files_writes_csv_png_and_report(tmp_path, capsys):
    csv, png, html = tmp_path / "t.csv", tmp_path / "p.png", tmp_path / "r.html"
    status = main(
        [
            "compare",
            str(EXAMPLES / "plans.toml"),
            "--patient",
            str(EXAMPLES / "patient_62_diabetes.toml"),
            "--csv",
            str(csv),
            "--png",
            str(png),
            "--out",
            str(html),
        ]
    )
    out = capsys.readouterr()
    assert status == 0, out.err
    assert "Gentle course with a pen" in out.out and "caution: diabetes" in out.out
    table = pd.read_csv(csv, index_col=0)
    plans, start = load_plans_file(EXAMPLES / "plans.toml")
    patient = load_patient_file(EXAMPLES / "patient_62_diabetes.toml")
    cmp = sr.compare(plans, patient, start_date=start)
    expected = cmp.rank()
    assert list(table.index) == list(expected.index)  # sorted by rank
    assert table["rank"].tolist() == [1, 2, 3, 4]
    pd.testing.assert_series_equal(
        table["collagen change 12 mo (%)"],
        expected["collagen change 12 mo (%)"].round(1),
        check_names=False,
    )
    assert table["noticeable by 12 mo"].isin(["yes", "no"]).all()
    assert table.loc["Standard course, 6 sessions every 6 weeks", "sessions"] == 6
    assert table.loc["Gentle course with a pen", "first session (date)"] == "2025-06-02"
    assert png.stat().st_size > 10_000 and '<img id="plots"' in html.read_text()


def test_plan_file_forms(tmp_path):
    saved = sr.Schedule.parse("2 sessions every 6 weeks at 1 mm", name="saved")
    saved.save(tmp_path / "saved.json")
    (tmp_path / "plans.toml").write_text("""
[[plan]]
file = "saved.json"

[[plan]]
name = "inline"
start_date = 2025-01-06
[[plan.sessions]]
day = 0.0
depth_mm = 0.5
density_per_cm2 = 250.0
dose_scale = 1.0
[[plan.sessions]]
day = 30.0
depth_mm = 0.5
density_per_cm2 = 250.0
dose_scale = 1.0

[[plan]]
library = "short-course"
sessions = 2
device = { kind = "roller", passes = 10 }
""")
    plans, start = load_plans_file(tmp_path / "plans.toml")
    assert start is None
    assert plans["saved"] == saved
    assert plans["inline"].days.tolist() == [0, 30] and plans["inline"].start_date.year == 2025
    short = plans["2-3 sessions 1-2 weeks apart (2 sessions)"]
    assert short[0].device == sr.Device.roller(passes=10)


@pytest.mark.parametrize(
    ("plans", "patient", "message"),
    [
        (None, "missing.toml", "missing.toml: no such file"),
        ("[[plan]\nlibrary = 'x'", None, "plans.toml: not valid TOML"),
        (
            "[[plan]]\nlibrary = 'standard'",
            None,
            "plans.toml: plan[0]: unknown library plan 'standard'; did you mean",
        ),
        (
            "[[plan]]\nname = 'A'\ntext = 'every six wekks'",
            None,
            "plans.toml: plan[0] ('A'): plan text 'every six wekks'",
        ),
        (
            "[[plan]]\nlibrary = 'short-course'\nsesions = 2",
            None,
            "plan[0]: unknown key 'sesions'; did you mean 'sessions'?",
        ),
        (
            "[[plan]]\ntext = '1 session'\nlibrary = 'short-course'",
            None,
            "give exactly one of library, text, file or sessions, got library, text",
        ),
        (
            "[[plan]]\nlibrary = 'short-course'\nsessions = 9",
            None,
            "sessions must be an integer in [2, 3]",
        ),
        ("start_date = 2025-01-01", None, "no plans; add [[plan]] tables"),
        (None, "age = 12", "patient.toml: age must be in [18, 100] years, got 12"),
        (
            None,
            "age = 40\nsmoking = true",
            "patient.toml: unknown key 'smoking'; did you mean 'smoker'?",
        ),
        (
            None,
            "[history]\nisotretinoin_stopped = 2025-01-01",
            "history has dates (isotretinoin_stopped=2025-01-01)",
        ),
    ],
)
def test_bad_files_give_one_error_line_and_exit_2(tmp_path, capsys, plans, patient, message):
    args = ["compare"]
    if plans is not None:
        (tmp_path / "plans.toml").write_text(plans)
        args.append(str(tmp_path / "plans.toml"))
    if patient is not None:
        path = tmp_path / ("missing.toml" if patient == "missing.toml" else "patient.toml")
        if patient != "missing.toml":
            path.write_text(patient)
        args += ["--patient", str(path)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("skinremodel: error: ") and err.count("\n") == 1
    assert message in err, err


def test_override_and_start_date_flags(tmp_path, capsys):
    (tmp_path / "patient.toml").write_text(
        "age = 30\n[history]\nisotretinoin_stopped = 2025-01-01\n"
    )
    args = ["compare", "--patient", str(tmp_path / "patient.toml"), "--start-date", "2025-05-01"]
    assert main(args) == 0  # a contraindication is reported, not an error
    assert "Contraindicated: every plan (4 of 4) is blocked" in capsys.readouterr().out
    assert main([*args, "--override", "isotretinoin=approved by the dermatologist"]) == 0
    out = capsys.readouterr().out
    assert "[overridden: approved by the dermatologist]" in out
    assert "OVERRIDDEN: Isotretinoin within 6 months" in out
    assert main([*args, "--override", "isotretinoin"]) == 2
    assert "write RULE=REASON" in capsys.readouterr().err
    assert main([*args, "--override", "isotretinoin=x"]) == 2
    assert "needs a reason of at least 3 words" in capsys.readouterr().err


def test_contraindicated_patient_still_gets_a_report(tmp_path, capsys):
    (tmp_path / "patient.toml").write_text(
        "age = 30\n[history]\npregnant = true\nisotretinoin_stopped = 2025-03-15\n"
    )
    html, csv = tmp_path / "r.html", tmp_path / "t.csv"
    args = [
        "compare",
        "--patient",
        str(tmp_path / "patient.toml"),
        "--start-date",
        "2025-06-02",
        "--out",
        str(html),
        "--csv",
        str(csv),
        "--png",
        str(tmp_path / "p.png"),
    ]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "SCREENING: Contraindicated: every plan (4 of 4) is blocked" in out
    report = html.read_text()
    assert report.index('id="verdict"') < report.index('id="ranking"')
    assert "What would unblock it" in report and "15 September 2025" in report
    assert "15 March 2025" in report and "datetime.date" not in report
    assert pd.read_csv(csv, index_col=0)["status"].tolist() == ["blocked"] * 4
    assert not (tmp_path / "p.png").exists()  # nothing to plot; the report says why
    reason = "delivered in March; obstetrician and dermatologist agree"
    assert (
        main(
            [
                *args,
                "--override",
                f"pregnancy={reason}",
                "--override",
                "isotretinoin=consensus 2017 finds no need to wait",
            ]
        )
        == 0
    )
    report = html.read_text()
    assert 'id="overrides"' in report and reason in report
    assert (tmp_path / "p.png").stat().st_size > 10_000


@pytest.mark.parametrize(
    ("horizon", "days"),
    [("12mo", 365), ("365d", 365), ("1y", 365), ("18mo", 540), ("26w", 182), ("400", 400)],
)
def test_horizon_units(capsys, horizon, days):
    assert main(["compare", "--horizon", horizon]) == 0
    out = capsys.readouterr().out
    assert f"({days} days)" in out or f"over {days} days" in out


def test_bare_small_horizon_is_refused(capsys):
    assert main(["compare", "--horizon", "12"]) == 2
    assert "Give a unit: 12mo (months)" in capsys.readouterr().err


def test_sessions_after_the_horizon_warn(tmp_path, capsys):
    (tmp_path / "plans.toml").write_text("[[plan]]\ntext = '6 sessions every 4 weeks'\n")
    assert main(["compare", str(tmp_path / "plans.toml"), "--horizon", "3mo"]) == 0
    err = capsys.readouterr().err
    assert "2 of 6 sessions fall after the horizon (day 90) and are not simulated" in err


def test_schedule_warnings_are_reported_not_raised(tmp_path, capsys):
    (tmp_path / "plans.toml").write_text("[[plan]]\ntext = '3 sessions every 4 days'\n")
    assert main(["compare", str(tmp_path / "plans.toml")]) == 0
    err = capsys.readouterr().err
    assert (
        "skinremodel: warning: sessions[0] (day 0) and sessions[1] (day 4) are 4 days apart" in err
    )


def test_plans_lists_the_library(capsys):
    assert main(["plans"]) == 0
    out = capsys.readouterr().out
    for name in sr.plans.list():
        assert name in out
    assert "6 sessions every month at 1.5 mm, then 2 sessions every year" in out


def test_no_traceback_from_the_console_script(tmp_path):
    (tmp_path / "plans.toml").write_text("not toml at all = = =")
    out = subprocess.run(
        [sys.executable, "-m", "skinremodel.cli", "compare", str(tmp_path / "plans.toml")],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 2 and "Traceback" not in out.stderr
    assert out.stderr.count("\n") == 1
