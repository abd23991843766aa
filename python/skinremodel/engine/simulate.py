"""simulate(): one patient, one plan, one call into the C++ engine."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal

from numpy.typing import ArrayLike

from ..model.parameters import Parameters
from ..patients.patient import Patient
from ..plans.schedule import Schedule
from .result import Result
from .sensitivities import Sensitivities
from .solver import run

__all__ = ["simulate"]


def simulate(
    plan: Schedule | ArrayLike,
    patient: Patient | None = None,
    days: float | None = 365,
    *,
    t_eval: ArrayLike | None = None,
    params: Parameters | Mapping[str, float] | None = None,
    method: Literal["rodas5p", "rodas4", "dopri5"] = "rodas5p",
    rtol: float = 1e-6,
    atol: float | Mapping[str, float] | ArrayLike | None = None,
    max_steps: int = 200_000,
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
        Horizon in days, in (0, 36500] (``docs/limits.md``). May be None when ``t_eval`` is given (its last day is used).
    t_eval : array_like of float, optional
        Output days, sorted, in ``[0, days]``. Default: every day from 0 to the horizon.
    params : Parameters or mapping, optional
        Nominal parameter values, or a mapping of overrides of the defaults
        (e.g. ``{"k_mat": 0.02}``). Patient covariates are applied on top.
    method : {"rodas5p", "rodas4", "dopri5"}
        ``"rodas5p"`` (the default): L-stable Rosenbrock 5(4) of Steinebach, the fastest here
        because the model is stiff (see ``docs/solvers.md``). ``"rodas4"``: Hairer and Wanner's
        RODAS 4(3). ``"dopri5"``: Boost.Odeint's explicit Dormand-Prince 5(4). Sensitivities
        ride on the chosen method's steps, so a run with sensitivities follows exactly the same
        trajectory as one without; their accuracy follows ``rtol`` (``docs/fitting.md``).
    rtol : float
        Relative tolerance, in [1e-14, 0.1].
    atol : float, mapping or array_like, optional
        Absolute tolerance: one number, ``{state: value}`` overrides, or 14 values. The default
        is 1e-9 for matrix pools, 1e-10 for tropoelastin and 1e-6 for inflammation, growth
        factor and redness.
    max_steps : int
        Bound on integrator steps; exceeding it raises :class:`SolverError` instead of hanging.
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
        An argument of the wrong type.
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
    out = run(plan, patient, days, t_eval=t_eval, params=params, method=method, rtol=rtol,
              atol=atol, max_steps=max_steps, override=override, sensitivities=sensitivities)
    result = Result._from_run(out)
    if sensitivities is not None:
        result.sensitivities = Sensitivities(
            out.raw, out.context, out.params, out.schedule, result.y, result.pre_session,
            result.post_session
        )
    return result
