"""Patient screening: the contraindications and cautions clinic guidance lists for microneedling.

:func:`screen` checks a patient (covariates and :class:`~skinremodel.MedicalHistory`) against a
plan. A **contraindication** blocks :func:`~skinremodel.simulate` and
:func:`~skinremodel.compare` unless the caller overrides it with a stated reason, which is
recorded on the result and in reports; a **caution** is reported, and where the model has a
covariate for it (diabetes) the simulation applies it.

Date rules compare the history's dates with each session's calendar date, so a plan needs a
start date when the history has dates. Windows (constants below): isotretinoin stopped at least
6 calendar months before a session; radiation therapy to the area ended at least 12 months
before; no topical retinoid and no prolonged sun exposure within 24 hours before a session.
With dates only, "within 24 hours" is read conservatively as the session's day or the day
before. Sources are listed per rule (:data:`RULES`) and in ``docs/clinician.md``: a drug label,
a consensus statement and peer-reviewed reviews of microneedling where they exist; rules and
windows with no such source say plainly that they are clinic practice. None rests on a trial.
An override needs a reason of at least :data:`MIN_REASON_WORDS` words.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import pandas as pd
from dateutil.relativedelta import relativedelta  # type: ignore[import-untyped]

from .._html import render
from ..plans.schedule import Schedule, as_schedule
from .patient import Patient

__all__ = [
    "screen",
    "Screening",
    "Finding",
    "Rule",
    "RULES",
    "ContraindicationError",
    "ISOTRETINOIN_WASHOUT_MONTHS",
    "RADIOTHERAPY_WASHOUT_MONTHS",
    "TOPICAL_WINDOW_DAYS",
    "MIN_REASON_WORDS",
]

Severity = Literal["contraindication", "caution"]

#: Calendar months from the last isotretinoin dose to the first allowed session (drug label).
ISOTRETINOIN_WASHOUT_MONTHS = 6
#: Calendar months from the end of radiation therapy to the area (chosen; see RULES).
RADIOTHERAPY_WASHOUT_MONTHS = 12
#: "Within 24 hours" at date resolution: the session's day and the day before.
TOPICAL_WINDOW_DAYS = 1

#: An override's reason must have at least this many words ("x" or "ok" is not a reason).
MIN_REASON_WORDS = 3

# Sources. [review] = a peer-reviewed review of microneedling whose contraindications include
# the rule (the abstracts were retrieved; the contraindication lists were not re-read in full
# text in this round: check before relying on them); [consensus], [label]; "clinic practice" =
# no medical source was found.
_REVIEWS = (
    "reviews of microneedling [review]: Singh A, Yadav S. Microneedling: advances and "
    "widening horizons. Indian Dermatol Online J 2016;7(4):244-254; Alster TS, Graham "
    "PM. Microneedling: a review and practical guide. Dermatol Surg 2018;44(3):397-404"
)
_CHRONIC = (
    _REVIEWS + " (active inflammatory skin disease in the area). Clinic practice: "
    "treat until the area is clear"
)


@dataclass(frozen=True)
class Finding:
    """One screening result.

    Attributes
    ----------
    code : str
        Rule code (``"isotretinoin"``, ``"pregnancy"``, ...); overrides use it.
    severity : {"contraindication", "caution"}
    message : str
        What was found, naming the sessions and dates concerned.
    sessions : tuple of int
        Indices of the sessions concerned (every session for a condition of the patient).
    source : str
        Where the rule comes from.
    covariate : str or None
        The model covariate that applies a caution (e.g. ``"diabetes"``).
    override : str or None
        The caller's reason for going ahead despite a contraindication.
    """

    code: str
    severity: Severity
    message: str
    sessions: tuple[int, ...]
    source: str
    covariate: str | None = None
    override: str | None = None

    @property
    def blocking(self) -> bool:
        """A contraindication that was not overridden."""
        return self.severity == "contraindication" and self.override is None

    def __str__(self) -> str:
        text = f"{self.severity}: {self.message}"
        if self.override is not None:
            text += f" [overridden: {self.override}]"
        return text


@dataclass(frozen=True)
class _Context:
    patient: Patient
    dates: tuple[dt.date, ...] | None
    n_sessions: int


@dataclass(frozen=True)
class Rule:
    """A screening rule: a code, a severity, a source and a check.

    ``check(context)`` returns ``(message, sessions)`` when the rule applies, else None.
    """

    code: str
    severity: Severity
    title: str
    source: str
    check: Callable[[_Context], tuple[str, tuple[int, ...]] | None]
    covariate: str | None = None


def _condition(attribute: str, text: str) -> Callable[[_Context], Any]:
    def check(ctx: _Context) -> tuple[str, tuple[int, ...]] | None:
        if getattr(ctx.patient.history, attribute):
            return text, tuple(range(ctx.n_sessions))
        return None

    return check


def _other_condition(ctx: _Context) -> tuple[str, tuple[int, ...]] | None:
    name = ctx.patient.history.other_skin_condition
    if name is None:
        return None
    return f"chronic skin condition in the area ({name})", tuple(range(ctx.n_sessions))


def _session_list(ctx: _Context, hits: Sequence[int]) -> str:
    assert ctx.dates is not None
    shown = [f"sessions[{k}] ({ctx.dates[k].isoformat()})" for k in hits[:3]]
    more = f" and {len(hits) - 3} more" if len(hits) > 3 else ""
    return ", ".join(shown) + more


def _washout(attribute: str, months: int, what: str) -> Callable[[_Context], Any]:
    """Sessions earlier than ``months`` calendar months after a date are concerned."""

    def check(ctx: _Context) -> tuple[str, tuple[int, ...]] | None:
        ended: dt.date | None = getattr(ctx.patient.history, attribute)
        if ended is None or ctx.dates is None:
            return None
        clear = ended + relativedelta(months=months)
        hits = [k for k, d in enumerate(ctx.dates) if d < clear]
        if not hits:
            return None
        return (
            f"{what} {ended.isoformat()}, less than {months} months before "
            f"{_session_list(ctx, hits)}; sessions from {clear.isoformat()} are clear",
            tuple(hits),
        )

    return check


def _isotretinoin(ctx: _Context) -> tuple[str, tuple[int, ...]] | None:
    if ctx.patient.history.on_isotretinoin:
        return (
            "taking oral isotretinoin now; sessions need "
            f"{ISOTRETINOIN_WASHOUT_MONTHS} months after the last dose",
            tuple(range(ctx.n_sessions)),
        )
    return _washout("isotretinoin_stopped", ISOTRETINOIN_WASHOUT_MONTHS, "isotretinoin stopped")(
        ctx
    )


def _within_a_day(attribute: str, what: str) -> Callable[[_Context], Any]:
    def check(ctx: _Context) -> tuple[str, tuple[int, ...]] | None:
        last: dt.date | None = getattr(ctx.patient.history, attribute)
        if last is None or ctx.dates is None:
            return None
        hits = [k for k, d in enumerate(ctx.dates) if 0 <= (d - last).days <= TOPICAL_WINDOW_DAYS]
        if not hits:
            return None
        return (
            f"{what} on {last.isoformat()}, within 24 hours before "
            f"{_session_list(ctx, hits)} (same or previous day)",
            tuple(hits),
        )

    return check


def _diabetes(ctx: _Context) -> tuple[str, tuple[int, ...]] | None:
    status = ctx.patient.diabetes
    if status == "none":
        return None
    text = (
        f"diabetes ({status}): slower healing and longer recovery; the model applies it "
        "through the diabetes covariate (longer inflammation, less synthesis)"
    )
    if status == "poor":
        text += (
            "; clinic guidance lists uncontrolled diabetes as a contraindication, so "
            "confirm control before treating"
        )
    return text, tuple(range(ctx.n_sessions))


#: The rules, in the order findings are reported.
RULES: tuple[Rule, ...] = (
    Rule(
        "pregnancy",
        "contraindication",
        "Pregnancy",
        "clinic practice: no study of microneedling has enrolled pregnant patients (trials "
        "exclude pregnancy), so its safety in pregnancy is unknown; no medical guideline "
        "addresses it",
        _condition("pregnant", "pregnancy"),
    ),
    Rule(
        "active_acne",
        "contraindication",
        "Active acne",
        _REVIEWS + " (active acne or infection in the area: spreading bacteria)",
        _condition("active_acne", "active acne in the area"),
    ),
    Rule(
        "rosacea_flare",
        "contraindication",
        "Rosacea flare",
        _CHRONIC,
        _condition("rosacea_flare", "rosacea flare"),
    ),
    Rule(
        "eczema", "contraindication", "Eczema", _CHRONIC, _condition("eczema", "eczema in the area")
    ),
    Rule(
        "psoriasis",
        "contraindication",
        "Psoriasis",
        _CHRONIC,
        _condition("psoriasis", "psoriasis in the area"),
    ),
    Rule(
        "chronic_skin_condition",
        "contraindication",
        "Other chronic skin condition",
        _CHRONIC,
        _other_condition,
    ),
    Rule(
        "open_wound",
        "contraindication",
        "Open wound",
        _REVIEWS + " (local infection in the area)",
        _condition("open_wound", "open wound or infection in the area"),
    ),
    Rule(
        "radiotherapy",
        "contraindication",
        "Recent radiation therapy",
        _REVIEWS + " (radiotherapy or chemotherapy: impaired healing). The 12-month window "
        "is clinic practice (chosen: chronic radiation changes of the skin develop over "
        "months); no source gives a window",
        _washout(
            "radiotherapy_ended", RADIOTHERAPY_WASHOUT_MONTHS, "radiation therapy to the area ended"
        ),
    ),
    Rule(
        "isotretinoin",
        "contraindication",
        "Isotretinoin within 6 months",
        "[label] isotretinoin (Accutane) medication guide: no cosmetic procedures to smooth "
        "the skin during treatment and for at least 6 months after stopping. [consensus] "
        "Spring LK et al. Isotretinoin and timing of procedural interventions: a systematic "
        "review with consensus recommendations. JAMA Dermatol 2017;153(8):802-809: "
        "insufficient evidence to delay minimally invasive procedures, so overriding with "
        "that reason is legitimate",
        _isotretinoin,
    ),
    Rule(
        "retinoid",
        "contraindication",
        "Retinoid within 24 hours",
        "clinic practice: pre-treatment instructions of clinics ask for a pause of 12 hours "
        "to 7 days; 24 hours is the project's clinic guidance; no medical source gives a "
        "window",
        _within_a_day("last_retinoid_use", "topical retinoid used"),
    ),
    Rule(
        "sun_exposure",
        "contraindication",
        "Sun exposure within 24 hours",
        "clinic practice: no needling of sunburned or freshly tanned skin; 24 hours is the "
        "project's clinic guidance (clinic instructions range up to 2 weeks); no medical "
        "source gives a window",
        _within_a_day("last_sun_exposure", "sun exposure"),
    ),
    Rule(
        "keloid",
        "contraindication",
        "Keloid or hypertrophic scarring",
        _REVIEWS + " (keloid tendency); also outside the model's validity (no fibrotic "
        "bistability, docs/model.md)",
        _condition("keloid_history", "history of keloid or hypertrophic scarring"),
    ),
    Rule(
        "diabetes",
        "caution",
        "Diabetes",
        "clinic practice: clinics list uncontrolled diabetes as a contraindication because "
        "diabetic wounds heal more slowly; the model applies diabetes as a covariate (design "
        "MN-14 section 2.7)",
        _diabetes,
        covariate="diabetes",
    ),
)
RULE_CODES: tuple[str, ...] = tuple(r.code for r in RULES)


@dataclass(frozen=True)
class Screening:
    """The findings of :func:`screen` for one patient and one plan."""

    findings: tuple[Finding, ...] = ()

    @property
    def blocked(self) -> bool:
        """True if a contraindication was found and not overridden."""
        return any(f.blocking for f in self.findings)

    @property
    def contraindications(self) -> tuple[Finding, ...]:
        """Contraindications, overridden or not."""
        return tuple(f for f in self.findings if f.severity == "contraindication")

    @property
    def cautions(self) -> tuple[Finding, ...]:
        """Cautions."""
        return tuple(f for f in self.findings if f.severity == "caution")

    @property
    def overrides(self) -> dict[str, str]:
        """The overridden rule codes and the reasons given."""
        return {f.code: f.override for f in self.findings if f.override is not None}

    @property
    def status(self) -> str:
        """``"blocked"``, ``"overridden"`` (went ahead with a stated reason) or ``"ok"``."""
        if self.blocked:
            return "blocked"
        return "overridden" if self.overrides else "ok"

    def summary(self) -> str:
        """One short line: the codes found, e.g. ``"caution: diabetes"`` (``"none"`` if clear)."""
        if not self.findings:
            return "none"
        return "; ".join(
            f"{f.severity}: {f.code}" + (" (overridden)" if f.override else "")
            for f in self.findings
        )

    def to_frame(self) -> pd.DataFrame:
        """One row per finding: code, severity, message, sessions, override, source."""
        return pd.DataFrame(
            [
                {
                    "code": f.code,
                    "severity": f.severity,
                    "message": f.message,
                    "sessions": list(f.sessions),
                    "covariate": f.covariate,
                    "override": f.override,
                    "source": f.source,
                }
                for f in self.findings
            ],
            columns=["code", "severity", "message", "sessions", "covariate", "override", "source"],
        )

    def __str__(self) -> str:
        if not self.findings:
            return "screening: nothing found"
        return "\n".join(["screening:", *(f"  - {f}" for f in self.findings)])

    def _repr_html_(self) -> str:
        return render("repr/screening.html.j2", findings=[str(f) for f in self.findings])


class ContraindicationError(ValueError):
    """Screening found a contraindication that was not overridden.

    Attributes
    ----------
    screening : Screening
        All findings, including the blocking ones.
    """

    def __init__(self, screening: Screening, plan_label: str = "") -> None:
        self.screening = screening
        blocking = [f for f in screening.findings if f.blocking]
        codes = ", ".join(f"{f.code!r}: '<reason>'" for f in blocking)
        flags = " ".join(f'--override {f.code}="<reason>"' for f in blocking)
        where = f"plan {plan_label!r}: " if plan_label else ""
        super().__init__(
            f"{where}contraindicated: {'; '.join(f.message for f in blocking)}. To go ahead "
            f"anyway, state a reason of a few words: override={{{codes}}} (command line: "
            f"{flags})"
        )


#: The screening of a patient with nothing to check (a Screening is immutable: one is shared).
_NOTHING = Screening()


def check_overrides(override: Mapping[str, str] | None) -> dict[str, str]:
    """Validate ``{rule code: reason}``; every reason must be a non-empty string."""
    if override is None:
        return {}
    if not isinstance(override, Mapping):
        raise TypeError(
            f"override must be a mapping {{rule code: reason}}, got {type(override).__name__}"
        )
    out = {}
    for code, reason in override.items():
        if code not in RULE_CODES:
            raise ValueError(
                f"override: unknown screening rule {code!r}; rules are {', '.join(RULE_CODES)}"
            )
        if not isinstance(reason, str) or len(reason.split()) < MIN_REASON_WORDS:
            raise ValueError(
                f"override[{code!r}] needs a reason of at least "
                f"{MIN_REASON_WORDS} words saying why the plan goes ahead (e.g. "
                "'dermatologist approved, consensus 2017'), got "
                f"{reason!r}"
            )
        out[code] = " ".join(reason.split())
    return out


def screen(
    patient: Patient,
    plan: Schedule | Sequence[float],
    *,
    override: Mapping[str, str] | None = None,
    start_date: dt.date | str | None = None,
) -> Screening:
    """Screen a patient for a plan against the rules in :data:`RULES`.

    Parameters
    ----------
    patient : Patient
        Covariates and ``history`` (:class:`MedicalHistory`).
    plan : Schedule or sequence of float
        The plan; its session dates are used by the date rules.
    override : mapping, optional
        ``{rule code: reason}``: contraindications to go ahead with anyway; the reason is
        recorded on the finding. Codes that were not found are ignored.
    start_date : date or str, optional
        Date of day 0 for a plan without one.

    Returns
    -------
    Screening

    Raises
    ------
    ValueError
        The history has dates but the plan has no start date (the message says which dates),
        or an override without a reason or with an unknown code.

    Examples
    --------
    >>> import datetime as dt, skinremodel as sr
    >>> patient = sr.Patient(history=sr.MedicalHistory(isotretinoin_stopped=dt.date(2025, 1, 10)))
    >>> plan = sr.Schedule.regular(3, every_weeks=4, start_date=dt.date(2025, 6, 10))
    >>> sr.screen(patient, plan).blocked
    True
    """
    if not isinstance(patient, Patient):
        raise TypeError(f"patient must be a skinremodel.Patient, got {type(patient).__name__}")
    schedule = as_schedule(plan)
    reasons = check_overrides(override)
    history = patient.history
    if not history and patient.diabetes == "none":
        return _NOTHING  # the common case in sweeps: nothing to check
    if start_date is not None and schedule.start_date is None:
        schedule = schedule.starting(start_date)
    dates = None
    if history.dated_fields and len(schedule):
        if schedule.start_date is None:
            given = ", ".join(f"{k}={v.isoformat()}" for k, v in history.dated_fields.items())
            raise ValueError(
                f"the patient's history has dates ({given}), and screening compares them with "
                "the session dates; give the plan a start date (plan.starting(date), "
                "Schedule(..., start_date=date)) or pass start_date="
            )
        dates = schedule.dates
    ctx = _Context(patient, dates, len(schedule))
    findings = []
    for rule in RULES:
        hit = rule.check(ctx)
        if hit is None:
            continue
        message, sessions = hit
        finding = Finding(rule.code, rule.severity, message, sessions, rule.source, rule.covariate)
        if rule.code in reasons and rule.severity == "contraindication":
            finding = replace(finding, override=reasons[rule.code])
        findings.append(finding)
    return Screening(tuple(findings))
