"""Virtual populations: reproducible sampling with the stated distributions, prediction bands."""

import numpy as np
import pandas as pd
import pytest
import skinremodel as sr

PLAN = sr.Schedule.regular(3, every_weeks=4, name="3 x 4 weeks")
SPEC = dict(
    age=("normal", 50.0, 10.0),
    covariates={
        "diabetes": {"none": 0.8, "controlled": 0.15, "poor": 0.05},
        "smoker": 0.25,
        "phototype": {2: 0.5, 3: 0.3, 5: 0.2},
    },
    variability={"s_w": 0.3, "k_mat": 0.2, "r_F": 0.1},
    correlation=[[1.0, 0.6, 0.0], [0.6, 1.0, -0.3], [0.0, -0.3, 1.0]],
)


@pytest.fixture(scope="module")
def big():
    return sr.Population(20_000, **SPEC, seed=11)


def within(sample, expected, sd, k=5.0):
    """A sample statistic within k standard errors of its expectation."""
    return abs(sample - expected) <= k * sd


def test_same_seed_same_population_and_bands():
    a = sr.Population(300, **SPEC, seed=4)
    b = sr.Population(300, **SPEC, seed=4)
    c = sr.Population(300, **SPEC, seed=5)
    assert a == b and a != c
    assert a.covariates.equals(b.covariates)
    assert np.array_equal(a.params_matrix, b.params_matrix)
    bands_a = a.simulate(PLAN, days=120, observables=["total_collagen", "elasticity"])
    bands_b = b.simulate(PLAN, days=120, observables=["total_collagen", "elasticity"])
    assert bands_a.equals(bands_b)
    assert not bands_a.equals(
        c.simulate(PLAN, days=120, observables=["total_collagen", "elasticity"])
    )


def test_a_generator_seed_is_accepted_and_reproducible():
    a = sr.Population(50, **SPEC, seed=np.random.default_rng(8))
    b = sr.Population(50, **SPEC, seed=np.random.default_rng(8))
    assert np.array_equal(a.params_matrix, b.params_matrix)


def test_covariate_frequencies(big):
    n = big.size
    cov = big.covariates
    for category, p in SPEC["covariates"]["diabetes"].items():
        assert within((cov.diabetes == category).mean(), p, np.sqrt(p * (1 - p) / n))
    assert within(cov.smoker.mean(), 0.25, np.sqrt(0.25 * 0.75 / n))
    assert set(cov.phototype) == {2, 3, 5}
    assert (cov.vitamin_c == "replete").all()  # not given: the Patient default


def test_age_is_a_truncated_normal(big):
    ages = big.covariates.age.to_numpy()
    assert ages.min() >= 18 and ages.max() <= 100
    assert within(ages.mean(), 50.0, 10.0 / np.sqrt(big.size))
    assert within(ages.std(), 10.0, 10.0 / np.sqrt(2 * big.size))
    young = sr.Population(5000, age=("normal", 20.0, 10.0), seed=1).covariates.age
    assert young.min() >= 18 and young.mean() > 20  # the truncation at 18 shifts the mean up


def test_log_normal_variability_with_correlation(big):
    nominal = sr.Parameters.default()
    log_ratio = np.log(big.parameters / pd.Series({k: nominal[k] for k in SPEC["variability"]}))
    n = big.size
    for name, omega in SPEC["variability"].items():
        assert within(
            np.median(big.parameters[name]),
            nominal[name],
            1.253 * omega * nominal[name] / np.sqrt(n),
        )  # the median is the nominal
        assert within(log_ratio[name].std(), omega, omega / np.sqrt(2 * n))
    corr = np.corrcoef(log_ratio.to_numpy().T)
    target = np.array(SPEC["correlation"])
    assert np.all(np.abs(corr - target) < 5 * (1 - target**2) / np.sqrt(n) + 1e-12)
    # Parameters that do not vary keep their nominal value for everybody.
    unvaried = [i for i, name in enumerate(nominal.names) if name not in SPEC["variability"]]
    assert np.array_equal(
        big.params_matrix[:, unvaried],
        np.broadcast_to(nominal.values_array[unvaried], (n, len(unvaried))),
    )


def test_draws_outside_a_domain_are_redrawn():
    info = sr.Parameters.info("f3_max")  # bounded above by 1
    pop = sr.Population(4000, variability={"f3_max": 1.5}, seed=2)
    values = pop.parameters.f3_max
    assert values.max() <= info.upper and values.min() > 0
    assert (values > 0.9 * info.upper).any()  # the upper region is reached, not cut off early


def test_bands_are_quantiles_of_the_outcomes():
    pop = sr.Population(400, **SPEC, seed=3)
    qs = (0.1, 0.5, 0.9)
    bands = pop.simulate(
        PLAN, days=[0, 30, 90, 180], observables=["total_collagen", "E"], quantiles=qs, threads=2
    )
    assert list(bands.columns) == ["10%", "50%", "90%"]
    assert bands.index.names == ["observable", "day"]
    outcomes = pop.outcomes(PLAN, days=[0, 30, 90, 180], metrics=["total_collagen", "E"])
    expected = np.quantile(outcomes.values("total_collagen"), qs, axis=0).T
    assert np.array_equal(bands.loc["total_collagen"].to_numpy(), expected)
    # Bands are ordered, and far wider after the response has developed than right after the
    # first session (whose injury differs little between patients).
    coll = bands.loc["total_collagen"]
    assert (coll["10%"] <= coll["50%"]).all() and (coll["50%"] <= coll["90%"]).all()
    width = coll["90%"] - coll["10%"]
    assert width[90.0] > 0.05
    assert width[0.0] < 0.1 * width[90.0]
    assert coll.loc[90.0, "50%"] > 1.05
    assert bands.attrs["n_patients"] == 400 and bands.attrs["n_failed"] == 0
    assert bands.attrs["session_days"] == [0.0, 28.0, 56.0]


def test_older_diabetic_population_responds_less():
    young = sr.Population(300, age=("uniform", 25, 35), seed=1)
    old = sr.Population(300, age=("uniform", 65, 75), covariates={"diabetes": "poor"}, seed=1)
    median = {
        name: p.simulate(PLAN, days=[90]).loc[("total_collagen", 90.0), "50%"]
        for name, p in (("young", young), ("old", old))
    }
    assert median["young"] > median["old"] > 1.0


def test_plot_draws_median_and_bands():
    pop = sr.Population(100, variability={"s_w": 0.3}, seed=2)
    bands = pop.simulate(PLAN, days=90)
    ax = bands.plot()
    assert len(ax.lines) >= 1 + 3  # median + three session markers
    assert len(ax.collections) == 2  # 5-95% and 25-75%
    assert ax.get_ylabel() == "total collagen (x baseline)"
    with pytest.raises(KeyError, match="no bands for 'E'"):
        bands.plot("E")


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"size": 0}, ValueError, r"size must be an integer in \[1, "),
        ({"age": ("normal", 45)}, TypeError, "age must be a number"),
        ({"age": 10}, ValueError, r"age must be in \[18, 100\]"),
        ({"covariates": {"diabetes": {"none": 0.5}}}, ValueError, "sum to 1"),
        ({"covariates": {"diabetes": {"type 1": 1.0}}}, ValueError, "unknown value 'type 1'"),
        ({"covariates": {"smoker": 1.2}}, ValueError, "probability of True"),
        ({"covariates": {"height": 1.8}}, ValueError, "unknown covariate 'height'"),
        ({"variability": {"k_matt": 0.2}}, ValueError, "unknown parameter 'k_matt'"),
        ({"variability": {"k_mat": -0.2}}, ValueError, r"omega, sd of the log"),
        (
            {"variability": {"k_mat": 0.2, "s_w": 0.3}, "correlation": [[1, 2], [2, 1]]},
            ValueError,
            r"entries in \[-1, 1\]",
        ),
        (
            {
                "variability": {"k_mat": 0.2, "s_w": 0.3, "r_F": 0.1},
                "correlation": [[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]],
            },
            ValueError,
            "positive definite",
        ),
        ({"variability": {"k_mat": 0.2}, "correlation": np.eye(2)}, ValueError, "1x1 matrix"),
    ],
)
def test_bad_population_specs_name_the_field(kwargs, error, match):
    args = {"size": 10, "seed": 0, **kwargs}
    with pytest.raises(error, match=match):
        sr.Population(**args)


def test_bad_band_requests():
    pop = sr.Population(10, seed=0)
    with pytest.raises(ValueError, match="per-session metrics"):
        pop.simulate(PLAN, observables="redness_hours")
    with pytest.raises(ValueError, match="strictly increasing"):
        pop.simulate(PLAN, quantiles=(0.9, 0.1))
    with pytest.raises(ValueError, match=r"quantiles must be in \(0, 1\)"):
        pop.simulate(PLAN, quantiles=(0.0, 0.5))
