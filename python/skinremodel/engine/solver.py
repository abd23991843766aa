"""The one call into the C++ solver: validated inputs in, the engine's trajectory back.

:func:`run` checks a plan, a patient, the horizon and output days and the parameters exactly as
:func:`~skinremodel.simulate` documents them (the integrator options arrive checked, as a
:class:`~skinremodel.SolverOptions`), screens the patient, and makes one engine call with a
``_core.Request``: the engine applies the patient's covariates, computes the baseline, locates
the model's threshold events and summarises them per session, and returns it all in a
``_core.Trajectory``. :func:`~skinremodel.simulate` wraps it in a :class:`~skinremodel.Result`,
and :meth:`Result.rerun` runs it again on a result's own inputs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .. import _core
from .._validation import as_float_array
from ..limits import MAX_OUTPUT_POINTS, check_count, check_limit
from ..model.parameters import Parameters
from ..patients.patient import Patient
from ..patients.screening import ContraindicationError, Screening, screen
from ..plans.schedule import Schedule, as_schedule
from .options import DEFAULT_OPTIONS, SolverOptions, core_options
from .sensitivities import check_sensitivity_names

__all__ = ["run", "Run", "resolve_params", "resolve_times", "request"]


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


#: The checked horizon and daily output days of the horizons given so far, keyed by the type and
#: value given (a few distinct horizons; the arrays are read-only).
_DAILY: dict[tuple[type, Any], tuple[float, NDArray[np.float64]]] = {}


def _daily(days: Any, horizon_name: str) -> tuple[float, NDArray[np.float64]]:
    key = (type(days), days)
    try:
        hit = _DAILY.get(key)
    except TypeError:  # unhashable: checked below (and refused)
        hit = None
    if hit is not None:
        return hit
    horizon = check_limit("horizon", days, f"{horizon_name} (the horizon)")
    t = np.arange(0.0, math.floor(horizon) + 1.0)
    if t[-1] != horizon:
        t = np.append(t, horizon)
    t.setflags(write=False)
    if len(_DAILY) >= 64:
        _DAILY.clear()
    _DAILY[key] = (horizon, t)
    return horizon, t


def resolve_times(
    days: Any, t_eval: ArrayLike | None, *, times_name: str = "t_eval", horizon_name: str = "days"
) -> tuple[float, NDArray[np.float64]]:
    """Validate the horizon and the output times; daily output by default.

    ``times_name`` and ``horizon_name`` are the caller's argument names, used in messages. The
    horizon is the core's bound ``"horizon"`` (``docs/limits.md``).
    """
    if t_eval is None:
        return _daily(days, horizon_name)
    horizon_field = f"{horizon_name} (the horizon)"
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
        horizon = check_limit("horizon", float(t[-1]), f"the horizon (last of {times_name})")
    else:
        horizon = check_limit("horizon", days, horizon_field)
        if t[-1] > horizon:
            raise ValueError(
                f"{times_name} reaches day {t[-1]:g}, beyond the horizon {horizon_name}={horizon:g}"
            )
    return horizon, t


class Run(NamedTuple):
    """One run of the engine: the checked inputs and the engine's trajectory."""

    schedule: Schedule
    patient: Patient
    params: Parameters
    horizon: float
    options: SolverOptions
    screening: Screening
    #: What the engine returns: t, y, session states, crossings and their per-session summary,
    #: stats, effective parameters and baseline (and .sensitivities when asked for).
    trajectory: _core.Trajectory


def request(
    schedule: Schedule,
    patient: Patient,
    params: Parameters,
    t: NDArray[np.float64],
    horizon: float,
    options: SolverOptions,
) -> _core.Request:
    """Return the engine's request of checked inputs."""
    return _core.Request(
        params.values_array, patient._row(), schedule._to_array(), t, horizon, core_options(options)
    )


def run(
    plan: Schedule | ArrayLike,
    patient: Patient | None = None,
    days: float | None = 365,
    *,
    t_eval: ArrayLike | None = None,
    params: Parameters | Mapping[str, float] | None = None,
    options: SolverOptions = DEFAULT_OPTIONS,
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
    horizon, t = resolve_times(days, t_eval)
    nominal = resolve_params(params)
    screening = screen(patient, schedule, override=override)
    if screening.blocked:
        raise ContraindicationError(screening, schedule.label())

    req = request(schedule, patient, nominal, t, horizon, options)
    if sensitivities is None:
        trajectory = _core.simulate(req)
    else:
        names = check_sensitivity_names(sensitivities, schedule)
        trajectory = _core.simulate_sensitivities(req, names)
        sens = trajectory.sensitivities
        assert sens is not None
        for key in ("states", "pre_session", "post_session"):
            if not np.all(np.isfinite(getattr(sens, key))):  # never a silent wrong answer
                raise _core.SolverError(
                    f"the sensitivities ({key}) are not finite although the states are; "
                    f"method={options.method!r} cannot resolve them here: tighten rtol or use "
                    "method='rodas5p'"
                )
    return Run(schedule, patient, nominal, horizon, options, screening, trajectory)
