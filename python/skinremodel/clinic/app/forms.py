"""The web app's form: parse and validate what the clinician typed, with clear messages.

:func:`parse_form` turns the submitted fields into a patient, plans, overrides, a horizon and a
start date, or a list of :class:`FieldError` saying what is wrong and where. Nothing here
raises on bad input: every problem becomes a message for the page.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ... import plans as library
from ...limits import CORE_LIMITS
from ...patients.history import MedicalHistory
from ...patients.patient import COVARIATE_LABELS, FLAG_COVARIATES, Patient
from ...patients.screening import MIN_REASON_WORDS, RULES
from ...plans.schedule import Schedule
from ..clinical_terms import parse_horizon

__all__ = [
    "FieldError",
    "FormData",
    "parse_form",
    "MAX_PLANS",
    "MAX_TEXT",
    "HISTORY_FLAGS",
    "HISTORY_DATES",
    "COVARIATE_FLAGS",
    "OPTIMISED_NAME",
    "carried_plan",
]

#: At most this many plans per comparison (the page stays readable, the request fast).
MAX_PLANS = 8
#: Longest accepted text field (plan lines, names, reasons), in characters.
MAX_TEXT = 400
#: Name of the optimiser's plan among the compared plans (reserved: no user plan may take it).
OPTIMISED_NAME = "optimised plan"

#: The yes/no covariates as the form labels them (the patient module's labels and hints).
COVARIATE_FLAGS: tuple[tuple[str, str], ...] = tuple(
    (name, f"{label} ({hint})" if hint else label)
    for name, (label, hint) in ((n, COVARIATE_LABELS[n]) for n in FLAG_COVARIATES)
)
HISTORY_FLAGS: tuple[tuple[str, str], ...] = (
    ("pregnant", "Pregnant (now or during the plan)"),
    ("active_acne", "Active acne in the area"),
    ("rosacea_flare", "Rosacea flare"),
    ("eczema", "Eczema in the area"),
    ("psoriasis", "Psoriasis in the area"),
    ("open_wound", "Open wound, cut or infection in the area"),
    ("keloid_history", "Keloid or hypertrophic scars in the past"),
    ("on_isotretinoin", "Taking oral isotretinoin now"),
)
HISTORY_DATES: tuple[tuple[str, str], ...] = (
    ("isotretinoin_stopped", "Isotretinoin: date of the last dose"),
    ("radiotherapy_ended", "Radiation therapy to the area: last day"),
    ("last_retinoid_use", "Topical retinoid: last use"),
    ("last_sun_exposure", "Prolonged sun exposure or sunburn: last day"),
)


@dataclass(frozen=True)
class FieldError:
    """A problem with one field: the field's name and a message in plain words."""

    field: str
    message: str


@dataclass
class FormData:
    """What a valid form gives: inputs of :func:`skinremodel.compare`."""

    patient_name: str = ""
    patient: Patient | None = None
    plans: dict[str, Schedule] = field(default_factory=dict)
    overrides: dict[str, str] = field(default_factory=dict)
    days: float = 365.0
    start_date: dt.date | None = None
    errors: list[FieldError] = field(default_factory=list)


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name, "")
    return value.strip() if isinstance(value, str) else ""


def _date(
    form: Mapping[str, Any], name: str, label: str, errors: list[FieldError]
) -> dt.date | None:
    text = _text(form, name)
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors.append(
            FieldError(
                name, f"{label}: {text!r} is not a date; use the date picker or write YYYY-MM-DD"
            )
        )
        return None


def _plan_lines(text: str, errors: list[FieldError]) -> list[tuple[str, Schedule]]:
    out = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        name, sep, body = line.partition(":")
        if not sep or not body.strip():
            name, body = "", line
        name, body = name.strip(), body.strip()
        try:
            plan = Schedule.parse(body, name=name or body)
        except (ValueError, TypeError) as exc:
            errors.append(FieldError("plan_text", f"Plan line {number} ({line[:60]!r}): {exc}"))
            continue
        out.append((name or body, plan))
    return out


def carried_plan(plan: Schedule) -> str:
    """Return the optimised plan as the page carries it between requests.

    That is the hidden field ``optimised_plan``: :meth:`Schedule.to_json` made compact, exact
    for any plan.
    """
    return json.dumps(json.loads(plan.to_json()), separators=(",", ":"))


def _optimised_plan(form: Mapping[str, Any], errors: list[FieldError]) -> Schedule | None:
    # The plan a previous "Optimise for this patient" found, carried by the page so that a new
    # comparison and the downloads include it; ticking "drop_optimised" removes it.
    text = _text(form, "optimised_plan")
    if not text or form.get("drop_optimised"):
        return None
    try:
        return Schedule.from_json(text).named(OPTIMISED_NAME)
    except (ValueError, TypeError, KeyError) as exc:
        errors.append(
            FieldError(
                "optimise",
                "Optimised plan: the page's copy is not a valid "
                f"plan ({' '.join(str(exc).split())[:200]}); run "
                "'Optimise for this patient' again",
            )
        )
        return None


def parse_form(form: Mapping[str, Any]) -> FormData:
    """Validate the submitted form; problems are collected in ``FormData.errors``."""
    data = FormData()
    errors = data.errors
    for name, value in form.items():
        if isinstance(value, str) and len(value) > MAX_TEXT * 8:
            errors.append(FieldError(name, f"{name}: too long ({len(value)} characters)"))
    data.patient_name = _text(form, "patient_name")[:MAX_TEXT]

    age: float | None = None
    age_text = _text(form, "age")
    try:
        age = float(age_text)
    except ValueError:
        errors.append(
            FieldError(
                "age",
                f"Age: {age_text!r} is not a number of years"
                if age_text
                else "Age: required (years)",
            )
        )
    ages = CORE_LIMITS["age"]
    if age is not None and not ages.low <= age <= ages.high:
        errors.append(
            FieldError(
                "age",
                f"Age: {age:g} years is outside {ages.low:g}-"
                f"{ages.high:g} years, the range the model covers",
            )
        )
        age = None
    phototype = _text(form, "phototype") or "2"
    if phototype not in {"1", "2", "3", "4", "5", "6"}:
        errors.append(FieldError("phototype", "Fitzpatrick phototype: choose I to VI"))
        phototype = "2"
    diabetes = _text(form, "diabetes") or "none"
    if diabetes not in {"none", "controlled", "poor"}:
        errors.append(FieldError("diabetes", "Diabetes: choose none, controlled or poor"))
        diabetes = "none"
    vitamin_c = _text(form, "vitamin_c") or "replete"
    if vitamin_c not in {"deficient", "replete", "supplemented"}:
        errors.append(
            FieldError("vitamin_c", "Vitamin C: choose deficient, replete or supplemented")
        )
        vitamin_c = "replete"

    history: dict[str, Any] = {name: bool(form.get(name)) for name, _ in HISTORY_FLAGS}
    for name, label in HISTORY_DATES:
        history[name] = _date(form, name, label, errors)
        if history[name] is not None and history[name] > dt.date.today() + dt.timedelta(1):
            errors.append(
                FieldError(name, f"{label}: {history[name].isoformat()} is in the future")
            )
    other = _text(form, "other_skin_condition")[:MAX_TEXT]
    history["other_skin_condition"] = other or None
    if history["on_isotretinoin"] and history["isotretinoin_stopped"] is not None:
        errors.append(
            FieldError(
                "isotretinoin_stopped",
                "Isotretinoin: tick 'taking it now' or give the date of the last dose, not both",
            )
        )
        history["isotretinoin_stopped"] = None
    if age is not None:
        try:
            data.patient = Patient(
                age=age,
                diabetes=diabetes,  # type: ignore[arg-type]
                vitamin_c=vitamin_c,  # type: ignore[arg-type]
                phototype=int(phototype),
                **{name: bool(form.get(name)) for name, _ in COVARIATE_FLAGS},
                history=MedicalHistory(**history),
            )
        except (ValueError, TypeError) as exc:
            errors.append(FieldError("patient", f"Patient: {exc}"))

    data.start_date = _date(form, "start_date", "First session date", errors)
    try:
        data.days = parse_horizon(_text(form, "horizon") or "12mo")
        if not 30 <= data.days <= 3650:
            raise ValueError(
                f"horizon {_text(form, 'horizon')!r}: choose between 1 month and 10 years"
            )
    except ValueError as exc:
        errors.append(FieldError("horizon", f"Horizon: {exc}"))

    getlist = getattr(form, "getlist", None)
    chosen = getlist("library") if getlist is not None else form.get("library", [])
    if isinstance(chosen, str):
        chosen = [chosen]
    for name in chosen:
        if not library.is_library_plan(name):
            errors.append(FieldError("library", f"Plan library: no plan named {name[:60]!r}"))
            continue
        plan = library.get(name)
        data.plans[plan.label()] = plan
    for name, plan in _plan_lines(_text(form, "plan_text")[: MAX_TEXT * 8], errors):
        if name == OPTIMISED_NAME:
            errors.append(
                FieldError(
                    "plan_text",
                    f"The name {OPTIMISED_NAME!r} is kept for the "
                    "optimiser's plan; give your plan another name",
                )
            )
            continue
        if name in data.plans:
            errors.append(
                FieldError(
                    "plan_text",
                    f"Two plans are named {name[:60]!r}; give "
                    "each a different name ('Name: plan text')",
                )
            )
            continue
        data.plans[name[:MAX_TEXT]] = plan
    optimised = _optimised_plan(form, errors)
    if optimised is not None:
        data.plans[OPTIMISED_NAME] = optimised
    if not data.plans and not any(e.field in ("plan_text", "library") for e in errors):
        errors.append(
            FieldError(
                "plans", "Plans: tick at least one library plan or write one in the plan box"
            )
        )
    if len(data.plans) > MAX_PLANS:
        errors.append(
            FieldError("plans", f"Plans: at most {MAX_PLANS} at once, got {len(data.plans)}")
        )

    for rule in RULES:
        if rule.severity != "contraindication":
            continue
        reason = _text(form, f"override_{rule.code}")[:MAX_TEXT]
        if not reason:
            continue
        if len(reason.split()) < MIN_REASON_WORDS:
            errors.append(
                FieldError(
                    f"override_{rule.code}",
                    f"Override of '{rule.title}': give a reason of at least "
                    f"{MIN_REASON_WORDS} words (who decided and why), not "
                    f"{reason!r}",
                )
            )
            continue
        data.overrides[rule.code] = reason
    return data
