"""Clinical-scale observation models: plausible grade changes, ordinal likelihood, recovery."""

import json

import numpy as np
import pandas as pd
import pytest
import skinremodel as sr
from skinremodel.inference.problem import FitProblem
from skinremodel.model.clinical_scales import (
    CALIBRATABLE,
    ORDINAL_SCALES,
    SCALES,
    category_probabilities,
    ordinal_log_likelihood,
)
from skinremodel.model.observables import (
    STATE_NAMES,
    ObservableContext,
    latent_observable,
    spread_observable,
)

# The two reference courses of the plausibility table (clinical_scales.PlausibleChange.course).
COURSES = {
    "adult": (sr.Schedule.regular(4, every_days=28, depth_mm=1.5), sr.Patient(age=45)),
    "acne": (
        sr.Schedule.regular(12, every_days=7, depth_mm=1.5),  # Minh 2019, days 0-77
        sr.Patient(age=25, acne_scars=True),
    ),
}


@pytest.fixture(scope="module")
def courses():
    return {k: sr.simulate(plan, patient=p, days=365) for k, (plan, p) in COURSES.items()}


@pytest.mark.parametrize("name", list(SCALES))
def test_default_course_gives_a_plausible_grade_change(courses, name):
    # The range and its source are in the scale table (docs/model.md, "Clinical scales").
    scale = SCALES[name]
    plausible = scale.plausible
    res = courses[plausible.course]
    baseline = float(res.observable(name, res.pre_session[0])[0])
    value = float(res[name][int(plausible.day)])
    measured = (
        value
        if plausible.measure == "value"
        else value - baseline
        if plausible.measure == "change"
        else (value - baseline) / baseline
    )
    assert plausible.low <= measured <= plausible.high, (
        f"{name}: {plausible.measure} {measured:.3g} on day {plausible.day:g} is outside "
        f"[{plausible.low}, {plausible.high}] ({plausible.source})"
    )


def test_scale_table_matches_the_parameter_file_and_the_docs():
    table = sr.Parameters.default().to_pandas()
    group = set(table.index[table.group == "clinical_scale"])
    listed = [p for names in CALIBRATABLE.values() for p in names]
    assert sorted(listed) == sorted(group)  # each scale parameter belongs to one scale
    doc = (__import__("pathlib").Path(__file__).parents[2] / "docs" / "model.md").read_text()
    for name, scale in SCALES.items():
        assert name in sr.OBSERVABLES
        assert scale.reads in sr.OBSERVABLES and scale.reads not in SCALES
        assert scale.plausible.source and scale.plausible.low < scale.plausible.high
        assert f"`{name}`" in doc and scale.plausible.source.split(":")[0] in doc


def _context():
    res = sr.simulate(COURSES["adult"][0], sr.Patient(age=60, smoker=True), days=120)
    return res._ctx, res.y[[1, 10, 60, 119]]


@pytest.mark.parametrize("make", [latent_observable, spread_observable])
@pytest.mark.parametrize("name", list(ORDINAL_SCALES))
def test_latent_and_spread_partials_equal_central_differences(make, name):
    # The registered scale observables are checked with every other observable in
    # test_sensitivities.py; these are the two internal ones the ordinal likelihood uses.
    obs = make(name)
    ctx, y = _context()
    g = obs.partials(y, ctx)
    for i in range(len(STATE_NAMES)):
        h = 1e-6 * (abs(y[:, i]).max() or 1.0)
        up, down = y.copy(), y.copy()
        up[:, i] += h
        down[:, i] -= h
        np.testing.assert_allclose(
            g.states[:, i], (obs(up, ctx) - obs(down, ctx)) / (2 * h), rtol=1e-6, atol=1e-6
        )
        b_up, b_down = ctx.baseline.copy(), ctx.baseline.copy()
        hb = 1e-6 * (abs(ctx.baseline[i]) or 1.0)
        b_up[i] += hb
        b_down[i] -= hb
        fd = (
            obs(y, ObservableContext(b_up, ctx.effective))
            - obs(y, ObservableContext(b_down, ctx.effective))
        ) / (2 * hb)
        np.testing.assert_allclose(
            np.zeros(len(y)) if g.baseline is None else g.baseline[:, i], fd, rtol=1e-6, atol=1e-6
        )
    for k, pname in enumerate(sr.Parameters.default().names):
        e_up, e_down = ctx.effective.copy(), ctx.effective.copy()
        hp = 1e-6 * (abs(ctx.effective[k]) or 1.0)
        e_up[k] += hp
        e_down[k] -= hp
        fd = (
            obs(y, ObservableContext(ctx.baseline, e_up))
            - obs(y, ObservableContext(ctx.baseline, e_down))
        ) / (2 * hp)
        np.testing.assert_allclose(
            g.params.get(pname, np.zeros(len(y))),
            fd,
            rtol=1e-6,
            atol=1e-6,
            err_msg=f"{name}: d/d{pname}",
        )


@pytest.mark.parametrize("grades", [(1, 4), (0, 5), (1, 5)])
def test_category_probabilities_sum_to_one_and_move_with_the_latent(grades):
    z = np.linspace(grades[0] - 6, grades[1] + 6, 241)
    p = category_probabilities(z, 0.3, grades)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    assert (p > 0).all()
    cumulative = np.cumsum(p, axis=1)[:, :-1]  # P(Y <= k) falls as the severity rises
    assert (np.diff(cumulative, axis=0) <= 1e-15).all()
    k = np.arange(grades[0], grades[1] + 1)
    mean = p @ k
    assert (np.diff(mean) > 0).all()
    # Far tails stay accurate (no cancellation): P(lowest grade) at a very high severity.
    far = category_probabilities(np.array([grades[1] + 20.0]), 0.5, grades)
    assert far[0, 0] == pytest.approx(np.exp(-(grades[1] + 20.0 - grades[0] - 0.5) / 0.5), rel=1e-6)


@pytest.mark.parametrize("name", list(ORDINAL_SCALES))
def test_expected_grade_observable_is_the_mean_of_the_ordinal_model(name):
    ctx, y = _context()
    z = latent_observable(name)(y, ctx)
    s = spread_observable(name)(y, ctx)
    grades = ORDINAL_SCALES[name].grades
    p = category_probabilities(z, s, grades)
    np.testing.assert_allclose(
        sr.OBSERVABLES[name](y, ctx), p @ np.arange(grades[0], grades[1] + 1), rtol=1e-12
    )


def test_ordinal_log_likelihood_gradient_and_fisher_information():
    rng = np.random.default_rng(7)
    grades = (0, 5)
    n, m = 9, 3
    a = rng.normal(size=(n, m))
    b = 0.1 * rng.normal(size=(n, m))
    y = rng.integers(0, 6, size=n)

    def latent(theta):
        return 2.5 + a @ theta, 0.4 * np.exp(b @ theta)

    theta = 0.3 * rng.normal(size=m)
    z, s = latent(theta)
    logp, dlogp, fisher = ordinal_log_likelihood(y, z, a, s, s[:, None] * b, grades)
    for j in range(m):
        h = 1e-6
        up, down = theta.copy(), theta.copy()
        up[j] += h
        down[j] -= h
        fd = (
            ordinal_log_likelihood(y, *_zs(latent(up), a, b), grades)[0]
            - ordinal_log_likelihood(y, *_zs(latent(down), a, b), grades)[0]
        ) / (2 * h)
        np.testing.assert_allclose(dlogp[:, j], fd, rtol=1e-6, atol=1e-9)
    # Expected information = sum over grades of p_k (d log p_k)(d log p_k)^T.
    expected = np.zeros((m, m))
    for k in range(6):
        _, d, _ = ordinal_log_likelihood(np.full(n, k), z, a, s, s[:, None] * b, grades)
        p = category_probabilities(z, s, grades)[:, k]
        expected += (p[:, None] * d).T @ d
    np.testing.assert_allclose(fisher, expected, rtol=1e-10)
    assert np.all(logp < 0)


def _zs(zs, a, b):
    z, s = zs
    return z, a, s, s[:, None] * b


def test_observation_models_for_ordinal_and_continuous_scales():
    models = sr.inference.observation_model.resolve_observation_models(
        None, ("lemperle_grade", "lipper_perez_score")
    )
    assert models["lemperle_grade"].kind == "ordinal"
    assert models["lipper_perez_score"].kind == "proportional"
    with pytest.raises(ValueError, match="ordinal grade: it needs observation model 'ordinal'"):
        sr.inference.observation_model.resolve_observation_models("additive", ("gais",))
    with pytest.raises(ValueError, match="'elasticity' is continuous"):
        sr.inference.observation_model.resolve_observation_models(
            {"elasticity": "ordinal"}, ("elasticity", "gais")
        )
    with pytest.raises(ValueError, match="ordinal observation model has no sd"):
        sr.ObservationModel("ordinal", sd=1.0)
    assert sr.ObservationModel("ordinal").estimated == ()


@pytest.mark.parametrize(
    ("value", "sd", "match"),
    [
        (2.5, None, r"row 1 .*lemperle_grade must be a whole grade from 0 to 5"),
        (6.0, None, r"row 1 .*must be a whole grade from 0 to 5"),
        (-1.0, None, "whole grade"),
        (2.0, 0.5, r"row 1 .*ordinal grade and has no sd"),
    ],
)
def test_dataset_refuses_grades_that_are_not_on_the_scale(value, sd, match):
    obs = pd.DataFrame(
        {
            "subject": ["A", "A"],
            "day": [0.0, 90.0],
            "observable": ["lemperle_grade"] * 2,
            "value": [3.0, value],
            "sd": [np.nan, sd],
        }
    )
    with pytest.raises(ValueError, match=match):
        sr.Dataset(obs, COURSES["adult"][0])


# ------------------------------------------------------------------------------ fitting
PLAN = COURSES["adult"][0]
DAYS = [0.0, 56.0, 120.0, 180.0, 270.0]
TRUTH = {"lem_slope": 5.0, "lem_spread": 0.4}  # defaults 4.0 and 0.3


def _ordinal_cohort(seed, n_subjects=40):
    """Lemperle grades of a cohort aged 30-70, drawn from the ordered logit at the truth."""
    rng = np.random.default_rng(seed)
    patients = {f"S{j:02d}": sr.Patient(age=float(rng.uniform(30, 70))) for j in range(n_subjects)}
    params = sr.Parameters.default().replace(**TRUTH)
    rows = []
    for s, p in patients.items():
        res = sr.simulate(PLAN, p, days=None, t_eval=DAYS, params=params)
        states = np.array([res.pre_session[0] if d == 0 else res.y[i] for i, d in enumerate(DAYS)])
        z = latent_observable("lemperle_grade")(states, res._ctx)
        prob = category_probabilities(z, TRUTH["lem_spread"], (0, 5))
        for d, pk in zip(DAYS, prob, strict=True):
            rows.append((s, d, "lemperle_grade", float(rng.choice(6, p=pk))))
    obs = pd.DataFrame(rows, columns=["subject", "day", "observable", "value"])
    return sr.Dataset(obs, PLAN, patients)


@pytest.fixture(scope="module")
def ordinal_fit():
    return sr.fit(
        _ordinal_cohort(seed=11),
        parameters=["lem_slope", "lem_spread"],
        observation_model="ordinal",
        options=sr.SolverOptions(rtol=1e-6),
    )


def test_synthetic_ordinal_data_set_is_recovered(ordinal_fit):
    # 40 subjects x 5 visits = 200 grades. The truth must lie in the 95% Wald interval and the
    # estimate within 3 standard errors and 25% of it (the slope's standard error is about 8%).
    t = ordinal_fit.table
    for name, truth in TRUTH.items():
        row = t.loc[name]
        assert row.ci_lower <= truth <= row.ci_upper, (
            name,
            row.estimate,
            row.ci_lower,
            row.ci_upper,
        )
        assert abs(row.estimate - truth) <= min(3 * row.se, 0.25 * truth)
        assert row.se < 0.15 * truth
    assert all(r["status"] > 0 for r in ordinal_fit.runs)


def test_ordinal_fit_likelihood_results_and_round_trip(ordinal_fit, tmp_path):
    res = ordinal_fit
    problem = res.problem
    ev = problem.evaluate(res.theta)
    assert res.nll == pytest.approx(-ev.logp.sum(), rel=1e-12)
    k, n = len(res.names), res.n_observations
    assert res.aic == pytest.approx(2 * k + 2 * res.nll)
    assert res.bic == pytest.approx(k * np.log(n) + 2 * res.nll)
    # 0.5 |residuals|^2 is the negative log-likelihood: the least-squares machinery is exact.
    r = problem.residuals(res.theta)
    assert 0.5 * r @ r == pytest.approx(res.nll, rel=1e-10)
    assert res.residuals["prediction"].between(0, 5).all()
    assert (res.residuals["sd"] > 0).all()
    pred = res.predict("S00", days=[0, 90, 180])
    assert (pred.lower <= pred.prediction).all() and (pred.prediction <= pred.upper).all()
    path = tmp_path / "fit.json"
    res.save(path)
    loaded = sr.FitResult.load(path)
    json.loads(path.read_text())
    pd.testing.assert_frame_equal(loaded.table, res.table, check_exact=True)
    pd.testing.assert_frame_equal(loaded.predict("S00", days=[0, 90, 180]), pred)
    assert loaded.problem.observation_models["lemperle_grade"].kind == "ordinal"


def test_ordinal_jacobian_equals_central_differences():
    data = _ordinal_cohort(seed=5, n_subjects=3)
    cont = data.observations.copy()
    cont["observable"] = "lipper_perez_score"
    cont["value"] = 30.0 - 4.0 * cont["value"]
    mixed = sr.Dataset(pd.concat([data.observations, cont], ignore_index=True), PLAN, data.patients)
    models = sr.inference.observation_model.resolve_observation_models(None, mixed.observable_names)
    problem = FitProblem(
        mixed,
        ["lem_slope", "lps_slope"],
        ["lem_base"],
        models,
        sr.Parameters.default(),
        {},
        {},
        sr.SolverOptions(method="rodas4", rtol=1e-9, atol=1e-13),
    )
    theta = problem.theta0 + 0.05
    jac = problem.jacobian(theta)
    for j in range(len(theta)):
        h = 1e-6
        up, down = theta.copy(), theta.copy()
        up[j] += h
        down[j] -= h
        fd = (problem.residuals(up) - problem.residuals(down)) / (2 * h)
        np.testing.assert_allclose(
            jac[:, j],
            fd,
            rtol=1e-5,
            atol=1e-6 * np.abs(fd).max(),
            err_msg=f"column {problem.names[j]}",
        )


@pytest.mark.slow
def test_ordinal_intervals_cover_the_truth_across_seeds():
    # 10 seeded cohorts of 30: 95% intervals should miss about 1 in 20 of the 20 intervals.
    covered = 0
    for seed in range(100, 110):
        res = sr.fit(
            _ordinal_cohort(seed, n_subjects=30),
            parameters=list(TRUTH),
            observation_model="ordinal",
            options=sr.SolverOptions(rtol=1e-6),
        )
        t = res.table
        covered += sum(t.loc[n].ci_lower <= v <= t.loc[n].ci_upper for n, v in TRUTH.items())
    assert covered >= 17  # P(fewer than 17 of 20 | 95% coverage) is about 1.6%
