"""Mixed-effects fits, Bayesian posteriors and comparisons with uncertainty (issue 14)."""

import warnings

import numpy as np
import pandas as pd
import pytest
import skinremodel as sr
from skinremodel.inference.synthetic import synthetic_cohort

OMEGA = {"s_w": 0.3, "kap_US": 0.3, "kap_el": 0.25}
OBSERVABLES = ("ultrasound_density", "elasticity", "total_collagen")
KNOWN_CV = sr.ObservationModel("proportional", cv=0.05)


@pytest.fixture(scope="module")
def cohort():
    return synthetic_cohort(30, omega=OMEGA, observables=OBSERVABLES, seed=0)


@pytest.fixture(scope="module")
def population_fit(cohort):
    data, _ = cohort
    return sr.fit_population(
        data, random={p: "lognormal" for p in OMEGA}, observation_model="proportional"
    )


def test_synthetic_cohort_is_recovered(cohort, population_fit):
    """One seed of the 10-seed study of benchmarks/bench_inference.py (docs/inference.md)."""
    _, truth = cohort
    pf = population_fit
    assert pf.converged and pf.identifiable
    tab = pf.population
    # Point estimates against the cohort actually drawn (30 subjects: its geometric mean and
    # SD of log values differ from the population's by chance, 15% for kap_el at this seed).
    realised = np.log(truth["individual"])
    covered = 0
    for p in OMEGA:
        assert tab.loc[p, "estimate"] == pytest.approx(np.exp(realised[p].mean()), rel=0.1)
        assert tab.loc[f"omega[{p}]", "estimate"] == pytest.approx(realised[p].std(), rel=0.3)
        for name, true in ((p, truth["typical"][p]), (f"omega[{p}]", truth["omega"][p])):
            covered += tab.loc[name, "ci_lower"] <= true <= tab.loc[name, "ci_upper"]
    for o in OBSERVABLES:
        row = tab.loc[f"noise_cv[{o}]"]
        assert row["estimate"] == pytest.approx(0.05, rel=0.2)
        covered += row["ci_lower"] <= 0.05 <= row["ci_upper"]
    assert covered >= 7  # of 9 against the population's truth (10 seeds: 86 of 90)
    assert np.all(np.isfinite(tab["se"])) and np.all(tab["se"] > 0)
    # empirical-Bayes estimates follow the true individual values
    for p in OMEGA:
        r = np.corrcoef(np.log(pf.individual[p]), np.log(truth["individual"][p]))[0, 1]
        assert r > 0.8
    assert set(pf.shrinkage) == set(OMEGA)
    assert "converged" in pf.summary() and "FOCE-I" in pf.summary()
    assert "PopulationFit" in repr(pf) and "<table" in pf._repr_html_()


def test_individual_and_population_predictions(population_fit):
    pf = population_fit
    pred = pf.predict("S03", days=[50, 120, 270], observables=["ultrasound_density"])
    assert list(pred.columns) == ["day", "observable", "individual", "lower", "upper", "population"]
    assert np.all(pred["lower"] < pred["individual"]) and np.all(pred["individual"] < pred["upper"])
    with pytest.raises(KeyError, match="unknown subject"):
        pf.predict("nobody")
    plan = sr.Schedule.regular(3, every_weeks=6)
    bands = pf.predict_population(
        plan, sr.Patient(age=50), days=[90, 180], n=60, seed=4, observables=["total_collagen"]
    )
    assert list(bands.columns) == ["2.5%", "25%", "50%", "75%", "97.5%"]
    assert np.all(np.diff(bands.to_numpy(), axis=1) >= 0)
    again = pf.predict_population(
        plan, sr.Patient(age=50), days=[90, 180], n=60, seed=4, observables=["total_collagen"]
    )
    pd.testing.assert_frame_equal(bands, again)
    draws = pf.parameter_draws(5, seed=1)
    assert [d["s_w"] for d in draws] == [d["s_w"] for d in pf.parameter_draws(5, seed=1)]


def test_compare_carries_uncertainty(population_fit):
    plans = {
        "monthly x4": sr.Schedule.regular(4, every_days=30),
        "two sessions": sr.Schedule.regular(2, every_weeks=2),
    }
    cmp = sr.compare(plans, sr.Patient(age=45), uncertainty=population_fit, n_draws=30, seed=2)
    t = cmp.table
    assert t["P(best)"].sum() == pytest.approx(1.0)
    assert t["P(noticeable)"].between(0, 1).all()
    col = "visible improvement 12 mo (model units)"
    assert np.all(t[f"{col} [2.5%]"] <= t[f"{col} [97.5%]"])
    assert cmp.p_beats.loc["monthly x4", "two sessions"] == pytest.approx(
        t.loc["monthly x4", "P(best)"]
    )
    assert set(cmp.intervals["column"]) >= {col, "downtime total (d)"}
    html = cmp.to_html()
    assert 'id="uncertainty"' in html and "P(noticeable)" in html
    plain = sr.compare(plans, sr.Patient(age=45))
    assert "P(best)" not in plain.table and 'id="uncertainty"' not in plain.to_html()
    with pytest.raises(TypeError, match="PopulationFit"):
        sr.compare(plans, uncertainty=42)


def test_non_identifiable_population_is_reported():
    # Ultrasound density alone: synthesis s_w and the instrument gain kap_US act only through
    # their product.
    data, _ = synthetic_cohort(8, omega={"s_w": 0.3}, observables=("ultrasound_density",), seed=5)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        pf = sr.fit_population(
            data, random=["s_w"], fixed=["kap_US"], observation_model=KNOWN_CV, max_iter=40
        )
    messages = {w.category: str(w.message) for w in record}
    # The EM drifts along the ridge s_w x kap_US = const: it also does not converge.
    assert set(messages) == {sr.NonIdentifiableWarning, sr.ConvergenceWarning}
    assert "mu[s_w]" in messages[sr.NonIdentifiableWarning]
    assert "log kap_US" in messages[sr.NonIdentifiableWarning]
    assert not pf.identifiable and not pf.converged
    assert "not identifiable" in pf.identifiability_summary()


def test_non_convergence_is_loud():
    data, _ = synthetic_cohort(
        6, omega={"s_w": 0.3}, observables=("ultrasound_density", "total_collagen"), seed=6
    )
    with pytest.warns(sr.ConvergenceWarning, match="did not converge in 1 iterations"):
        pf = sr.fit_population(data, random=["s_w"], observation_model=KNOWN_CV, max_iter=1)
    assert not pf.converged
    assert pf.population.loc["s_w", "estimate"] != pytest.approx(np.exp(pf.start[0]), rel=1e-6)


def test_covariates_full_covariance_and_ordinal_grades():
    data, _ = synthetic_cohort(
        10,
        omega={"s_w": 0.3, "kap_US": 0.2},
        observables=("ultrasound_density", "total_collagen"),
        seed=7,
    )
    rng = np.random.default_rng(0)
    obs = data.observations.copy()
    grades = [
        {"subject": s, "day": d, "observable": "lemperle_grade", "value": float(rng.integers(1, 4))}
        for s in data.subjects
        for d in (100, 200)
    ]
    obs = pd.concat([obs, pd.DataFrame(grades)], ignore_index=True)
    mixed = sr.Dataset(obs, data.plans, data.patients)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sr.ConvergenceWarning)
        warnings.simplefilter("ignore", sr.NonIdentifiableWarning)
        pf = sr.fit_population(
            mixed,
            random={"s_w": "lognormal", "kap_US": "lognormal"},
            covariates={"s_w": ["age"]},
            covariance="full",
            observation_model={"ultrasound_density": KNOWN_CV, "total_collagen": KNOWN_CV},
            max_iter=30,
        )
    names = list(pf.population.index)
    assert "beta[s_w:age]" in names and "corr[s_w,kap_US]" in names
    assert np.isfinite(pf.ofv)
    assert pf.omega.shape == (2, 2)
    assert pf.predict(mixed.subjects[0], days=[100], observables=["lemperle_grade"]).shape[0] == 1


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"random": []}, ValueError, "at least one"),
        ({"random": {"s_w": "normal"}}, ValueError, "lognormal"),
        ({"random": ["s_w"], "fixed": ["s_w"]}, ValueError, "both fixed and random"),
        ({"random": ["s_w"], "covariance": "banded"}, ValueError, "covariance"),
        ({"random": ["s_w"], "covariates": {"k_mat": ["age"]}}, ValueError, "no random effect"),
        ({"random": ["s_w"], "covariates": {"s_w": ["height"]}}, ValueError, "Patient field"),
        ({"random": ["s_w"], "initial": {"noise_cv[nothing]": 0.1}}, ValueError, "not estimated"),
    ],
)
def test_bad_population_arguments(kwargs, error, match):
    data, _ = synthetic_cohort(3, omega={"s_w": 0.3}, observables=("ultrasound_density",), seed=1)
    with pytest.raises(error, match=match):
        sr.fit_population(data, **kwargs)


# ---------------------------------------------------------------------------------- Bayes
@pytest.fixture(scope="module")
def one_subject():
    data, _ = synthetic_cohort(
        1, omega={"s_w": 0.3, "kap_US": 0.3}, observables=OBSERVABLES, seed=11
    )
    return data


@pytest.fixture(scope="module")
def posterior(one_subject):
    return sr.sample_posterior(
        one_subject,
        parameters=["s_w", "kap_US"],
        observation_model=KNOWN_CV,
        chains=4,
        draws=400,
        tune=150,
        seed=3,
    )


def test_posterior_agrees_with_maximum_likelihood(one_subject, posterior):
    mle = sr.fit(
        one_subject,
        parameters=["s_w", "kap_US"],
        observation_model=KNOWN_CV,
        profile=["s_w", "kap_US"],
        options=sr.SolverOptions(rtol=1e-6),
    )
    assert posterior.converged and posterior.identifiable
    assert posterior.rhat < 1.01 and posterior.ess > 400
    for p in ("s_w", "kap_US"):
        row = mle.table.loc[p]
        assert abs(posterior.summary.loc[p, "mean"] - row["estimate"]) < row["se"]
        lo, hi = posterior.interval(p)
        overlap = min(hi, row["profile_upper"]) - max(lo, row["profile_lower"])
        union = max(hi, row["profile_upper"]) - min(lo, row["profile_lower"])
        assert overlap / union >= 0.8


def test_posterior_exports_to_arviz(posterior):
    idata = posterior.to_arviz()
    assert set(idata.posterior.data_vars) == {"s_w", "kap_US"}
    assert idata.posterior.sizes["chain"] == 4
    assert idata.posterior.sizes["draw"] == posterior.walkers * 400
    assert "Posterior" in repr(posterior)
    bands = posterior.predict(sr.Schedule.regular(3, every_days=30), days=[60, 120], n=40)
    assert np.all(bands["2.5%"] <= bands["97.5%"])


def test_sampling_is_seeded(one_subject):
    kwargs = dict(
        parameters=["s_w"],
        observation_model=KNOWN_CV,
        chains=2,
        draws=20,
        tune=5,
        ess_min=0,
        rhat_max=10,
    )
    a = sr.sample_posterior(one_subject, seed=9, **kwargs)
    b = sr.sample_posterior(one_subject, seed=9, **kwargs)
    np.testing.assert_array_equal(a.samples, b.samples)


def test_non_identifiable_posterior_is_reported():
    data, _ = synthetic_cohort(1, omega={"s_w": 0.3}, observables=("ultrasound_density",), seed=12)
    with (
        pytest.warns(sr.NonIdentifiableWarning, match="cannot be told apart"),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore", sr.ConvergenceWarning)
        post = sr.sample_posterior(
            data,
            parameters=["s_w", "kap_US"],
            observation_model=KNOWN_CV,
            chains=2,
            draws=150,
            tune=50,
            seed=1,
        )
    assert not post.identifiable


def test_unconverged_sampler_warns_and_flags(one_subject):
    with pytest.warns(sr.ConvergenceWarning, match="did not converge"):
        post = sr.sample_posterior(
            one_subject,
            parameters=["s_w"],
            observation_model=KNOWN_CV,
            chains=2,
            draws=10,
            tune=0,
            seed=2,
        )
    assert not post.converged


def test_hierarchical_posterior_runs():
    data, _ = synthetic_cohort(
        3, omega={"s_w": 0.3}, observables=("ultrasound_density", "total_collagen"), seed=13
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", sr.inference.InferenceWarning)
        post = sr.sample_posterior(
            data, random=["s_w"], observation_model=KNOWN_CV, chains=2, draws=30, tune=10, seed=0
        )
    assert post.names[:2] == ["mu[s_w]", "omega[s_w]"]
    assert len(post.names) == 2 + 3
    draws = post.parameter_draws(4, seed=0)
    assert all(d["s_w"] > 0 for d in draws)


def test_priors():
    p = sr.inference.default_prior("s_w", sr.Parameters.default())
    assert p.kind == "loguniform"
    assert p.args[0] == pytest.approx(sr.Parameters.default()["s_w"] / 100)
    assert sr.Prior("lognormal", 1.0, 0.5).logpdf(0.0) > sr.Prior("lognormal", 1.0, 0.5).logpdf(1.0)
    assert sr.Prior("uniform", 1.0, 2.0).logpdf(np.log(3.0)) == -np.inf
    with pytest.raises(ValueError, match="prior kind"):
        sr.Prior("cauchy", 1.0, 2.0)


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({}, ValueError, "at least one"),
        ({"parameters": ["s_w"], "random": ["s_w"]}, ValueError, "both"),
        ({"parameters": ["s_w"], "random": ["kap_US"]}, ValueError, "at least 2"),
        (
            {"parameters": ["s_w"], "priors": {"k_mat": ("lognormal", 1, 1)}},
            ValueError,
            "not sampled",
        ),
        ({"parameters": ["s_w"], "priors": {"s_w": 3}}, TypeError, "Prior"),
    ],
)
def test_bad_posterior_arguments(one_subject, kwargs, error, match):
    with pytest.raises(error, match=match):
        sr.sample_posterior(one_subject, **kwargs)


def test_progress_bar_can_be_switched_on_and_is_quiet_by_default(capsys):
    data, _ = synthetic_cohort(
        3, omega={"s_w": 0.3}, observables=("ultrasound_density", "total_collagen"), seed=6
    )
    for progress, shown in ((True, True), (None, False), (False, False)):
        with pytest.warns(sr.ConvergenceWarning):
            sr.fit_population(
                data, random=["s_w"], observation_model=KNOWN_CV, max_iter=1, progress=progress
            )
        assert ("fit_population" in capsys.readouterr().err) == shown
