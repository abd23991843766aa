"""The one call into the C++ solver: validated inputs in, the engine's raw output back.

:func:`run` checks a plan, a patient, the horizon and output days, the parameters and the
integrator options exactly as :func:`~skinremodel.simulate` documents them, screens the patient,
and integrates: :func:`~skinremodel.simulate` wraps its output in a
:class:`~skinremodel.Result`, and :meth:`Result.rerun` (and the redness panel of
:meth:`Result.plot_overview`) run it again on a result's own inputs. The thresholds the
integrator locates (:data:`EVENT_NAMES`) and the option checks shared with
:func:`~skinremodel.simulate_many` are here too.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .. import _core
from .._validation import as_float_array, check_int, check_real
from ..limits import MAX_HORIZON_DAYS, MAX_OUTPUT_POINTS, check_count
from ..model.observables import STATE_NAMES, ObservableContext, visible_improvement_weights
from ..model.parameters import Parameters
from ..patients.patient import Patient
from ..patients.screening import ContraindicationError, Screening, screen
from ..plans.schedule import Schedule, as_schedule
from .sensitivities import check_sensitivity_names

__all__ = ["run", "Run", "METHODS", "EVENT_NAMES", "threshold_level", "event_definitions",
           "resolve_params", "resolve_atol", "resolve_times"]

#: Integration methods of the engine.
METHODS: tuple[str, ...] = ("rodas5p", "rodas4", "dopri5")
_DEFAULT_ATOL = np.asarray(_core.default_atol())


def resolve_params(params: Parameters | Mapping[str, float] | None) -> Parameters:
    """Accept None (defaults), a Parameters object or a mapping of overrides."""
    if params is None:
        return Parameters.default()
    if isinstance(params, Parameters):
        return params
    if isinstance(params, Mapping):
        return Parameters.default().update(params)
    raise TypeError(
        f"params must be a skinremodel.Parameters or a mapping of overrides, "
        f"got {type(params).__name__}"
    )


def resolve_atol(atol: float | Mapping[str, float] | ArrayLike | None) -> NDArray[np.float64]:
    """Per-state absolute tolerances from None, a number, a mapping by state or an array."""
    if atol is None:
        return _DEFAULT_ATOL.copy()
    if isinstance(atol, Mapping):
        out = _DEFAULT_ATOL.copy()
        for name, value in atol.items():
            if name not in STATE_NAMES:
                raise ValueError(
                    f"atol: unknown state {name!r}; states are {', '.join(STATE_NAMES)}"
                )
            out[STATE_NAMES.index(name)] = check_real(f"atol[{name!r}]", value, 0, 1,
                                                      lo_closed=False)
        return out
    if np.ndim(atol) == 0:
        value = check_real("atol", atol, 0, 1, lo_closed=False)
        return np.full(len(STATE_NAMES), value)
    arr = as_float_array("atol", atol)
    if arr.shape != (len(STATE_NAMES),):
        raise ValueError(
            f"atol must have one value per state ({len(STATE_NAMES)}), got {arr.shape}"
        )
    for name, value in zip(STATE_NAMES, arr, strict=True):
        check_real(f"atol[{name!r}]", float(value), 0, 1, lo_closed=False)
    return arr


def resolve_times(days: Any, t_eval: ArrayLike | None, *, times_name: str = "t_eval",
                  horizon_name: str = "days") -> tuple[float, NDArray[np.float64]]:
    """Validate the horizon and the output times; daily output by default.

    ``times_name`` and ``horizon_name`` are the caller's argument names, used in messages.
    """
    horizon_field = f"{horizon_name} (the horizon)"
    if t_eval is None:
        horizon = check_real(horizon_field, days, 0, MAX_HORIZON_DAYS, lo_closed=False,
                             unit="days")
        t = np.arange(0.0, math.floor(horizon) + 1.0)
        if t[-1] != horizon:
            t = np.append(t, horizon)
        return horizon, t
    if isinstance(t_eval, (list, tuple)):  # refuse a huge list before converting it
        check_count(f"{times_name} (number of output days)", len(t_eval), MAX_OUTPUT_POINTS)
    t = as_float_array(times_name, t_eval)
    check_count(f"{times_name} (number of output days)", t.size, MAX_OUTPUT_POINTS)
    if t.size == 0:
        raise ValueError(f"{times_name} must contain at least one time")
    if not np.all(np.isfinite(t)):
        raise ValueError(f"{times_name} must contain only finite days (found NaN or inf)")
    if np.any(t < 0):
        raise ValueError(f"{times_name} must be >= 0 days, got {t.min():g}")
    if np.any(np.diff(t) < 0):
        raise ValueError(f"{times_name} must be sorted in increasing order")
    if days is None:
        horizon = float(t[-1])
        if horizon <= 0:
            raise ValueError(f"the horizon (last of {times_name}) must be > 0 days")
        if horizon > MAX_HORIZON_DAYS:
            raise ValueError(f"the horizon (last of {times_name}) must be at most "
                             f"{MAX_HORIZON_DAYS:g} days, got {horizon:g}")
    else:
        horizon = check_real(horizon_field, days, 0, MAX_HORIZON_DAYS, lo_closed=False,
                             unit="days")
        if t[-1] > horizon:
            raise ValueError(f"{times_name} reaches day {t[-1]:g}, beyond the horizon "
                             f"{horizon_name}={horizon:g}")
    return horizon, t


#: Thresholds located during integration: redness visible (R > R_vis), downtime
#: (R > R_down_frac * R_vis), visible improvement (G > G_jnd).
EVENT_NAMES: tuple[str, ...] = ("redness_visible", "downtime", "visible_improvement")


def threshold_level(ctx: ObservableContext, event: str) -> float | NDArray[np.float64]:
    """Redness level of the "redness_visible" or "downtime" threshold (an array for a batch)."""
    level = ctx.p("R_vis")
    return level * ctx.p("R_down_frac") if event == "downtime" else level


@dataclass(frozen=True)
class Run:
    """One run of the engine: the checked inputs and the engine's raw output."""

    schedule: Schedule
    patient: Patient
    params: Parameters
    horizon: float
    #: method, rtol, atol (one per state) and max_steps, as checked.
    options: dict[str, Any]
    screening: Screening
    context: ObservableContext
    #: What the engine returns: t, y, session states, crossings, stats (and S... with
    #: sensitivities).
    raw: dict[str, Any]


def run(
    plan: Schedule | ArrayLike,
    patient: Patient | None = None,
    days: float | None = 365,
    *,
    t_eval: ArrayLike | None = None,
    params: Parameters | Mapping[str, float] | None = None,
    method: str = "rodas5p",
    rtol: float = 1e-6,
    atol: float | Mapping[str, float] | ArrayLike | None = None,
    max_steps: int = 200_000,
    override: Mapping[str, str] | None = None,
    sensitivities: Sequence[str] | None = None,
) -> Run:
    """Check the inputs of :func:`~skinremodel.simulate` (same arguments), screen and integrate.

    Raises what :func:`~skinremodel.simulate` documents, in the same order.
    """
    schedule = as_schedule(plan)
    if patient is None:
        patient = Patient()
    elif not isinstance(patient, Patient):
        raise TypeError(f"patient must be a skinremodel.Patient, got {type(patient).__name__}")
    if not isinstance(method, str) or method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(map(repr, METHODS))}, got {method!r}")
    rtol_f = check_real("rtol", rtol, 1e-14, 0.1)
    atol_arr = resolve_atol(atol)
    steps = check_int("max_steps", max_steps, 1, 10**9)
    horizon, t = resolve_times(days, t_eval)
    nominal = resolve_params(params)
    screening = screen(patient, schedule, override=override)
    if screening.blocked:
        raise ContraindicationError(screening, schedule.label())

    core_patient = patient._to_core()
    effective = np.asarray(_core.effective_parameters(nominal.values_array, core_patient))
    baseline = np.asarray(_core.baseline(effective))
    ctx = ObservableContext(baseline=baseline, effective=effective)
    weights, levels = event_definitions(ctx)

    args = (nominal.values_array, core_patient, schedule._to_array(), t, horizon, method, rtol_f,
            atol_arr, steps, 0.0, 0.0, weights, levels)
    if sensitivities is None:
        raw = _core.simulate(*args)
    else:
        names = check_sensitivity_names(sensitivities, schedule)
        raw = _core.simulate_sensitivities(*args, names)
        for key in ("S", "S_pre_session", "S_post_session"):
            if not np.all(np.isfinite(raw[key])):  # never a silent wrong answer
                raise _core.SolverError(
                    f"the sensitivities ({key}) are not finite although the states are; "
                    f"method={method!r} cannot resolve them here: tighten rtol or use "
                    "method='rodas5p'")
    options = {"method": method, "rtol": rtol_f, "atol": atol_arr, "max_steps": steps}
    return Run(schedule, patient, nominal, horizon, options, screening, ctx, raw)


def event_definitions(ctx: ObservableContext) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Thresholds located during integration, in the order of :data:`EVENT_NAMES`.

    Returns weights shaped (..., 3, 15) and levels (..., 3); the leading axes are those of a
    batch context (none for one patient). See :func:`threshold_level` for the levels.
    """
    w_g, c_g = visible_improvement_weights(ctx)
    lead = w_g.shape[:-1]
    weights = np.zeros(lead + (len(EVENT_NAMES), len(STATE_NAMES)))
    weights[..., 0:2, STATE_NAMES.index("R")] = 1.0  # redness visible, downtime
    weights[..., 2, :] = w_g
    levels = np.empty(lead + (len(EVENT_NAMES),))
    levels[..., 0] = threshold_level(ctx, "redness_visible")
    levels[..., 1] = threshold_level(ctx, "downtime")
    levels[..., 2] = c_g + ctx.p("G_jnd")
    return weights, levels
