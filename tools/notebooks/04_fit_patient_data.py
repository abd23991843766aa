"""Cells of notebooks/04_fit_patient_data.ipynb (see tools/make_notebooks.py)."""

CELLS = [
    (
        "md",
        """# Fitting MN-14 to patient and cohort data

`sr.fit` estimates model parameters from measured time series by maximum likelihood, with the
Jacobian of the engine's forward sensitivities, and reports what the data can and cannot
determine. This notebook fits

1. the **published cohort summaries** shipped with the package (Kenkel 2021, Lotfi 2013), and
2. a **synthetic cohort** with known parameters, to show recovery, uncertainty and the
   identifiability report.

Method: [docs/fitting.md](../docs/fitting.md). *A research model, not a medical device.*""",
    ),
    (
        "code",
        """import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import skinremodel as sr""",
    ),
    (
        "md",
        """## 1. The published data

`sr.published_observations()` is the table of `data/published/observations.csv` (sources and
limits in its README). Only some rows carry numbers, and only a few of those are human dermal
outcomes after a defined schedule:""",
    ),
    (
        "code",
        """pub = sr.published_observations()
numbers = pub[pub.mean_value.notna() & (pub.species == "human")]
numbers[["study_id", "outcome", "unit", "session_days", "day", "mean_value", "n"]]""",
    ),
    (
        "md",
        """Three rows map onto model observables (design section 3):

| study | outcome | observable | value |
|---|---|---|---|
| Kenkel 2021, 4 monthly sessions | dermal density +101.86% at day 180 | `ultrasound_density` | 2.0186 |
| Kenkel 2021 | elasticity +28.2% at day 180 | `elasticity` | 1.282 |
| Lotfi 2013, 5 monthly sessions at 1.5 mm | papillary collagen +53.2% at day 176 | `total_collagen` | 1.532 |

What the abstracts do not give, and what we assume (each assumption changes the estimate):

- **Needle depth** of Kenkel 2021 (device not retrieved): 1.5 mm; Lotfi 2013 used 1.5 mm.
- **Age**: Kenkel 44-65 years, so 54.5; Lotfi's acne-scar patients: not retrieved, 30 assumed.
- **Spread**: no SD or SE was retrieved. These are cohort means (n = 32 and 30); we take a
  standard deviation of 10% of the value for each mean, a guess.
- The OCT attenuation and epidermal rows have no model observable; they are not fitted.""",
    ),
    (
        "code",
        """plans = {
    "Kenkel 2021": sr.Schedule([0, 30, 60, 90], depth_mm=1.5),
    "Lotfi 2013": sr.Schedule([0, 30, 60, 90, 120], depth_mm=1.5),
}
patients = {"Kenkel 2021": sr.Patient(age=54.5), "Lotfi 2013": sr.Patient(age=30, phototype=4)}
published = pd.DataFrame(
    {
        "subject": ["Kenkel 2021", "Kenkel 2021", "Lotfi 2013"],
        "day": [180.0, 180.0, 176.0],
        "observable": ["ultrasound_density", "elasticity", "total_collagen"],
        "value": [2.0186, 1.282, 1.532],
    }
)
published["sd"] = 0.10 * published["value"]
data = sr.Dataset(published, plans, patients)
data""",
    ),
    (
        "md",
        """### One gain for all three studies

The observation gains `kap_US` and `kap_el` were themselves set from Kenkel 2021 (parameter
table), so fitting them to the same numbers would be circular. With the gains at their
defaults, the injury-driven synthesis rate `s_w` is the one number the three summaries can
inform:""",
    ),
    (
        "code",
        """fit_sw = sr.fit(data, parameters=["s_w"], profile=["s_w"])
fit_sw""",
    ),
    (
        "code",
        """fit_sw.residuals[["subject", "observable", "value", "prediction", "sd", "residual"]]""",
    ),
    (
        "md",
        """Compare the estimate with the shipped default (`tools/calibrate.py` sets it from Lotfi,
Kenkel and the other calibration targets together):""",
    ),
    ("code", """print(f"default s_w = {sr.Parameters.default()['s_w']:.4g}/d")"""),
    ("md", """Three means of two studies cannot tell more than this:"""),
    (
        "code",
        """both = sr.fit(
    data.observations[data.observations.observable == "ultrasound_density"],
    plans,
    patients,
    parameters=["s_w", "kap_US"],
)
print(both.identifiability.summary())""",
    ),
    (
        "md",
        """From ultrasound alone the synthesis gain and the instrument's gain cannot be told apart
(design note, section 4): only their product moves the echogenicity. The report names the
combination the data do not determine, and the intervals are unbounded. Estimating `s_w`,
`kap_US` and `kap_el` together from the three numbers would leave no degree of freedom to
check the model at all.""",
    ),
    (
        "code",
        """fig, ax = plt.subplots(1, 3, figsize=(13, 3.2))
for a, (s, o) in zip(
    ax,
    [
        ("Kenkel 2021", "ultrasound_density"),
        ("Kenkel 2021", "elasticity"),
        ("Lotfi 2013", "total_collagen"),
    ],
    strict=True,
):
    p = fit_sw.predict(s, o, days=np.arange(0, 241))
    a.fill_between(p.day, p.lower, p.upper, alpha=0.3, lw=0, label="95% band")
    a.plot(p.day, p.prediction, label="fit (s_w)")
    d = fit_sw.residuals.query("subject == @s and observable == @o")
    a.errorbar(d.day, d.value, yerr=d.sd, fmt="o", color="k", label="published mean")
    a.set_title(f"{s}: {o}", fontsize=9)
    a.set_xlabel("day")
ax[0].legend(frameon=False, fontsize=8);""",
    ),
    (
        "md",
        """## 2. A synthetic cohort with known parameters

Eight subjects of different ages, four monthly sessions at 1.5 mm, ultrasound density and
elasticity at days 0, 30, 90 and 180 with 5% noise. The truth, on purpose away from the
shipped defaults (`k_mat` = {{default:k_mat}}/d, `kap_el` = {{default:kap_el}}):
`params={"k_mat": 0.02, "kap_el": 2.0}` shared by the cohort, `s_w` different for every subject. On a session day the measurement
is taken before the session, as the fit assumes.""",
    ),
    (
        "code",
        """rng = np.random.default_rng(7)
plan = sr.Schedule.regular(4, every_days=30)
cohort = {f"S{j}": sr.Patient(age=float(a)) for j, a in enumerate(rng.uniform(25, 70, 8))}
true_sw = {s: 0.035 * float(np.exp(0.3 * rng.standard_normal())) for s in cohort}
days = [0.0, 30.0, 90.0, 180.0]
rows = []
for s, patient in cohort.items():
    res = sr.simulate(
        plan,
        patient,
        days=None,
        t_eval=days,
        params={"s_w": true_sw[s], "k_mat": 0.02, "kap_el": 2.0},
    )
    for o in ("ultrasound_density", "elasticity"):
        for i, d in enumerate(days):
            k = np.flatnonzero(res.session_days == d)
            value = res.observable(o, res.pre_session[k[0]])[0] if k.size else res[o][i]
            rows.append((s, d, o, value * (1 + 0.05 * rng.standard_normal())))
synthetic = sr.Dataset(
    pd.DataFrame(rows, columns=["subject", "day", "observable", "value"]), plan, cohort
)
synthetic""",
    ),
    (
        "code",
        """cohort_fit = sr.fit(
    synthetic,
    parameters=["k_mat", "kap_el"],
    per_subject=["s_w"],
    observation_model="proportional",
    n_starts=2,
    seed=1,
    profile=["k_mat"],
    options=sr.SolverOptions(rtol=1e-6),
)
print(cohort_fit.summary())""",
    ),
    (
        "md",
        """The noise CVs (`noise_cv[...]`) are estimated too. Maximum likelihood divides by the
number of observations, not by the degrees of freedom, so with a parameter per subject they
come out somewhat below the true 5%. Against the truth:""",
    ),
    (
        "code",
        """truth = {"k_mat": 0.02, "kap_el": 2.0, **{f"s_w[{s}]": v for s, v in true_sw.items()}}
t = cohort_fit.table.loc[list(truth)]
within = zip(t.ci_lower, t.ci_upper, truth.values(), strict=True)
t.assign(
    truth=list(truth.values()),
    inside=[lo <= v <= hi for lo, hi, v in within],
)[["truth", "estimate", "se", "ci_lower", "ci_upper", "inside"]]""",
    ),
    (
        "md",
        """With the noise levels estimated low, the Wald intervals are a little narrow: some true
values fall just outside. Over many repeats with the noise level given, the test suite finds
96% of 440 such intervals cover the truth (`tests/python/test_fit.py`). Data, fitted curves and
their 95% confidence bands for three subjects:""",
    ),
    ("code", """cohort_fit.plot(subjects=["S0", "S1", "S2"]);"""),
    (
        "md",
        """### Saving a fit

`save` writes JSON that `load` restores exactly (estimates, covariance, residuals, profiles,
the data and the settings needed to predict again).""",
    ),
    (
        "code",
        """import pathlib
import tempfile

path = pathlib.Path(tempfile.mkdtemp()) / "cohort_fit.json"
cohort_fit.save(path)
again = sr.FitResult.load(path)
print(again.estimates == cohort_fit.estimates, path.stat().st_size, "bytes")""",
    ),
]
