"""Calibration targets: published measurements and clinic facts in model terms.

Each :class:`Target` says which study measured what, on which schedule and patient, and how the
model predicts it. :func:`calibration_table` compares predictions with observations;
:func:`direction_checks` evaluates the qualitative findings. The fit itself is done by
``tools/calibrate.py``, which writes the shipped ``data/parameters.csv``; see ``docs/model.md``,
section "Calibration", for the choices behind each mapping.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from .engine.result import Result
from .engine.simulate import simulate
from .model.parameters import Parameters
from .patients.patient import Patient
from .plans.schedule import Schedule

__all__ = [
    "Target",
    "TARGETS",
    "DirectionCheck",
    "DIRECTION_CHECKS",
    "calibration_table",
    "direction_checks",
    "CALIBRATED",
    "DESIGN_FACTOR",
]

#: Parameters estimated by tools/calibrate.py (the fast inflammatory kinetics stay at
#: their literature values).
CALIBRATED: tuple[str, ...] = (
    "s_w",
    "k_mat",
    "k_x",
    "kap_US",
    "kap_el",
    "kap_oct",
    "G_s",
    "G_jnd",
)

#: How much a study design inflates a target's uncertainty (its weight is 1 / factor^2).
#: Blinded, controlled trials count fully; open prospective series count less (no control, the
#: assessor knows the treatment); retrospective, unblinded ratings least (recall and selection
#: bias; Aust 2008's 60-80% self-ratings against 41% in Alam 2014's randomised trial). The
#: factors are a documented choice (docs/model.md, Calibration), not estimates.
DESIGN_FACTOR: dict[str, float] = {
    "blinded controlled": 1.0,
    "open prospective": 1.5,
    "retrospective": 3.0,
    "clinic statement": 1.0,
}

# Cohorts. Kenkel 2021: 44-65 years (midpoint 55), Fitzpatrick I-IV, device and depth not
# retrieved (the reference session, 1.5 mm, is assumed). Lotfi 2013: age not retrieved (a young
# acne-scar cohort: 25 years assumed, below the onset of age effects), 1.5 mm dermaroller.
# Aust 2008: mostly one session after topical vitamin A/C (vitamin C "supplemented").
_KENKEL = (Schedule([0, 30, 60, 90], depth_mm=1.5), Patient(age=55, phototype=3))
_LOTFI = (
    Schedule([0, 30, 60, 90, 120], depth_mm=1.5),
    Patient(age=25, phototype=3, acne_scars=True),
)
_AUST = (Schedule([0], depth_mm=1.5), Patient(age=45, vitamin_c="supplemented"))
# Alam 2014 (rater-blinded, split-face RCT): 3 roller sessions 2 weeks apart, adults 20-65 with
# acne scars (35 assumed), depth not retrieved (1.5 mm assumed). Minh 2019 (open series): weekly
# roller sessions for 3 months (12 sessions, days 0-77), Vietnamese acne-scar patients (age not
# retrieved: 25 assumed, phototype IV), depth not retrieved (1.5 mm assumed).
_ALAM = (Schedule([0, 14, 28], depth_mm=1.5), Patient(age=35, phototype=3, acne_scars=True))
_MINH = (
    Schedule([7.0 * k for k in range(12)], depth_mm=1.5),
    Patient(age=25, phototype=4, acne_scars=True),
)
_STANDARD = (Schedule([0, 30, 60, 90], depth_mm=1.5), Patient(age=45))


def _percent(name: str, day: int) -> Callable[[Result], float]:
    return lambda res: float(res.percent_change(name)[day])


def _value(name: str, day: int) -> Callable[[Result], float]:
    return lambda res: float(res[name][day])


@dataclass(frozen=True)
class Target:
    """One calibration point.

    Attributes
    ----------
    id : str
        Short identifier (``study:outcome:day``).
    study, outcome : str
        Source study id (as in ``data/published/observations.csv``) and what was measured.
    observed : float
        Reported value (percent change from baseline unless ``unit`` says otherwise).
    uncertainty : float
        Reported SD/SE, half a reported range, or 15 % of ``observed`` when none is reported.
    uncertainty_kind : str
        Where the uncertainty comes from.
    unit : str
    schedule, patient : Schedule, Patient
        The cohort as simulated.
    days : float
        Horizon of the simulation.
    predict : callable
        Maps the :class:`Result` to the predicted value.
    mapping : str
        How the model predicts the measurement (for the documentation).
    design : str
        Study design, a key of :data:`DESIGN_FACTOR`.
    """

    id: str
    study: str
    outcome: str
    observed: float
    uncertainty: float
    uncertainty_kind: str
    unit: str
    schedule: Schedule
    patient: Patient
    days: float
    predict: Callable[[Result], float] = field(repr=False)
    mapping: str = ""
    design: str = "open prospective"

    @property
    def weight_factor(self) -> float:
        """Factor on the uncertainty for the study design (:data:`DESIGN_FACTOR`)."""
        return DESIGN_FACTOR[self.design]

    @property
    def weighted_uncertainty(self) -> float:
        """Uncertainty used by the calibration: reported spread times the design factor."""
        return self.uncertainty * self.weight_factor

    def evaluate(self, params: Parameters | Mapping[str, float] | None = None) -> float:
        """Simulate the cohort with ``params`` and return the prediction."""
        res = simulate(self.schedule, self.patient, days=self.days, params=params)
        return self.predict(res)


def _rel15(x: float) -> float:
    return 0.15 * abs(x)


def _change_target(
    tid: str,
    study: str,
    outcome: str,
    observed: float,
    cohort: tuple[Schedule, Patient],
    observable: str,
    mapping: str = "",
) -> Target:
    """Make a percent-change target without a reported spread (uncertainty: 15% relative)."""
    day = int(tid.rsplit(":", 1)[1])
    return Target(
        tid,
        study,
        outcome,
        observed,
        _rel15(observed),
        "none reported: 15% relative",
        "% change",
        *cohort,
        day,
        _percent(observable, day),
        mapping or observable,
    )


TARGETS: tuple[Target, ...] = (
    _change_target(
        "lotfi2013:collagen:176",
        "lotfi2013_jewds",
        "papillary collagen fibre content",
        53.2,
        _LOTFI,
        "total_collagen",
        "total collagen change (Masson trichrome fibre content of the scar's own dermis)",
    ),
    _change_target(
        "kenkel2021:density:180",
        "kenkel2021_asj",
        "facial dermal density (HFUS)",
        101.86,
        _KENKEL,
        "ultrasound_density",
    ),
    _change_target(
        "kenkel2021:elasticity:180",
        "kenkel2021_asj",
        "facial skin elasticity (BTC-2000)",
        28.2,
        _KENKEL,
        "elasticity",
    ),
    _change_target(
        "kenkel2021:oct:120",
        "kenkel2021_asj",
        "facial OCT attenuation coefficient",
        15.65,
        _KENKEL,
        "oct_attenuation",
    ),
    _change_target(
        "kenkel2021:oct:180",
        "kenkel2021_asj",
        "facial OCT attenuation coefficient",
        17.33,
        _KENKEL,
        "oct_attenuation",
    ),
    Target(
        "aust2008:rating",
        "aust2008_prs",
        "patient-rated improvement",
        70.0,
        10.0,
        "half the reported range 60-80%",
        "% better",
        *_AUST,
        180,
        _value("patient_rated_improvement", 180),
        "patient_rated_improvement 6 months after one session (timing not reported; the "
        "histology was at 6 months)",
        design="retrospective",
    ),
    Target(
        "alam2014:rating",
        "alam2014_jamaderm",
        "participant-perceived scar improvement",
        41.0,
        _rel15(41.0),
        "none reported: 15% relative",
        "% better",
        *_ALAM,
        208,
        _value("patient_rated_improvement", 208),
        "patient_rated_improvement at the 6-month visit (taken as 6 months after the last of "
        "3 two-weekly sessions), acne scars",
        design="blinded controlled",
    ),
    Target(
        "minh2019:continued",
        "minh2019_oamjms",
        "improvement 2 months after the course over that at its end",
        1.47,
        0.15,
        "SE of the grade changes (SD about 0.57 grade, n = 31)",
        "ratio",
        *_MINH,
        137,
        lambda res: float(res["visible_improvement"][137] / res["visible_improvement"][77]),
        "visible improvement on day 137 over day 77 (the scales are linear in it): "
        "Goodman-Baron grade change 1.52/1.06 = 1.43, Lipper-Perez 20.1/13.3 = 1.51",
        design="open prospective",
    ),
    Target(
        "clinic:first_visible",
        "clinic",
        "first visible improvement (about 6 weeks)",
        42.0,
        _rel15(42.0),
        "clinic statement: 15% relative",
        "days",
        *_STANDARD,
        120,
        lambda res: res.first_visible_day(),
        "first day the visible improvement passes G_jnd, four monthly sessions, age 45",
        design="clinic statement",
    ),
)


def calibration_table(params: Parameters | Mapping[str, float] | None = None) -> pd.DataFrame:
    """Observed against predicted for every calibration target.

    Returns
    -------
    pandas.DataFrame
        Indexed by target id with columns ``study``, ``outcome``, ``unit``, ``observed``,
        ``predicted``, ``uncertainty``, ``uncertainty_kind``, ``design``, ``weighted_uncertainty``
        (uncertainty times the design factor), ``residual`` (predicted - observed), ``z``
        (residual / weighted uncertainty) and ``within`` (|z| <= 1).
    """
    rows = []
    for t in TARGETS:
        pred = t.evaluate(params)
        rows.append(
            {
                "id": t.id,
                "study": t.study,
                "outcome": t.outcome,
                "unit": t.unit,
                "observed": t.observed,
                "predicted": pred,
                "uncertainty": t.uncertainty,
                "uncertainty_kind": t.uncertainty_kind,
                "design": t.design,
                "weighted_uncertainty": t.weighted_uncertainty,
                "residual": pred - t.observed,
                "z": (pred - t.observed) / t.weighted_uncertainty,
            }
        )
    table = pd.DataFrame(rows).set_index("id")
    table["within"] = table["z"].abs() <= 1.0
    return table


@dataclass(frozen=True)
class DirectionCheck:
    """A qualitative published finding: the sign of a change at a day."""

    study: str
    finding: str
    schedule: Schedule
    patient: Patient
    day: int
    observable: str
    expected: str  # "up", "down" or "unchanged" (|change| below `tolerance` percent)
    tolerance: float = 5.0


_TWO_WEEKLY_SIX = Schedule([0, 14, 28, 42, 56, 70], depth_mm=1.5)
_ELDOMYATI_PHOTO = (_TWO_WEEKLY_SIX, Patient(age=45, phototype=4, photoaged=True))
_ELDOMYATI_SCARS = (_TWO_WEEKLY_SIX, Patient(age=25, phototype=4, acne_scars=True))

DIRECTION_CHECKS: tuple[DirectionCheck, ...] = tuple(
    [
        DirectionCheck(
            "eldomyati2015_ijd",
            f"{obs.replace('_', ' ')} {exp} at day {day}",
            *_ELDOMYATI_PHOTO,
            day,
            obs,
            exp,
        )
        for day in (30, 90)
        for obs, exp in (
            ("collagen_I", "up"),
            ("collagen_III", "up"),
            ("new_collagen", "up"),
            ("tropoelastin", "up"),
            ("elastin", "down"),
        )
    ]
    + [
        DirectionCheck(
            "eldomyati2015_jcad",
            f"{obs.replace('_', ' ')} {exp} at day 90",
            *_ELDOMYATI_SCARS,
            90,
            obs,
            exp,
        )
        for obs, exp in (
            ("collagen_I", "up"),
            ("collagen_III", "up"),
            ("new_collagen", "up"),
            ("elastin", "down"),
        )
    ]
    + [
        DirectionCheck(
            "kenkel2021_asj",
            "total elastin protein unchanged (within 5%) at day 180",
            *_KENKEL,
            180,
            "elastin",
            "unchanged",
        )
    ]
)


def direction_checks(params: Parameters | Mapping[str, float] | None = None) -> pd.DataFrame:
    """Evaluate every qualitative finding; column ``holds`` says if the model agrees."""
    rows = []
    results: dict[tuple[Schedule, Patient], Result] = {}
    for c in DIRECTION_CHECKS:
        key = (c.schedule, c.patient)
        if key not in results:  # one simulation per cohort, long enough for all its checks
            horizon = max(d.day for d in DIRECTION_CHECKS if (d.schedule, d.patient) == key)
            results[key] = simulate(c.schedule, c.patient, days=horizon, params=params)
        change = float(results[key].percent_change(c.observable)[c.day])
        if c.expected == "up":
            holds = change > 0
        elif c.expected == "down":
            holds = change < 0
        else:
            holds = abs(change) <= c.tolerance
        rows.append(
            {
                "study": c.study,
                "finding": c.finding,
                "observable": c.observable,
                "day": c.day,
                "expected": c.expected,
                "model change (%)": change,
                "holds": bool(holds),
            }
        )
    return pd.DataFrame(rows)
