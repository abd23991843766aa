"""Fitting: likelihood and Jacobian, recovery of known parameters, identifiability, results."""

import json
import math

import numpy as np
import pandas as pd
import pytest
import skinremodel as sr
from scipy.stats import norm
from skinremodel.inference.problem import FitProblem

PLAN = sr.Schedule.regular(4, every_days=30)
DAYS = [0.0, 30.0, 90.0, 180.0]
S_W = sr.Parameters.default()["s_w"]  # the truth of the synthetic cohorts
TRUE_SHARED = {"k_mat": 0.02, "kap_el": 2.0}


def _predict(plan, patient, params, days, observable):
    """Model values on the data convention: on a session day, the state before the session."""
    res = sr.simulate(plan, patient, days=None, t_eval=days, params=params)
    out = []
    for i, d in enumerate(days):
        hits = np.flatnonzero(res.session_days == d)
        states = res.pre_session[hits[0]] if hits.size else res.y[i]
        out.append(float(res.observable(observable, states)[0]))
    return np.array(out)


def _cohort(n_subjects=20, seed=2024):
    rng = np.random.default_rng(seed)
    patients = {
        f"S{j:02d}": sr.Patient(age=float(rng.uniform(25, 70)), smoker=bool(rng.random() < 0.3))
        for j in range(n_subjects)
    }
    s_w = {s: float(S_W * np.exp(0.3 * rng.standard_normal())) for s in patients}
    truth = {
        s: {
            o: _predict(
                PLAN, p, sr.Parameters.default().replace(s_w=s_w[s], **TRUE_SHARED), DAYS, o
            )
            for o in ("ultrasound_density", "elasticity")
        }
        for s, p in patients.items()
    }
    return patients, s_w, truth


def _noisy(truth, rng, cv=0.05):
    rows = [
        (s, d, o, v * (1 + cv * rng.standard_normal()))
        for s, by_obs in truth.items()
        for o, values in by_obs.items()
        for d, v in zip(DAYS, values, strict=True)
    ]
    return pd.DataFrame(rows, columns=["subject", "day", "observable", "value"])


@pytest.fixture(scope="module")
def cohort():
    return _cohort()


def test_true_values_lie_in_95_percent_intervals(cohort):
    # 20 subjects, 5% proportional noise at days 0, 30, 90, 180 on ultrasound density and
    # elasticity; k_mat and kap_el shared, s_w per subject (22 parameters), 20 seeded repeats.
    # The noise CV is given (see test_noise_level_is_estimated for estimating it).
    patients, s_w, truth = cohort
    model = sr.ObservationModel("proportional", cv=0.05)
    true = {**TRUE_SHARED, **{f"s_w[{s}]": v for s, v in s_w.items()}}
    inside = []
    for repeat in range(20):
        data = sr.Dataset(_noisy(truth, np.random.default_rng(repeat)), PLAN, patients)
        res = sr.fit(
            data,
            parameters=["k_mat", "kap_el"],
            per_subject=["s_w"],
            observation_model=model,
            options=sr.SolverOptions(rtol=1e-6),
        )
        t = res.table
        inside += [t.loc[n, "ci_lower"] <= v <= t.loc[n, "ci_upper"] for n, v in true.items()]
    coverage = np.mean(inside)
    assert len(inside) == 440
    assert coverage >= 0.90, coverage
    assert coverage <= 0.99, coverage  # intervals are not uselessly wide either


def test_noise_level_is_estimated(cohort):
    # The same cohort with one s_w for everyone: three shared parameters and the noise CV of
    # each observable estimated by maximum likelihood.
    patients, _, _ = cohort
    truth = {
        s: {
            o: _predict(PLAN, p, sr.Parameters.default().replace(**TRUE_SHARED), DAYS, o)
            for o in ("ultrasound_density", "elasticity")
        }
        for s, p in patients.items()
    }
    data = sr.Dataset(_noisy(truth, np.random.default_rng(99)), PLAN, patients)
    res = sr.fit(
        data,
        parameters=["k_mat", "kap_el", "s_w"],
        options=sr.SolverOptions(rtol=1e-6),
        initial={"noise_cv[elasticity]": 0.2},
    )
    t = res.table
    for name, value in {
        **TRUE_SHARED,
        "s_w": S_W,
        "noise_cv[ultrasound_density]": 0.05,
        "noise_cv[elasticity]": 0.05,
    }.items():
        assert t.loc[name, "ci_lower"] < value < t.loc[name, "ci_upper"], name
    # Maximum likelihood divides by n, not n - p: with many per-subject parameters the noise
    # estimate is low (here 22 parameters for 160 observations; docs/fitting.md).
    per_subject = sr.fit(
        data,
        parameters=["k_mat", "kap_el"],
        per_subject=["s_w"],
        options=sr.SolverOptions(rtol=1e-6),
    )
    for o in ("ultrasound_density", "elasticity"):
        assert per_subject.estimates[f"noise_cv[{o}]"] < res.estimates[f"noise_cv[{o}]"]


def _ultrasound_only(seed=3):
    rng = np.random.default_rng(seed)
    patients = {f"P{j}": sr.Patient(age=30.0 + 8 * j) for j in range(5)}
    rows = []
    for s, p in patients.items():
        values = _predict(
            PLAN, p, sr.Parameters.default(), [15.0, 45.0, 120.0, 180.0], "ultrasound_density"
        )
        rows += [
            (s, d, "ultrasound_density", v * (1 + 0.05 * rng.standard_normal()))
            for d, v in zip([15.0, 45.0, 120.0, 180.0], values, strict=True)
        ]
    return pd.DataFrame(rows, columns=["subject", "day", "observable", "value"]), patients


def test_synthesis_gain_and_ultrasound_gain_are_reported_as_not_identifiable():
    # Design note: s_w and kap_US are not separately identifiable from ultrasound alone.
    obs, patients = _ultrasound_only()
    model = sr.ObservationModel("proportional", cv=0.05)
    res = sr.fit(
        obs,
        PLAN,
        patients,
        parameters=["s_w", "kap_US"],
        observation_model=model,
        profile=["s_w"],
        options=sr.SolverOptions(rtol=1e-7),
    )
    pairs = {(a, b) for a, b, r in res.identifiability.correlated_pairs}
    assert ("s_w", "kap_US") in pairs
    assert res.identifiability.correlation.loc["s_w", "kap_US"] < -0.99
    assert not res.identifiability.identifiable
    assert "s_w and kap_US cannot be told apart" in res.identifiability.summary()
    # The profile likelihood does not close on one side: the data do not bound s_w.
    assert res.table.loc["s_w", "profile_upper"] == math.inf
    # Histology (total collagen) next to ultrasound separates them.
    collagen = obs.copy()
    collagen["observable"] = "total_collagen"
    rng = np.random.default_rng(5)
    collagen["value"] = [
        v * (1 + 0.05 * rng.standard_normal())
        for v in np.concatenate(
            [
                _predict(
                    PLAN,
                    patients[s],
                    sr.Parameters.default(),
                    [15.0, 45.0, 120.0, 180.0],
                    "total_collagen",
                )
                for s in patients
            ]
        )
    ]
    both = sr.fit(
        pd.concat([obs, collagen]),
        PLAN,
        patients,
        parameters=["s_w", "kap_US"],
        observation_model=model,
        options=sr.SolverOptions(rtol=1e-7),
    )
    assert both.identifiability.correlated_pairs == []
    assert both.table.loc["s_w", "ci_lower"] < S_W < both.table.loc["s_w", "ci_upper"]


def _small_problem(noise="proportional"):
    obs, patients = _ultrasound_only()
    obs = obs[obs.subject.isin(["P0", "P1"])]
    el = obs.copy()
    el["observable"] = "elasticity"
    el["value"] = 1.0 + (obs["value"] - 1.0) * 0.3
    data = sr.Dataset(pd.concat([obs, el]), PLAN, {s: patients[s] for s in ("P0", "P1")})
    models = {o: sr.ObservationModel(noise) for o in data.observable_names}
    return FitProblem(
        data,
        ["k_mat"],
        ["s_w"],
        models,
        sr.Parameters.default(),
        {},
        {},
        sr.SolverOptions(method="rodas4", rtol=1e-9, atol=1e-13),
    )


@pytest.mark.parametrize("noise", ["additive", "proportional", "combined"])
def test_jacobian_equals_central_differences_of_residuals(noise):
    problem = _small_problem(noise)
    theta = problem.theta0 + 0.1 * np.arange(len(problem.theta0)) / len(problem.theta0)
    jac = problem.jacobian(theta)
    for j in range(len(theta)):
        h = 1e-5
        up, down = theta.copy(), theta.copy()
        up[j] += h
        down[j] -= h
        fd = (problem.residuals(up) - problem.residuals(down)) / (2 * h)
        np.testing.assert_allclose(
            jac[:, j],
            fd,
            rtol=2e-5,
            atol=2e-6 * np.abs(fd).max(),
            err_msg=f"column {problem.names[j]}",
        )


def test_likelihood_and_information_criteria():
    problem = _small_problem("combined")
    theta = problem.theta0
    ev = problem.evaluate(theta)
    y = problem.data.observations["value"].to_numpy()
    expected = -norm.logpdf(y, ev.f, ev.sigma).sum()
    assert problem.negative_log_likelihood(theta) == pytest.approx(expected, rel=1e-12)
    # 0.5 |residuals|^2 differs from the negative log-likelihood by a constant only.
    r1 = problem.residuals(theta)
    r2 = problem.residuals(theta + 0.05)
    diff = 0.5 * (r2 @ r2 - r1 @ r1)
    assert diff == pytest.approx(
        problem.negative_log_likelihood(theta + 0.05) - problem.negative_log_likelihood(theta),
        rel=1e-9,
    )
    res = sr.fit(
        problem.data,
        parameters=["k_mat"],
        per_subject=["s_w"],
        observation_model="combined",
        options=sr.SolverOptions(rtol=1e-7),
    )
    k, n = len(res.names), res.n_observations
    assert res.aic == pytest.approx(2 * k + 2 * res.nll)
    assert res.bic == pytest.approx(k * math.log(n) + 2 * res.nll)
    np.testing.assert_allclose(
        res.residuals["residual"],
        (res.residuals["value"] - res.residuals["prediction"]) / res.residuals["sd"],
    )


def test_multistart_is_seeded_and_keeps_the_best():
    obs, patients = _ultrasound_only()
    kwargs = dict(
        parameters=["s_w"],
        observation_model="proportional",
        n_starts=4,
        seed=11,
        options=sr.SolverOptions(rtol=1e-6),
    )
    a = sr.fit(obs, PLAN, patients, **kwargs)
    b = sr.fit(obs, PLAN, patients, **kwargs)
    assert [r["theta"] for r in a.runs] == [r["theta"] for r in b.runs]
    assert len(a.runs) == 4
    assert a.nll == min(r["nll"] for r in a.runs)
    c = sr.fit(obs, PLAN, patients, **{**kwargs, "seed": 12})
    assert [r["theta"] for r in a.runs[1:]] != [r["theta"] for r in c.runs[1:]]


@pytest.fixture(scope="module")
def small_fit():
    obs, patients = _ultrasound_only()
    first = obs.index[:3]
    obs.loc[first, "sd"] = 0.05 * obs.loc[first, "value"]  # some rows with a known sd
    return sr.fit(
        obs,
        PLAN,
        patients,
        parameters=["k_mat"],
        per_subject=["s_w"],
        observation_model="combined",
        profile=["k_mat"],
        options=sr.SolverOptions(rtol=1e-7),
        initial={"noise_sd[ultrasound_density]": 0.02},
    )


def test_save_and_load_round_trip_exactly(small_fit, tmp_path):
    path = tmp_path / "fit.json"
    small_fit.save(path)
    loaded = sr.FitResult.load(path)
    again = tmp_path / "again.json"
    loaded.save(again)
    assert path.read_text() == again.read_text()
    assert loaded.estimates == small_fit.estimates
    pd.testing.assert_frame_equal(loaded.table, small_fit.table, check_exact=True)
    pd.testing.assert_frame_equal(loaded.residuals, small_fit.residuals, check_exact=True)
    pd.testing.assert_frame_equal(loaded.covariance, small_fit.covariance, check_exact=True)
    assert loaded.profiles == small_fit.profiles
    assert loaded.identifiability.correlated_pairs == small_fit.identifiability.correlated_pairs
    # Infinite interval ends survive as tagged values in standard JSON.
    text = path.read_text()
    assert "Infinity" not in text and "NaN" not in text
    json.loads(text)
    # A loaded result still predicts (rebuilding the likelihood from the saved specification).
    p1 = loaded.predict("P0", "ultrasound_density", days=[0, 45, 180])
    p2 = small_fit.predict("P0", "ultrasound_density", days=[0, 45, 180])
    pd.testing.assert_frame_equal(p1, p2)
    with pytest.raises(ValueError, match="not a saved skinremodel FitResult"):
        bad = tmp_path / "bad.json"
        bad.write_text("{}")
        sr.FitResult.load(bad)


def test_predictions_with_confidence_band(small_fit):
    pred = small_fit.predict(level=0.9)
    assert list(pred.columns) == ["subject", "observable", "day", "prediction", "lower", "upper"]
    assert (pred.lower <= pred.prediction).all() and (pred.prediction <= pred.upper).all()
    day0 = pred[pred.day == 0]
    # Before the first session every observable sits at baseline whatever the parameters.
    np.testing.assert_allclose(day0.prediction, 1.0, atol=1e-12)
    np.testing.assert_allclose(day0.upper - day0.lower, 0.0, atol=1e-12)
    later = pred[pred.day == 120]
    assert (later.upper - later.lower > 0).all()
    wider = small_fit.predict("P1", "ultrasound_density", days=[120], level=0.99)
    narrow = small_fit.predict("P1", "ultrasound_density", days=[120], level=0.5)
    assert (wider.upper - wider.lower).item() > (narrow.upper - narrow.lower).item()
    # The fitted trajectory passes the data: standardised residuals of a good fit are O(1).
    assert np.abs(small_fit.residuals["residual"]).max() < 4


def test_display(small_fit):
    fig = small_fit.plot()
    assert len(fig.axes) == len(small_fit.data.subjects) * len(small_fit.data.observable_names)
    html = small_fit._repr_html_()
    assert "k_mat" in html and "s_w[P0]" in html and "profile" in html
    assert "k_mat" in small_fit.summary() and "FitResult" in repr(small_fit)
    params = small_fit.params_for("P3")
    assert params["s_w"] == small_fit.estimates["s_w[P3]"]
    assert params["k_mat"] == small_fit.estimates["k_mat"]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(parameters=["s_ww"]), ValueError, "did you mean 's_w'"),
        (dict(parameters=["s_w"], per_subject=["s_w"]), ValueError, "both shared and per"),
        (dict(), ValueError, "at least one parameter"),
        (dict(parameters="s_w"), TypeError, "list of names"),
        (dict(parameters=["s_w"], bounds={"s_w": (0.1, 0.01)}), ValueError, "lower must be <"),
        (
            dict(parameters=["s_w"], bounds={"s_w": (0.0, 0.01)}),
            ValueError,
            rf"initial value of s_w \({S_W:g}\) lies outside",
        ),
        (dict(parameters=["beta_age"]), ValueError, "positive starting value"),
        (
            dict(parameters=["chi_imm"], bounds={"chi_imm": (0.0, 2.5)}),
            ValueError,
            r"bounds\['chi_imm'\] upper must be in \[0, 2\]",
        ),
        (dict(parameters=["s_w"], initial={"s_v": 1.0}), ValueError, "initial names unknown"),
        (dict(parameters=["s_w"], profile=["k_mat"]), ValueError, "profile: 'k_mat' is not"),
        (
            dict(parameters=["s_w"], observation_model="poisson"),
            ValueError,
            "must be one of 'additive'",
        ),
        (
            dict(parameters=["s_w"], observation_model={"erythema": "additive"}),
            ValueError,
            "not in the data",
        ),
        (
            dict(parameters=["s_w"], options="rodas4"),
            TypeError,
            "options must be a skinremodel.SolverOptions",
        ),
    ],
)
def test_bad_fit_arguments(kwargs, error, match):
    obs, patients = _ultrasound_only()
    with pytest.raises(error, match=match):
        sr.fit(obs, PLAN, patients, **kwargs)


def test_observation_model_checks():
    assert sr.ObservationModel("combined", sd=0.1).estimated == ("cv",)
    with pytest.raises(ValueError, match="additive observation model has no cv"):
        sr.ObservationModel("additive", cv=0.1)
    with pytest.raises(ValueError, match=r"sd must be in \(0, inf\)"):
        sr.ObservationModel("additive", sd=0.0)
    with pytest.raises(ValueError, match="give plans"):
        sr.fit(_ultrasound_only()[0], parameters=["s_w"])


@pytest.mark.parametrize(
    "module",
    [
        "skinremodel.inference.fit",
        "skinremodel.engine.simulate",
        "skinremodel.inference.dataset",
        "skinremodel.inference.observation_model",
    ],
)
def test_docstring_examples_run(module):
    import doctest
    import importlib

    failures, tests = doctest.testmod(importlib.import_module(module))
    assert tests > 0 and failures == 0
