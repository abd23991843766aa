"""Synthetic cohorts with a known truth, for checks, benchmarks and examples."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..model.parameters import Parameters
from ..patients.patient import Patient
from ..plans.schedule import Schedule
from ._common import SubjectProblem
from .dataset import Dataset
from .fit import FIT_OPTIONS
from .observation_model import ObservationModel

__all__ = ["synthetic_cohort", "DEFAULT_OMEGA"]

#: Between-subject SDs of the log-parameters of the default synthetic cohort.
DEFAULT_OMEGA: dict[str, float] = {"s_w": 0.3, "k_mat": 0.3, "kap_el": 0.25}


def synthetic_cohort(
    n_subjects: int = 30,
    *,
    omega: Mapping[str, float] | None = None,
    typical: Mapping[str, float] | None = None,
    cv: float = 0.05,
    plan: Schedule | None = None,
    days: Sequence[float] = (45, 75, 100, 150, 200, 270),
    observables: Sequence[str] = ("ultrasound_density", "elasticity", "oct_attenuation"),
    seed: int = 0,
) -> tuple[Dataset, dict[str, Any]]:
    """Simulate a cohort from a known population with proportional measurement error.

    Each subject (age uniform in 30-65 years) gets log p = log typical + omega * eta,
    eta ~ Normal(0, 1) independently, is treated with ``plan`` (default: 4 sessions 30 days
    apart at 1.5 mm) and measured on ``days`` with ``value = f (1 + cv e)``, e ~ Normal(0, 1).

    Returns
    -------
    data : Dataset
    truth : dict
        ``typical`` and ``omega`` (the population), ``cv``, ``individual`` (DataFrame of each
        subject's true parameter values).
    """
    omega = dict(DEFAULT_OMEGA if omega is None else omega)
    base = Parameters.default()
    typical = {p: float(base[p]) for p in omega} | dict(typical or {})
    plan = plan or Schedule.regular(4, every_days=30)
    rng = np.random.default_rng(seed)
    subjects = [f"S{i:02d}" for i in range(n_subjects)]
    patients = {s: Patient(age=float(rng.uniform(30, 65))) for s in subjects}
    individual = {
        s: {p: typical[p] * math.exp(w * rng.standard_normal()) for p, w in omega.items()}
        for s in subjects
    }
    rows = []
    for s in subjects:
        frame = pd.DataFrame(
            {
                "subject": s,
                "day": np.repeat(np.asarray(days, float), len(observables)),
                "observable": list(observables) * len(days),
                "value": 1.0,
            }
        )
        data = Dataset(frame, {s: plan}, {s: patients[s]})
        problem = SubjectProblem(
            data,
            [],
            [],
            {o: ObservationModel(cv=cv) for o in observables},
            base.update(individual[s]),
            {},
            {},
            FIT_OPTIONS,
        )
        f, _ = problem.predict_subject(
            s, np.zeros(0), frame["day"].to_numpy(), frame["observable"].to_numpy(), []
        )
        frame["value"] = f * (1 + cv * rng.standard_normal(len(f)))
        rows.append(frame)
    data = Dataset(pd.concat(rows, ignore_index=True), {s: plan for s in subjects}, patients)
    truth = {
        "typical": typical,
        "omega": omega,
        "cv": cv,
        "individual": pd.DataFrame(individual).T.rename_axis("subject"),
    }
    return data, truth
