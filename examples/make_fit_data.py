"""Write the synthetic fitting example: examples/observations.csv, plans.csv, patients.csv.

Four subjects (A-D) with different plans and patients, measured at days 0, 30, 90 and 180
(ultrasound density and skin elasticity, before that day's session, as clinics do). The values
are the model's predictions with the default parameters, a per-subject wound-signal strength
``s_w`` (log-normal, 30 %) and 5 % proportional measurement noise, all from a fixed seed. They
illustrate the file formats of :meth:`skinremodel.Dataset.from_csv` and the README's fitting
example; they are not patient data. Rerun with ``python examples/make_fit_data.py``.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import skinremodel as sr

HERE = Path(__file__).parent
DAYS = [0.0, 30.0, 90.0, 180.0]
OBSERVABLES = ("ultrasound_density", "elasticity")
PLANS = {  # subject: (session days, needle depth in mm)
    "A": ([0, 30, 60, 90], 1.5),
    "B": ([0, 28, 56], 1.0),
    "C": ([0, 42, 84, 126], 2.0),
    "D": ([0, 30, 60], 1.5),
}
PATIENTS = pd.DataFrame(
    {
        "subject": ["A", "B", "C", "D"],
        "age": [34, 45, 58, 63],
        "smoker": ["no", "yes", "no", "no"],
        "diabetes": ["none", "none", "none", "controlled"],
    }
)


def main() -> None:
    """Simulate each subject and write the three CSV files next to this script."""
    rng = np.random.default_rng(9)
    pd.DataFrame(
        [(s, d, depth) for s, (days, depth) in PLANS.items() for d in days],
        columns=["subject", "day", "depth_mm"],
    ).to_csv(HERE / "plans.csv", index=False)
    PATIENTS.to_csv(HERE / "patients.csv", index=False)
    plans = sr.read_plans(HERE / "plans.csv")  # read back: the files are what is simulated
    patients = sr.read_patients(HERE / "patients.csv")
    rows = []
    for subject, plan in plans.items():
        s_w = sr.Parameters.default()["s_w"] * float(np.exp(0.3 * rng.standard_normal()))
        res = sr.simulate(plan, patients[subject], days=None, t_eval=DAYS, params={"s_w": s_w})
        for i, day in enumerate(DAYS):
            hit = np.flatnonzero(res.session_days == day)  # session day: the state before it
            states = res.pre_session[hit[0]] if hit.size else res.y[i]
            for name in OBSERVABLES:
                value = float(res.observable(name, states)[0]) * (1 + 0.05 * rng.standard_normal())
                rows.append((subject, day, name, round(value, 5)))
    pd.DataFrame(rows, columns=["subject", "day", "observable", "value"]).to_csv(
        HERE / "observations.csv", index=False
    )


if __name__ == "__main__":
    main()
