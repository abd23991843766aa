"""simulate(): one patient, one plan, one call into the C++ engine."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from numpy.typing import ArrayLike

from ..model.parameters import Parameters
from ..patients.patient import Patient
from ..plans.schedule import Schedule
from .options import Method, SolverOptions, resolve_options
from .result import Result
from .solver import run

__all__ = ["simulate"]


def simulate(
    plan: Schedule | ArrayLike,
    patient: Patient | None = None,
    days: float | None = 365,
    *,
    t_eval: ArrayLike | None = None,
    params: Parameters | Mapping[str, float] | None = None,
    options: SolverOptions | None = None,
    method: Method | None = None,
    rtol: float | None = None,
    atol: float | Mapping[str, float] | ArrayLike | None = None,
    max_steps: int | None = None,
    override: Mapping[str, str] | None = None,
    sensitivities: Sequence[str] | None = None,
) -> Result:
    """Simulate the skin's response to a plan of microneedling sessions.

    The engine integrates MN-14 between sessions and applies each session's jump exactly at its
    day; outputs come from the integrator's dense output. The value reported on a session day
    is the state right *after* the session; the state right before it is in
    :attr:`Result.pre_session`.

    Parameters
    ----------
    plan : Schedule or array_like of float
        The sessions (a :class:`Schedule`, or session days at 1.5 mm and 250 punctures/cm^2).
        Sessions after the horizon are not simulated.
    patient : Patient, optional
        Covariates; ``Patient()`` (age 45, no conditions) if omitted.
    days : float, optional
        Horizon in days, in (0, 36500] (``docs/limits.md``). May be None when ``t_eval`` is
        given (its last day is used).
    t_eval : array_like of float, optional
        Output days, sorted, in ``[0, days]``. Default: every day from 0 to the horizon.
    params : Parameters or mapping, optional
        Nominal parameter values, or a mapping of overrides of the defaults
        (e.g. ``{"k_mat": 0.02}``). Patient covariates are applied on top.
    options : SolverOptions, optional
        The integrator's settings (method, tolerances, step budget and bounds), checked once
        when built; :class:`SolverOptions` describes them. Default: ``SolverOptions()``
        (``"rodas5p"``, ``rtol`` 1e-6, the per-state default ``atol``, 200,000 steps).
        Sensitivities ride on the method's steps, so a run with sensitivities follows exactly
        the same trajectory as one without; their accuracy follows ``rtol``
        (``docs/fitting.md``).
    method, rtol, atol, max_steps : optional
        Shorthands: ``simulate(plan, rtol=1e-8)`` is ``simulate(plan,
        options=SolverOptions(rtol=1e-8))``. Giving both ``options`` and a shorthand is a
        TypeError.
    override : mapping, optional
        ``{screening rule code: reason}`` to simulate despite a contraindication found by
        :func:`screen` (e.g. ``{"isotretinoin": "dermatologist approved, AAD 2024"}``); the
        reason is recorded in :attr:`Result.screening`.
    sensitivities : sequence of str, optional
        Also compute derivatives of every state and observable with respect to these nominal
        parameters (e.g. ``"s_w"``, ``"kap_US"``, ``"cov_age_aC_slope"``), session depths
        (``"depth_mm[k]"``, session k counted from 0) and session days (``"day[k]"``). They are in
        ``result.sensitivities`` (:class:`Sensitivities`), as arrays shaped
        (time, state or observable, column). Method and accuracy: ``docs/fitting.md``.

    Returns
    -------
    Result
        Trajectories of every state and observable, session states, threshold crossings,
        the patient screening and, if requested, sensitivities.

    Raises
    ------
    ContraindicationError
        Screening found a contraindication (a ValueError naming it and how to override).
    ValueError
        Invalid plan, patient, horizon, output times, parameters or tolerances; the message
        names the field and the allowed range.
    TypeError
        An argument of the wrong type, or both ``options`` and a shorthand.
    SolverError
        The integrator could not finish within ``max_steps``.

    Examples
    --------
    >>> import skinremodel as sr
    >>> plan = sr.Schedule.regular(sessions=4, every_days=28, depth_mm=1.5)
    >>> res = sr.simulate(plan, patient=sr.Patient(age=45), days=365)
    >>> res.t[:3]
    array([0., 1., 2.])
    >>> round(float(res["total_collagen"][180]), 3) > 1.0
    True
    >>> res = sr.simulate(plan, days=180, sensitivities=["s_w", "depth_mm[0]"])
    >>> res.sensitivities["total_collagen"].shape
    (181, 2)
    """
    opts = resolve_options(options, method=method, rtol=rtol, atol=atol, max_steps=max_steps)
    return Result._from_run(
        run(
            plan,
            patient,
            days,
            t_eval=t_eval,
            params=params,
            options=opts,
            override=override,
            sensitivities=sensitivities,
        )
    )
