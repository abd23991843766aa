"""Cells of notebooks/07_cohort_and_bayes.ipynb (see tools/make_notebooks.py)."""

CELLS = [
    (
        "md",
        """# Cohorts and uncertainty: mixed effects, posteriors, comparisons with intervals

A synthetic cohort with a known truth (so that we can check the answers): 12 subjects, each with
its own synthesis rate `s_w` and ultrasound gain `kap_US` (log-normal between-subject
variability), measured six times with 5% proportional error. We fit the population by FOCE-I,
sample one subject's posterior with emcee, and compare two plans with the uncertainty carried
through. Method: `docs/inference.md`. *A research model, not a medical device.*""",
    ),
    (
        "code",
        """import matplotlib.pyplot as plt
import skinremodel as sr
from skinremodel.inference.synthetic import synthetic_cohort

data, truth = synthetic_cohort(
    12,
    omega={"s_w": 0.3, "kap_US": 0.3},
    observables=("ultrasound_density", "total_collagen"),
    seed=7,
)
data""",
    ),
    (
        "md",
        """## Nonlinear mixed effects

`fit_population` estimates the typical values (medians of the population), the between-subject
SDs `omega` of the log-parameters, the residual error and, per subject, the empirical-Bayes
estimates. Standard errors come from the linearised Fisher information; a non-identifiable or
non-converged fit warns and says so in its summary.""",
    ),
    (
        "code",
        """pf = sr.fit_population(
    data, random={"s_w": "lognormal", "kap_US": "lognormal"}, observation_model="proportional"
)
print(pf.summary())
print("truth: typical", truth["typical"], "omega", truth["omega"])""",
    ),
    ("code", """pf.individual.head()"""),
    (
        "code",
        """fig, axes = plt.subplots(1, 2, figsize=(11, 3.5))
for ax, subject in zip(axes, ["S00", "S05"], strict=True):
    pred = pf.predict(subject, observables=["ultrasound_density"])
    ax.fill_between(pred["day"], pred["lower"], pred["upper"], alpha=0.3, label="individual, 95%")
    ax.plot(pred["day"], pred["individual"], label="individual")
    ax.plot(pred["day"], pred["population"], "--", label="population (typical)")
    obs = data.for_subject(subject)
    obs = obs[obs["observable"] == "ultrasound_density"]
    ax.plot(obs["day"], obs["value"], "ko", ms=4, label="data")
    ax.set_title(f"{subject}: ultrasound density")
axes[0].legend(fontsize=7, frameon=False)""",
    ),
    (
        "md",
        """Population predictive bands for a new 50-year-old on any plan: parameter sets of new
patients are drawn from the fitted population (and from the estimates' uncertainty) and run in
the batch engine.""",
    ),
    (
        "code",
        """plan = sr.Schedule.regular(3, every_weeks=6, name="3 x 6 weeks")
bands = pf.predict_population(
    plan, sr.Patient(age=50), days=365, n=200, observables=["ultrasound_density"]
)
ax = bands.plot("ultrasound_density")
ax.set_title("new patient, 3 sessions 6 weeks apart: 2.5-97.5% and 25-75%")""",
    ),
    (
        "md",
        """## A Bayesian posterior for one subject

Four independent emcee ensembles; R-hat and ESS (ArviZ) are checked and a failure warns. The
posterior agrees with the maximum-likelihood fit and its profile interval on a well-identified
case (`tests/python/test_inference.py`).""",
    ),
    (
        "code",
        """one = sr.Dataset(data.for_subject("S03"), data.plans["S03"], data.patients["S03"])
noise = sr.ObservationModel("proportional", cv=0.05)
post = sr.sample_posterior(
    one,
    parameters=["s_w", "kap_US"],
    observation_model=noise,
    chains=4,
    draws=250,
    tune=100,
    seed=1,
)
post""",
    ),
    (
        "code",
        """mle = sr.fit(
    one, parameters=["s_w", "kap_US"], observation_model=noise, options=sr.SolverOptions(rtol=1e-6)
)
post.summary.join(mle.table[["estimate", "se"]].add_prefix("MLE "))""",
    ),
    (
        "code",
        """idata = post.to_arviz()
idata.posterior""",
    ),
    (
        "md",
        """## Comparing plans with their uncertainty

`compare(..., uncertainty=pf)` simulates every plan for the same parameter draws and adds a 95%
interval to every metric, the probability that each plan is the best by the ranking objective and
the probability that the result is noticeable. The HTML report shows them in an "Uncertainty"
section.""",
    ),
    (
        "code",
        """cmp = sr.compare(
    {"4 x 4 weeks": sr.Schedule.regular(4, every_weeks=4), "3 x 6 weeks": plan},
    sr.Patient(age=50),
    uncertainty=pf,
    n_draws=40,
    seed=3,
)
cmp.table[
    [
        "visible improvement 12 mo (model units)",
        "visible improvement 12 mo (model units) [2.5%]",
        "visible improvement 12 mo (model units) [97.5%]",
        "P(best)",
        "P(noticeable)",
    ]
]""",
    ),
    ("code", """cmp.p_beats"""),
]
