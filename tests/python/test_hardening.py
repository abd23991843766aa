"""Regression tests of issue 12 (hardening): one test per item of the issue, named item_N."""

import datetime as dt
import json
import math
import os
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
import skinremodel as sr
from skinremodel import limits
from skinremodel._files import neutralise_cells
from skinremodel.cli import main
from skinremodel.populations.quantile_sketch import QuantileSketch

PLANS = """\
[[plan]]
name = "Gentle"
text = "3 sessions every 4 weeks at 1.0 mm"
"""


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_item_01_plan_text_and_files_bound_the_sessions(tmp_path):
    """issue 12 item 1: the parser and plan files refuse more than MAX_SESSIONS sessions."""
    for text in (
        "100000000 sessions every 1 day",
        "1001 sessions every 7 days",
        "monthly for 100000 months",
        "600 sessions every 7 days, then 600 sessions every 7 days",
        "1e400 sessions every day",
    ):
        with pytest.raises(ValueError, match=r"1000|too large"):
            sr.Schedule.parse(text)
    assert len(sr.Schedule.parse("1000 sessions every 7 days")) == limits.MAX_SESSIONS
    with pytest.raises(ValueError, match=r"at most 10,000 characters"):
        sr.Schedule.parse("4 sessions every 4 weeks" + " " * limits.MAX_TEXT_CHARS)
    with pytest.raises(ValueError, match=r"sessions must be at most 1,000"):
        sr.Schedule(range(0, 7 * 1001, 7))
    plans = _write(tmp_path / "plans.toml", '[[plan]]\ntext = "100000000 sessions every 1 day"\n')
    assert main(["compare", str(plans)]) == 2


def test_item_02_cli_never_overwrites_inputs_and_checks_outputs_first(tmp_path, capsys):
    """issue 12 item 2: --out/--csv onto an input, or into a missing folder, fail before work."""
    plans = _write(tmp_path / "plans.toml", PLANS)
    patient = _write(tmp_path / "patient.toml", "age = 50\n")
    before = plans.read_bytes(), patient.read_bytes()
    assert main(["compare", str(plans), "--out", str(plans)]) == 2
    assert "is an input file" in capsys.readouterr().err
    assert (
        main(
            [
                "compare",
                str(plans),
                "--patient",
                str(patient),
                "--csv",
                str(tmp_path / "." / "patient.toml"),
            ]
        )
        == 2
    )
    os.symlink(plans, tmp_path / "link.html")
    assert main(["compare", str(plans), "--out", str(tmp_path / "link.html")]) == 2
    assert (plans.read_bytes(), patient.read_bytes()) == before
    # A bad folder for --out is found before anything is simulated or written.
    csv = tmp_path / "table.csv"
    assert (
        main(
            [
                "compare",
                str(plans),
                "--csv",
                str(csv),
                "--out",
                str(tmp_path / "missing" / "r.html"),
            ]
        )
        == 2
    )
    assert "does not exist" in capsys.readouterr().err
    assert not csv.exists()
    # Success writes complete files and leaves no temporary file behind.
    out = tmp_path / "report.html"
    assert main(["compare", str(plans), "--csv", str(csv), "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8").rstrip().endswith("</html>")
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask  # not mkstemp's 0600
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["plans.toml", "patient.toml", "link.html", "table.csv", "report.html"]
    )


def test_item_03_csv_cells_cannot_run_as_formulas(tmp_path):
    """issue 12 item 3: text cells starting with = + - @ tab CR get a leading quote."""
    names = ['=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3", "\tx"]
    plans = "".join(
        f'[[plan]]\nname = {json.dumps(n)}\ntext = "{k + 2} sessions every 4 weeks"\n'
        for k, n in enumerate(names)
    )
    path = _write(tmp_path / "plans.toml", plans)
    csv = tmp_path / "t.csv"
    assert main(["compare", str(path), "--csv", str(csv)]) == 0
    table = pd.read_csv(csv, index_col=0, keep_default_na=False)
    assert sorted(table.index) == sorted("'" + n for n in names)
    frame = pd.DataFrame({"a": ["=1", "ok", 3.0], "b": [-1.0, 2.0, 3.0]})
    cleaned = neutralise_cells(frame)
    assert cleaned["a"].tolist() == ["'=1", "ok", 3.0]
    assert cleaned["b"].tolist() == [-1.0, 2.0, 3.0]  # numbers are left alone


def test_item_04_fit_errors_are_solver_errors_and_table_never_overflows(monkeypatch):
    """issue 12 item 4: no OverflowError from the table; every start failing is SolverError."""
    from skinremodel._validation import safe_exp
    from skinremodel.inference.problem import FitProblem

    assert safe_exp(1e6) == math.inf and safe_exp(0.0) == 1.0
    obs = pd.DataFrame(
        {
            "subject": ["A"] * 4,
            "day": [0.0, 30.0, 90.0, 180.0],
            "observable": ["ultrasound_density"] * 4,
            "value": [1.0, 1.05, 1.2, 1.1],
        }
    )
    data = sr.Dataset(obs, sr.Schedule.regular(3, every_days=30))
    fit = sr.fit(data, parameters=["k_mat"], observation_model="proportional", max_nfev=15)
    assert not fit.table[["estimate", "ci_lower", "ci_upper"]].isna().any().any()

    def fail(self, start, **options):
        raise sr.SolverError("no step")

    monkeypatch.setattr(FitProblem, "solve", fail)
    with pytest.raises(sr.SolverError, match="every start failed"):
        sr.fit(data, parameters=["k_mat"], observation_model="proportional", max_nfev=15)


def test_item_05_horizon_and_output_sizes_are_bounded():
    """issue 12 item 5: horizon, output days and batch sizes are refused up front."""
    for days in (1e8, 1e9, 36500.5):
        with pytest.raises(ValueError, match=r"days \(the horizon\) must be in \(0, 36500\]"):
            sr.simulate([0], days=days)
    with pytest.raises(ValueError, match=r"must be at most 100,000"):
        sr.simulate([0], days=None, t_eval=np.linspace(0, 10, 100_001))
    with pytest.raises(ValueError, match=r"horizon.*36500"):
        sr.simulate([0], days=None, t_eval=[0, 1e6])
    with pytest.raises(ValueError, match=r"36500"):
        sr.simulate_many([0], days=653085479)
    with pytest.raises(ValueError, match=r"items .* at most 10,000,000"):
        sr.simulate_many(
            [sr.Schedule([0])] * 4000,
            [sr.Patient()] * 3000,
            cross=True,
            metrics=["first_visible_day"],
        )
    with pytest.raises(ValueError, match=r"values kept .* at most 100,000,000"):
        sr.simulate_many([0], sr.Population(400_000, seed=1).covariates, days=365)
    assert len(sr.simulate([0], days=36500, t_eval=[0, 36500]).t) == 2


def test_item_06_deep_nesting_is_a_value_error(tmp_path, capsys):
    """issue 12 item 6: deeply nested JSON/TOML is refused before parsing; CLI status 2."""
    for text in ("[" * 100_000, '{"a":' * 50_000, "[" * 33 + "]" * 33):
        with pytest.raises(ValueError, match="nested deeper than 32"):
            sr.Schedule.from_json(text)
    with pytest.raises(ValueError, match="nested deeper than 32"):
        sr.Schedule.from_toml("a = " + "[" * 100_000)
    # Brackets inside strings do not count.
    with pytest.raises(ValueError, match="unknown key"):
        sr.Schedule.from_json(json.dumps({"sessions": [], "x": "[" * 100}))
    deep = _write(tmp_path / "plans.json", "[" * 100_000)
    assert main(["compare", str(deep)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("skinremodel: error:") and err.count("\n") == 1
    fit = _write(tmp_path / "fit.json", "[" * 100_000)
    with pytest.raises(ValueError, match="nested deeper"):
        sr.FitResult.load(fit)


def test_item_07_dates_past_9999_are_value_errors(tmp_path):
    """issue 12 item 7: dates that do not exist are ValueErrors, and one CLI error line."""
    history = sr.MedicalHistory(isotretinoin_stopped=dt.date(2020, 1, 1))
    with pytest.raises(ValueError, match="day must be in"):
        sr.Schedule([0, 4e6], start_date="2025-01-01")
    with pytest.raises(ValueError, match="past the last date 9999-12-31"):
        sr.Schedule([0, 9e5], start_date="8000-01-01")
    with pytest.raises(ValueError, match="past the last date"):
        sr.Schedule([0, 400]).starting("9999-06-01")
    with pytest.raises(ValueError, match="past the last date"):
        sr.compare(["standard-course"], sr.Patient(history=history), start_date="9999-12-31")
    plans = _write(tmp_path / "plans.toml", PLANS)
    assert main(["compare", str(plans), "--start-date", "9999-12-31"]) == 2


def test_item_08_round_trips_keep_devices_dates_and_history(tmp_path):
    """issue 12 item 8: Dataset and FitResult keep devices, start dates and dated histories."""
    plan = sr.Schedule.regular(
        3, every_days=30, device=sr.Device.pen(needles=12, passes=2), start_date="2025-01-06"
    )
    patient = sr.Patient(
        age=50, history=sr.MedicalHistory(isotretinoin_stopped=dt.date(2020, 1, 1))
    )
    obs = pd.DataFrame(
        {
            "subject": ["A"] * 4,
            "day": [0.0, 30.0, 90.0, 180.0],
            "observable": ["ultrasound_density"] * 4,
            "value": [1.0, 1.05, 1.2, 1.1],
        }
    )
    data = sr.Dataset(obs, {"A": plan}, {"A": patient})
    again = sr.Dataset.from_dict(json.loads(json.dumps(data.to_dict())))
    assert again.plans["A"] == plan and again.plans["A"][0].device == plan[0].device
    assert again.plans["A"].start_date == dt.date(2025, 1, 6)
    assert again.patients["A"] == patient
    fit = sr.fit(data, parameters=["k_mat"], observation_model="proportional", max_nfev=5)
    path = tmp_path / "fit.json"
    fit.save(path)
    loaded = sr.FitResult.load(path)
    assert loaded.data.plans["A"][0].device == plan[0].device
    assert loaded.data.plans["A"].start_date == plan.start_date
    assert loaded.data.patients["A"] == patient
    state = json.loads(path.read_text(encoding="utf-8"))
    del state["theta"]
    path.write_text(json.dumps(state), encoding="utf-8")
    with pytest.raises(ValueError, match=r"fit.json: saved fit lacks the entry 'theta'"):
        sr.FitResult.load(path)
    state["theta"] = "x"
    path.write_text(json.dumps(state), encoding="utf-8")
    with pytest.raises(ValueError, match=r"fit.json: malformed saved fit"):
        sr.FitResult.load(path)


@pytest.mark.parametrize(
    ("reader", "text", "match"),
    [
        ("read_patients", "subject,phototype\nA,2.7\n", r"row 0: phototype must be a whole"),
        ("read_patients", "subject,phototype\nA,inf\n", r"row 0: phototype must be a finite"),
        ("read_patients", "subject,age\nA,abc\n", r"row 0: age must be a finite number"),
        ("read_patients", "subject,age\nA,40\nA,50\n", r"row 1: subject 'A' already has a row"),
        ("read_patients", "subject,age\n,40\n", r"row 0: subject is empty"),
        ("read_patients", "", r"empty file"),
        ("read_patients", b"subject,age\n\xff\xfe,3\n", r"not a UTF-8 text file"),
        ("read_patients", 'subject,age\n"A,40\n', r"not a valid CSV table"),
        ("read_plans", "subject,day\n,0\nA,30\n", r"row 0: subject is empty"),
        ("read_plans", "subject,day,depth_mm\nA,0,x\n", r"row 0: depth_mm must be a finite"),
        ("read_plans", "subject,day,depht_mm\nA,0,1\n", r"unknown plan column 'depht_mm'"),
        (
            "read_observations",
            "subject,day,observable,value\nA,0,elasticity,zz\n",
            r"row 0: value must be a finite number, got 'zz'",
        ),
    ],
)
def test_item_09_csv_loaders_name_file_row_and_field(tmp_path, reader, text, match):
    """issue 12 item 9: CSV loaders refuse lossy cells, naming the file, row and field."""
    from skinremodel.inference import dataset

    path = tmp_path / "table.csv"
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    with pytest.raises(ValueError, match=r"table.csv: " + match):
        getattr(dataset, reader)(path)


def test_item_09_csv_patients_accept_every_covariate(tmp_path):
    """issue 12 item 9: an acne_scars column is read like the other Patient fields."""
    from skinremodel.inference.dataset import read_patients

    path = _write(tmp_path / "p.csv", "subject,acne_scars,phototype\nA,yes,3\nB,,\n")
    patients = read_patients(path)
    assert patients["A"] == sr.Patient(acne_scars=True, phototype=3)
    assert patients["B"] == sr.Patient()


def test_item_09_parameter_csv_names_file_row_and_parameter(tmp_path):
    """issue 12 item 9: Parameters.from_csv refuses duplicates and non-numbers, naming them."""
    path = _write(tmp_path / "p.csv", "name,value\nk_mat,0.02\nk_mat,0.03\n")
    with pytest.raises(ValueError, match=r"p.csv: row 1: parameter 'k_mat' is given twice"):
        sr.Parameters.from_csv(path)
    _write(path, "name,value\nk_mat,abc\n")
    with pytest.raises(ValueError, match=r"p.csv: row 0: value of 'k_mat' must be a number"):
        sr.Parameters.from_csv(path)
    _write(path, "name,value\nk_mat,0.02\n")
    assert sr.Parameters.from_csv(path)["k_mat"] == 0.02


def test_item_10_subnormal_session_days_and_nonfinite_sensitivities():
    """issue 12 item 10: sub-resolution days are refused; sensitivities are never NaN."""
    for days in ([1e-307], [5e-324], [0, 10, 10 + 1e-9]):
        with pytest.raises(ValueError, match=r"1e-06"):
            sr.Schedule(days)
    res = sr.simulate([1e-6, 30], days=60, method="dopri5", sensitivities=["k_mat"])
    assert np.all(np.isfinite(res.sensitivities.array()))


def test_item_11_population_bands_stream_in_bounded_memory():
    """issue 12 item 11: bands are exact for small populations and streamed for large ones."""
    pop = sr.Population(3000, variability={"s_w": 0.3}, seed=3)
    assert pop._varied.shape == (3000, 1)  # only the varied columns are stored
    assert pop.params_matrix.shape == (3000, len(sr.Parameters.default().names))
    rng = np.random.default_rng(0)
    values = rng.lognormal(size=(50_000, 7))
    sketch = QuantileSketch(7, capacity=512)
    for start in range(0, len(values), 3000):
        sketch.add(values[start : start + 3000])
    assert not sketch.exact and sketch.nbytes < 20 * 512 * 7 * 8
    qs = np.array([0.05, 0.5, 0.95])
    estimate = sketch.quantiles(qs)
    ranks = (values[:, np.newaxis, :] <= estimate[np.newaxis]).mean(axis=0)
    assert np.all(np.abs(ranks - qs[:, np.newaxis]) < 0.01)
    small = QuantileSketch(7)
    small.add(values[:1000])
    assert np.array_equal(small.quantiles(qs), np.quantile(values[:1000], qs, axis=0))
    with pytest.raises(ValueError, match=r"Population.outcomes: patients must be at most"):
        sr.Population(1_000_001, seed=1).outcomes([0], days=[30])


@pytest.mark.parametrize(
    "call",
    [
        lambda: sr.simulate([10**400], days=30),
        lambda: sr.simulate([0], days=10**400),
        lambda: sr.Patient(age=10**400),
        lambda: sr.simulate([0], days=3, params={"k_mat": 10**400}),
        lambda: sr.simulate([0], days=None, t_eval=[0, 10**400]),
        lambda: sr.Schedule.regular(3, every_days=10**400),
        lambda: sr.simulate_many([0], days=[0, 10**400]),
    ],
)
def test_item_12_huge_python_ints_are_value_errors(call):
    """issue 12 item 12: ints beyond float range give ValueError, never OverflowError."""
    with pytest.raises(ValueError):
        call()


def test_item_13_schedule_files_state_every_field():
    """issue 12 item 13: a file without sessions, or a session without a field, is refused."""
    with pytest.raises(ValueError, match="missing key 'sessions'"):
        sr.Schedule.from_json('{"format": "skinremodel.schedule"}')
    assert len(sr.Schedule.from_json('{"sessions": []}')) == 0
    full = {"day": 0.0, "depth_mm": 1.5, "density_per_cm2": 250.0, "dose_scale": 1.0}
    assert sr.Schedule.from_dict({"sessions": [full]}) == sr.Schedule([0])
    for key in full:
        partial = {k: v for k, v in full.items() if k != key}
        with pytest.raises(ValueError, match=f"missing key '{key}'"):
            sr.Schedule.from_dict({"sessions": [partial]})
    plan = sr.Schedule.regular(2, every_weeks=4, device=sr.Device.roller(passes=10))
    assert sr.Schedule.from_toml(plan.to_toml()) == plan


def test_item_14_plan_files_stay_inside_their_folder(tmp_path, capsys):
    """issue 12 item 14: file = absolute or ../ paths (and links out) are refused."""
    outside = tmp_path / "secret.toml"
    sr.Schedule([0]).save(outside)
    folder = tmp_path / "plans"
    folder.mkdir()
    sr.Schedule([0, 30]).save(folder / "inside.toml")
    os.symlink(outside, folder / "link.toml")
    for target, message in (
        (str(outside), "must be a path relative"),
        ("../secret.toml", "is outside"),
        ("link.toml", "is outside"),
    ):
        plans = _write(folder / "plans.toml", f"[[plan]]\nfile = {json.dumps(target)}\n")
        assert main(["compare", str(plans)]) == 2
        assert message in capsys.readouterr().err
    plans = _write(folder / "plans.toml", '[[plan]]\nname = "in"\nfile = "inside.toml"\n')
    assert main(["compare", str(plans), "--horizon", "60"]) == 0
    # A plan file named by the plans file is an input too: never an output.
    assert (
        main(["compare", str(plans), "--horizon", "60", "--csv", str(folder / "inside.toml")]) == 2
    )


def test_cli_errors_are_one_line_for_hostile_inputs(tmp_path):
    """issue 12: the command line never prints a traceback for the hostile files above."""
    cases = ["[" * 100_000, "x" * 10, '[[plan]]\ntext = "4 sessions every 1e400 days"\n']
    for k, text in enumerate(cases):
        path = _write(tmp_path / f"p{k}.toml", text)
        proc = subprocess.run(
            [sys.executable, "-m", "skinremodel.cli", "compare", str(path)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert proc.returncode == 2, proc.stderr
        assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1


def test_limits_are_defined_once_and_documented():
    """issue 12: every bound in limits.py appears in docs/limits.md."""
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "limits.md").read_text(encoding="utf-8")
    for name in limits.__all__:
        if name.isupper():
            assert name in doc, name
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert sr.Population(10, seed=1).size == 10
