"""Cells of notebooks/01_quickstart.ipynb (see tools/make_notebooks.py)."""

CELLS = [
    (
        "md",
        """# skinremodel quick start

Simulate the skin's response to a plan of microneedling sessions with the MN-14 model, read the
result as numpy arrays and pandas tables, and plot it. *A research model, not a medical device.*""",
    ),
    (
        "code",
        """import matplotlib.pyplot as plt
import numpy as np
import skinremodel as sr

plan = sr.Schedule.regular(sessions=4, every_days=28, depth_mm=1.5)
res = sr.simulate(plan, patient=sr.Patient(age=45), days=365)
res""",
    ),
    (
        "md",
        """Every state (`D`, `N`, ..., `Cm`, `E`, `R`) and every observable is available by name as a
numpy array over `res.t` (days).""",
    ),
    (
        "code",
        """print(res.observable_names)
res.to_pandas()[["total_collagen", "mature_collagen", "visible_improvement", "erythema"]].iloc[::30]""",
    ),
    (
        "code",
        """fig, axes = plt.subplots(1, 2, figsize=(11, 3.5))
res.plot(["total_collagen", "mature_collagen", "new_collagen"], ax=axes[0])
res.plot("visible_improvement", ax=axes[1])
axes[1].axhline(res.effective_params["G_jnd"], color="k", lw=0.8, ls="--", label="just noticeable")
axes[1].legend(frameon=False);""",
    ),
    (
        "md",
        """## The first days: redness and inflammation

Output times are free (`t_eval`); values come from the integrator's dense output. Redness
duration is found by root finding on the dense output, not read off the grid.""",
    ),
    (
        "code",
        """early = sr.simulate(plan, sr.Patient(age=45), days=6, t_eval=np.linspace(0, 6, 600))
ax = early.plot(["R", "N", "M1", "M2"])
ax.axhline(early.effective_params["R_vis"], color="k", lw=0.8, ls="--")
print(
    f"visible redness after session 1: {res.redness_hours(0):.1f} h, "
    f"downtime {res.downtime_days(0):.1f} d, "
    f"first visible improvement on day {res.first_visible_day():.0f}"
)""",
    ),
    (
        "md",
        """## Session days: reported after the session

On a session day the output is the state right *after* the session; the state right before it
(the left limit) is in `res.pre_session`.""",
    ),
    (
        "code",
        """res.session_table()[["day", "depth_mm", "dose_u", "D_pre", "D_post", "Cm_pre", "Cm_post"]]""",
    ),
    (
        "md",
        """## Patients and parameters

Covariates change documented parameters; any parameter can be overridden per call.""",
    ),
    (
        "code",
        """for patient in [sr.Patient(age=30), sr.Patient(age=60), sr.Patient(age=60, diabetes="poor")]:
    r = sr.simulate(plan, patient, days=365)
    print(
        f"{patient.age:4.0f} y, diabetes={patient.diabetes:5s}: collagen at 6 months "
        f"{r.percent_change('total_collagen')[180]:+.1f} %, redness {r.redness_hours(0):.0f} h"
    )""",
    ),
    (
        "code",
        """table = sr.parameter_table()
table.loc[["s_w", "k_mat", "k_x", "tau_Er", "d_T"], ["value", "unit", "domain", "tag", "source"]]""",
    ),
    (
        "code",
        """k_x = sr.Parameters.default()["k_x"]
slower = sr.simulate(plan, sr.Patient(age=45), days=365, params={"k_x": k_x / 2})
print(
    f"mature collagen at 6 months: default (k_x = {k_x:.3g}/d) "
    f"{res.percent_change('mature_collagen')[180]:+.1f} %, half the cross-linking rate "
    f"{slower.percent_change('mature_collagen')[180]:+.1f} %"
)""",
    ),
    (
        "md",
        """## Solvers

`method="rodas5p"` (default, L-stable Rosenbrock 5(4)), `method="rodas4"` (L-stable Rosenbrock
4(3)) or `method="dopri5"` (explicit, Boost.Odeint); all agree with an independent Radau solution
to better than 1e-6 at tight tolerances.""",
    ),
    (
        "code",
        """for method in sr.METHODS:
    r = sr.simulate(plan, sr.Patient(age=45), days=365, method=method)
    print(method, r.stats)""",
    ),
    (
        "md",
        """## Everything at a glance, labelled arrays, files

`plot_overview()` draws the main quantities with their units, the sessions marked and
redness on an hours axis (it lasts hours, not days). `to_xarray()` gives an xarray Dataset with
units and descriptions; `save()` writes it to netCDF with the inputs (plan, patient, every
parameter value), and `Result.load` reads back an equal result.""",
    ),
    ("code", """res.plot_overview();"""),
    (
        "code",
        """import pathlib
import tempfile

ds = res.to_xarray()
print(ds["total_collagen"].attrs)
path = res.save(pathlib.Path(tempfile.mkdtemp()) / "run.nc")
print(sr.Result.load(path).equals(res), repr(sr.Result.load(path)))""",
    ),
]
