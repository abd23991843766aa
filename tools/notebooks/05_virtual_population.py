"""Cells of notebooks/05_virtual_population.ipynb (see tools/make_notebooks.py)."""

CELLS = [
    (
        "md",
        """# Virtual populations: prediction bands for two plans

A clinic's patients differ in age, health and in how strongly their skin responds. This notebook
samples a virtual population (seeded, so it is reproducible), simulates every patient on two
plans with the C++ batch engine, and compares the plans by their prediction bands: the median
and the 5-95% and 25-75% ranges of the population on every day. *A research model, not a
medical device.*""",
    ),
    (
        "code",
        """import matplotlib.pyplot as plt
import numpy as np
import skinremodel as sr

pop = sr.Population(
    600,
    age=("normal", 50, 12),  # truncated to 18-100 years
    covariates={
        "smoker": 0.2,
        "photoaged": 0.3,
        "diabetes": {"none": 0.88, "controlled": 0.09, "poor": 0.03},
    },
    variability={"s_w": 0.3, "k_mat": 0.2, "r_F": 0.2},  # omega: sd of log(parameter)
    correlation=[[1.0, 0.4, 0.0], [0.4, 1.0, 0.0], [0.0, 0.0, 1.0]],
    seed=2024,
)
pop""",
    ),
    (
        "code",
        """pop.to_pandas().describe(include="all").T[["mean", "std", "min", "max", "top", "freq"]]""",
    ),
    (
        "md",
        """## Two plans, the same patients

Four sessions four weeks apart against three sessions six weeks apart, both at 1.5 mm.
`Population.simulate` runs all 600 patients in one call of the batch engine (on every core, the
GIL released) and returns the quantiles per day as a DataFrame indexed by (observable, day).""",
    ),
    (
        "code",
        """plans = {
    "4 x 4 weeks": sr.Schedule.regular(4, every_weeks=4, name="4 x 4 weeks"),
    "3 x 6 weeks": sr.Schedule.regular(3, every_weeks=6, name="3 x 6 weeks"),
}
bands = {
    name: pop.simulate(plan, days=365, observables=["total_collagen", "visible_improvement"])
    for name, plan in plans.items()
}
bands["4 x 4 weeks"].loc["total_collagen"].iloc[[0, 30, 90, 180, 365]]""",
    ),
    (
        "code",
        """fig, axes = plt.subplots(1, 2, figsize=(12, 4), sharex=True)
for b, color in zip(bands.values(), ["C0", "C3"], strict=True):
    b.plot("total_collagen", ax=axes[0], color=color, sessions=False)
    b.plot("visible_improvement", ax=axes[1], color=color, sessions=False)
axes[1].axhline(pop.nominal["G_jnd"], color="k", lw=0.8, ls="--")
axes[0].set_title("total collagen (x baseline)")
axes[1].set_title("visible improvement G (dashed: just noticeable)")
for ax in axes:
    ax.legend(fontsize=7, frameon=False)""",
    ),
    (
        "md",
        """Compare the medians with the width of the bands: the difference between the plans is
smaller than the spread between patients, so a plan that is better for the median patient is not
better for everyone. The numbers at 3, 6 and 12 months:""",
    ),
    (
        "code",
        """for name, b in bands.items():
    for day in (90.0, 180.0, 365.0):
        q = b.loc[("total_collagen", day)]
        print(f"{name}, day {day:3.0f}: median {q['50%']:.3f}, 5-95% {q['5%']:.3f}-{q['95%']:.3f}")""",
    ),
    (
        "md",
        """## Who responds less? Per-patient outcomes

`Population.outcomes` keeps the per-patient metrics (here collagen at 6 months and the hours of
visible redness after each session) with the patients' covariates, ready for pandas.""",
    ),
    (
        "code",
        """res = pop.outcomes(plans["4 x 4 weeks"], days=[180], metrics=["total_collagen", "redness_hours"])
table = res.items[["age", "smoker", "diabetes"]].assign(
    collagen_6mo=res.values("total_collagen")[:, 0],
    redness_h=res.values("redness_hours")[:, 0],
)
table["age group"] = np.where(table.age < 50, "< 50 y", ">= 50 y")
table.groupby(["age group", "smoker"])[["collagen_6mo", "redness_h"]].median().round(3)""",
    ),
    (
        "md",
        """## Reproducible and distributable

The same seed gives the same population and the same bands, bit for bit. The same sweep runs on a
Dask cluster by passing `client=`: each task runs a chunk of patients in the C++ engine, and the
result equals the local one (here a small in-process cluster).""",
    ),
    (
        "code",
        """from dask.distributed import Client, LocalCluster

again = sr.Population(
    600,
    age=("normal", 50, 12),
    covariates={
        "smoker": 0.2,
        "photoaged": 0.3,
        "diabetes": {"none": 0.88, "controlled": 0.09, "poor": 0.03},
    },
    variability={"s_w": 0.3, "k_mat": 0.2, "r_F": 0.2},
    correlation=[[1.0, 0.4, 0.0], [0.4, 1.0, 0.0], [0.0, 0.0, 1.0]],
    seed=2024,
)
print("same population:", again == pop)

with (
    LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    ) as cluster,
    Client(cluster) as client,
):
    remote = pop.simulate(
        plans["3 x 6 weeks"],
        days=365,
        observables=["total_collagen", "visible_improvement"],
        client=client,
    )
print("Dask run equals the local run:", remote.equals(bands["3 x 6 weeks"]))""",
    ),
]
